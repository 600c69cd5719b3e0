"""200 mises en relation posted at once to a real server (gunicorn, processes × threads)
all land, once each, even when a form is sent twice with the same one-time key.

The server runs against a copy of the test database (reference and demo data included):
a SQLite backup of the in-memory test database, or a PostgreSQL database cloned from it.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from django.db import connection

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REFERRALS = 200
RESENT = 20  # forms sent a second time with the same key


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def database_copy(django_db_setup, django_db_blocker, tmp_path_factory):
    """(environment for the server, a function counting the referrals, a service id)."""
    var_dir = tmp_path_factory.mktemp("concurrence")
    with django_db_blocker.unblock():
        from maillage.directory.models import Categorie, Service, Structure

        # Committed to the test database for the copy only, removed right after it.
        structure = Structure.objects.create(nom="Structure de la montée en charge")
        service = Service.objects.create(structure=structure, nom="Accompagnement numérique")
        service.categories.add(Categorie.objects.order_by("code").first())
        service_id = service.pk
        try:
            env, count = _copy(var_dir)
        finally:
            structure.delete()
    try:
        yield env, count, service_id
    finally:
        _drop(env)


def _copy(var_dir: Path) -> tuple[dict[str, str], object]:
    """Copy the test database; returns the server's environment and a referral counter."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        path = var_dir / "maillage.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
        target.close()
        env = {"MAILLAGE_VAR_DIR": str(var_dir)}

        def count() -> tuple[int, int]:
            with sqlite3.connect(path) as db:
                return db.execute(
                    "SELECT COUNT(*), COUNT(DISTINCT submission_key_hash) FROM orientation_referral"
                ).fetchone()

        return env, count
    import psycopg

    name = f"{settings['NAME']}_copie_{secrets.token_hex(3)}"
    params = {
        "host": settings["HOST"] or "127.0.0.1",
        "port": settings["PORT"] or 5432,
        "user": settings["USER"],
        "password": settings["PASSWORD"] or None,
    }
    connection.close()  # a template database must have no other session
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{settings["NAME"]}"')
    auth = f"{params['user']}:{params['password']}@" if params["password"] else f"{params['user']}@"
    env = {
        "DATABASE_URL": f"postgres://{auth}{params['host']}:{params['port']}/{name}",
        "MAILLAGE_VAR_DIR": str(var_dir),
    }

    def count() -> tuple[int, int]:
        with psycopg.connect(dbname=name, **params) as db:
            return db.execute(
                "SELECT COUNT(*), COUNT(DISTINCT submission_key_hash) FROM orientation_referral"
            ).fetchone()

    return env, count


def _drop(env: dict[str, str]) -> None:
    if "DATABASE_URL" not in env:
        return
    import psycopg

    url, name = env["DATABASE_URL"].rsplit("/", 1)
    with psycopg.connect(url + "/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def server(database_copy):
    env_extra, count, service_id = database_copy
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "MAILLAGE_REFERRAL_PER_HOUR": "100000",
        # Every post comes from 127.0.0.1: the per-client throttle of the form is raised too.
        "MAILLAGE_THROTTLE_REFERRAL": "1000000/min",
        **env_extra,
    }
    if "DATABASE_URL" not in env_extra:
        env.pop("DATABASE_URL", None)
    log_path = Path(env_extra["MAILLAGE_VAR_DIR"]) / "gunicorn.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - our own server
            [
                str(BIN / "gunicorn"),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "8",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if requests.get(url + "/api/v1/sante", timeout=10).ok:
                        break
                except (requests.ConnectionError, requests.Timeout):
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(log_path.read_text()[-3000:])
                time.sleep(0.2)
            yield url, count, service_id, log_path
        finally:
            process.terminate()
            process.wait(timeout=20)


def test_200_parallel_referrals_all_land_once(server):
    url, count, service_id, log_path = server
    form_url = f"{url}/mise-en-relation/nouvelle/{service_id}/"
    page = requests.get(form_url, timeout=10)
    assert page.status_code == 200
    csrf_cookie = page.cookies["csrftoken"]
    csrf_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)

    def key_handed_out(_: int) -> str:
        # Each person loads the form: the server signs its one-time key.
        form = requests.get(form_url, timeout=30)
        return re.search(r'name="cle" value="([^"]+)"', form.text).group(1)

    with ThreadPoolExecutor(max_workers=16) as pool:
        keys = list(pool.map(key_handed_out, range(REFERRALS)))
    assert len(set(keys)) == REFERRALS
    jobs = keys + keys[:RESENT]  # some forms are sent twice, as a double click would

    def post(key: str) -> tuple[str, int, str]:
        data = {
            "csrfmiddlewaretoken": csrf_token,
            "besoin": "Apprendre à utiliser ma tablette",
            "commune": "29151",
            "profil": "particulier",
            "nom": "Personne de test",
            "courriel": f"personne-{key[:8].lower()}@example.fr",
            "telephone": "",
            "contact_prefere": "courriel",
            "consentement": "on",
            "cle": key,
            "website": "",
            "started": str(time.time() - 60),
        }
        response = requests.post(
            form_url,
            data=data,
            cookies={"csrftoken": csrf_cookie},
            headers={"Referer": form_url},
            timeout=60,
        )
        link = re.search(r'data-testid="follow-link">([^<]+)<', response.text)
        return key, response.status_code, link.group(1) if link else ""

    with ThreadPoolExecutor(max_workers=24) as pool:
        results = list(pool.map(post, jobs))

    statuses = sorted({status for _key, status, _link in results})
    assert statuses == [200], f"réponses {statuses} ; journal : {log_path}"
    assert count() == (REFERRALS, REFERRALS)
    # A form sent twice shows the same private link both times.
    links: dict[str, set[str]] = {}
    for key, _status, link in results:
        assert link, "la confirmation n'affiche pas le lien de suivi"
        links.setdefault(key, set()).add(link)
    assert all(len(found) == 1 for found in links.values())
    assert len({next(iter(found)) for found in links.values()}) == REFERRALS
