"""The production shape on loopback: two stateless gunicorn app servers, one worker,
one PostgreSQL, one Redis. A task queued through one server completes on the worker and
its result is read through the other server."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

pytestmark = pytest.mark.scaleout

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
POSTGRES_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/0")


def _answers(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def database_url():
    if not POSTGRES_URL.startswith("postgres") or not _answers(POSTGRES_URL, 5432):
        pytest.skip(f"PostgreSQL ne répond pas à {POSTGRES_URL} : test de montée en charge ignoré")
    import psycopg

    name = f"maillage_scaleout_{secrets.token_hex(4)}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(POSTGRES_URL)
    yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def redis_url():
    if not _answers(REDIS_URL, 6379):
        pytest.skip(f"Redis ne répond pas à {REDIS_URL} : test de montée en charge ignoré")
    import redis

    # A database number of its own, emptied before and after, so nothing else is touched.
    url = urlunsplit((*urlsplit(REDIS_URL)[:2], "/13", "", ""))
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, database_url, redis_url):
    """Prepare the database as a deployment would, then start 2 servers and keep a worker ready."""
    var_dir = tmp_path_factory.mktemp("deploiement")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "MAILLAGE_VAR_DIR": str(var_dir),
        "STATIC_ROOT": str(var_dir / "static"),
        # TLS ends at the load balancer in production; loopback is plain HTTP.
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "DJANGO_SUPERUSER_EMAIL": "admin@maillage.test",
        "DJANGO_SUPERUSER_PASSWORD": secrets.token_urlsafe(16),
    }
    maillage = str(BIN / "maillage")

    def run(*args: str) -> None:
        done = subprocess.run(  # noqa: S603
            [maillage, *args], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, f"maillage {args[0]} a échoué :\n{done.stderr[-3000:]}"

    run("migrate", "--no-input")
    run("load_reference", "--verbosity", "0")
    run("load_taxonomie", "--verbosity", "0")
    run("load_demo", "--verbosity", "0")
    run("collectstatic", "--no-input", "--verbosity", "0")
    run("createsuperuser", "--no-input")

    processes: list[subprocess.Popen] = []
    logs = []

    def start(name: str, *command: str) -> subprocess.Popen:
        log = (var_dir / f"{name}.log").open("w")
        logs.append(log)
        process = subprocess.Popen(  # noqa: S603
            list(command), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        processes.append(process)
        return process

    servers = []
    for name in ("app-a", "app-b"):
        port = _free_port()
        start(
            name,
            str(BIN / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        )
        servers.append(f"http://127.0.0.1:{port}")
    for url in servers:
        _wait(lambda url=url: requests.get(url + "/api/v1/sante", timeout=2).ok, 60, var_dir)

    def start_worker() -> subprocess.Popen:
        return start("worker", maillage, "worker")

    try:
        yield {
            "servers": servers,
            "start_worker": start_worker,
            "email": env["DJANGO_SUPERUSER_EMAIL"],
            "password": env["DJANGO_SUPERUSER_PASSWORD"],
        }
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)
        for log in logs:
            log.close()


def _wait(condition, timeout: float, var_dir: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    logs = (
        "" if var_dir is None else "\n".join(p.read_text()[-2000:] for p in var_dir.glob("*.log"))
    )
    raise TimeoutError(f"Condition non remplie après {timeout} s\n{logs}")


def _login(server: str, email: str, password: str) -> requests.Session:
    session = requests.Session()
    session.get(server + "/comptes/connexion/", timeout=10).raise_for_status()
    response = session.post(
        server + "/comptes/connexion/",
        data={
            "username": email,
            "password": password,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, "la connexion a échoué"
    return session


def test_task_queued_on_one_server_runs_on_the_worker_and_is_read_on_the_other(deployment):
    server_a, server_b = deployment["servers"]
    session = _login(server_a, deployment["email"], deployment["password"])

    response = session.post(
        server_a + "/api/v1/territoires/pays-de-morlaix/recalcul",
        headers={"X-CSRFToken": session.cookies["csrftoken"]},
        timeout=10,
    )
    assert response.status_code == 202, response.text
    task_id = response.json()["id"]

    # The session lives in PostgreSQL: server B knows the user logged in on server A.
    # No worker runs yet, so the task waits in Redis.
    status = session.get(f"{server_b}/api/v1/taches/{task_id}", timeout=10)
    assert status.status_code == 200, status.text
    assert status.json()["statut"] == "READY"

    deployment["start_worker"]()
    _wait(
        lambda: (
            session.get(f"{server_b}/api/v1/taches/{task_id}", timeout=5).json()["statut"]
            == "SUCCESSFUL"
        ),
        60,
    )
    result = session.get(f"{server_b}/api/v1/taches/{task_id}", timeout=10).json()["resultat"]
    territoire = requests.get(f"{server_b}/api/v1/territoires/pays-de-morlaix", timeout=10).json()
    assert result == {
        "territoire": "pays-de-morlaix",
        "population": territoire["population"],
        "communes": territoire["nombre_communes"],
    }
    assert territoire["nombre_communes"] > 50


def test_both_servers_answer_the_same_public_data(deployment):
    answers = [
        requests.get(f"{server}/api/v1/communes", params={"q": "morlaix"}, timeout=10).json()
        for server in deployment["servers"]
    ]
    assert answers[0] == answers[1]
    assert answers[0]["results"][0]["code"] == "29151"
