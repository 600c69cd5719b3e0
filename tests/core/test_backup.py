"""`maillage backup FILE` / `maillage restore FILE`: the whole instance (every table's rows
and the uploaded files) goes to one file and comes back, on SQLite and on PostgreSQL; a
wrong, corrupted or unconfirmed restore changes nothing.

Each test runs the real commands in subprocesses on a database of its own (a temporary
SQLite file; PostgreSQL databases `hardening_core_backup` and `hardening_core_restore`)."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PG_SERVER = os.environ.get("BACKUP_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")
PG_SOURCE, PG_TARGET = "hardening_core_backup", "hardening_core_restore"

SEED = """
from maillage.accounts.models import User
from django.contrib.auth.models import Group
g = Group.objects.create(name="Conseillers d'Élorn")
for i, name in enumerate(["Élodie", "Yann", "Maëlle"]):
    u = User.objects.create_user(f"personne{i}@exemple.fr", "mot de passe 2026", first_name=name)
    u.groups.add(g)
"""
CHANGE = """
from maillage.accounts.models import User
from django.contrib.auth.models import Group
User.objects.filter(email="personne0@exemple.fr").delete()
User.objects.filter(email="personne1@exemple.fr").update(first_name="Changé")
User.objects.create_user("nouveau@exemple.fr", "x")
Group.objects.create(name="Nouveau groupe")
"""


def manage(var_dir: Path, *args: str, database: str = "", stdin: str | None = None):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "MAILLAGE_VAR_DIR": str(var_dir),
    }
    env.pop("DATABASE_URL", None)
    if database:
        env["DATABASE_URL"] = database
    return subprocess.run(  # noqa: S603 - our own command
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=600,
    )


def ok(result) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def sqlite_rows(path: Path) -> dict[str, list[str]]:
    conn = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"'))) for t in tables}
    finally:
        conn.close()


def media_files(var_dir: Path) -> dict[str, bytes]:
    media = var_dir / "media"
    return {str(p.relative_to(media)): p.read_bytes() for p in media.rglob("*") if p.is_file()}


def seed_media(var_dir: Path) -> None:
    (var_dir / "media" / "imports").mkdir(parents=True, exist_ok=True)
    (var_dir / "media" / "imports" / "lieux.csv").write_bytes(b"nom;commune\nFablab;Morlaix\n")
    (var_dir / "media" / "logo.png").write_bytes(bytes(range(256)) * 40)


def change_media(var_dir: Path) -> None:
    (var_dir / "media" / "logo.png").write_bytes(b"autre")
    (var_dir / "media" / "imports" / "lieux.csv").unlink()
    (var_dir / "media" / "en-trop.txt").write_text("après la sauvegarde")


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    """A migrated SQLite instance with some rows and files, made once for the module."""
    var_dir = tmp_path_factory.mktemp("instance")
    ok(manage(var_dir, "migrate", "-v0"))
    ok(manage(var_dir, "shell", "--no-imports", "-c", SEED))
    seed_media(var_dir)
    return var_dir


@pytest.fixture
def instance(prepared, tmp_path) -> Path:
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    with (
        sqlite3.connect(prepared / "maillage.sqlite3") as source,
        sqlite3.connect(var_dir / "maillage.sqlite3") as copy,
    ):
        source.backup(copy)
    (var_dir / "secret_key").write_text((prepared / "secret_key").read_text())
    seed_media(var_dir)
    return var_dir


def test_sqlite_round_trip_restores_every_row_and_file(instance, tmp_path):
    database = instance / "maillage.sqlite3"
    before_rows, before_files = sqlite_rows(database), media_files(instance)
    archive = tmp_path / "sauvegarde.tar.gz"
    out = ok(manage(instance, "backup", str(archive)))
    assert "Sauvegarde écrite : base SQLite" in out and "2 fichiers déposés" in out

    ok(manage(instance, "shell", "--no-imports", "-c", CHANGE))
    change_media(instance)
    assert sqlite_rows(database) != before_rows

    out = ok(manage(instance, "restore", str(archive), "--force"))
    assert "Instance restaurée" in out
    assert sqlite_rows(database) == before_rows
    assert media_files(instance) == before_files


def test_backup_refuses_to_overwrite_without_force(instance, tmp_path):
    archive = tmp_path / "sauvegarde.tar.gz"
    archive.write_text("précieux")
    result = manage(instance, "backup", str(archive))
    assert result.returncode != 0 and "existe déjà" in result.stderr
    assert archive.read_text() == "précieux"


def test_restore_asks_for_confirmation_and_changes_nothing_without_it(instance, tmp_path):
    archive = tmp_path / "sauvegarde.tar.gz"
    ok(manage(instance, "backup", str(archive)))
    ok(manage(instance, "shell", "--no-imports", "-c", CHANGE))
    change_media(instance)
    rows, files = sqlite_rows(instance / "maillage.sqlite3"), media_files(instance)
    result = manage(instance, "restore", str(archive))  # no terminal: no confirmation possible
    assert result.returncode != 0
    assert "ajoutez --force" in result.stderr and "Rien n'a été modifié" in result.stderr
    assert sqlite_rows(instance / "maillage.sqlite3") == rows
    assert media_files(instance) == files


@pytest.mark.parametrize("damage", ["tronquée", "octet changé", "pas une sauvegarde"])
def test_a_corrupted_archive_is_refused_and_changes_nothing(instance, tmp_path, damage):
    archive = tmp_path / "sauvegarde.tar.gz"
    ok(manage(instance, "backup", str(archive)))
    data = archive.read_bytes()
    if damage == "tronquée":
        archive.write_bytes(data[: len(data) // 2])
    elif damage == "octet changé":
        middle = len(data) // 2
        archive.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :])
    else:
        archive.write_bytes(b"ceci n'est pas une archive")
    ok(manage(instance, "shell", "--no-imports", "-c", CHANGE))
    rows, files = sqlite_rows(instance / "maillage.sqlite3"), media_files(instance)
    result = manage(instance, "restore", str(archive), "--force")
    assert result.returncode != 0
    assert "Rien n'a été modifié" in result.stderr
    assert any(word in result.stderr for word in ("illisible", "abîmée", "incomplète", "n'est pas"))
    assert sqlite_rows(instance / "maillage.sqlite3") == rows
    assert media_files(instance) == files


def test_a_missing_pg_dump_gets_a_french_message(monkeypatch, settings):
    from maillage.core import backups

    monkeypatch.setattr(backups.os, "access", lambda *args: False)
    settings.MAILLAGE_PG_BIN = "/nulle/part"
    with pytest.raises(backups.BackupError, match="client PostgreSQL"):
        backups.pg_binary("pg_dump")


# PostgreSQL


def _postgres_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
    except OSError:
        return False
    from maillage.core.backups import BackupError, pg_binary

    try:
        pg_binary("pg_dump") and pg_binary("pg_restore")
    except BackupError:
        return False
    return True


def _recreate(name: str) -> str:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_SERVER}/{name}"


def pg_rows(url: str) -> dict[str, list[str]]:
    import psycopg

    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"'))) for t in tables}


postgres = pytest.mark.skipif(not _postgres_up(), reason="PostgreSQL ou pg_dump absents")


@postgres
def test_postgresql_round_trip_restores_every_row_and_file(tmp_path):
    source = _recreate(PG_SOURCE)
    var_dir = tmp_path / "var"
    ok(manage(var_dir, "migrate", "-v0", database=source))
    ok(manage(var_dir, "shell", "--no-imports", "-c", SEED, database=source))
    seed_media(var_dir)
    before_rows, before_files = pg_rows(source), media_files(var_dir)
    archive = tmp_path / "sauvegarde.tar.gz"
    assert "base PostgreSQL" in ok(manage(var_dir, "backup", str(archive), database=source))

    ok(manage(var_dir, "shell", "--no-imports", "-c", CHANGE, database=source))
    ok(
        manage(
            var_dir,
            "shell",
            "--no-imports",
            "-c",
            "from django.db import connection\n"
            "connection.cursor().execute('CREATE TABLE plus_tard (id int)')",
            database=source,
        )
    )
    change_media(var_dir)
    assert pg_rows(source) != before_rows

    ok(manage(var_dir, "restore", str(archive), "--force", database=source))
    assert pg_rows(source) == before_rows  # the later table is gone too
    assert media_files(var_dir) == before_files

    # Into an empty database of another server set-up: the same rows.
    target = _recreate(PG_TARGET)
    ok(manage(tmp_path / "autre", "restore", str(archive), "--force", database=target))
    assert pg_rows(target) == before_rows


@postgres
def test_an_archive_of_the_other_database_kind_is_refused(instance, tmp_path):
    sqlite_archive = tmp_path / "sqlite.tar.gz"
    ok(manage(instance, "backup", str(sqlite_archive)))
    target = _recreate(PG_TARGET)
    ok(manage(tmp_path / "pg", "migrate", "-v0", database=target))
    rows = pg_rows(target)
    result = manage(tmp_path / "pg", "restore", str(sqlite_archive), "--force", database=target)
    assert result.returncode != 0
    assert "vient d'une base SQLite et la base configurée est PostgreSQL" in result.stderr
    assert "Rien n'a été modifié" in result.stderr
    assert pg_rows(target) == rows

    pg_archive = tmp_path / "pg.tar.gz"
    ok(manage(tmp_path / "pg", "backup", str(pg_archive), database=target))
    sqlite_before = sqlite_rows(instance / "maillage.sqlite3")
    result = manage(instance, "restore", str(pg_archive), "--force")
    assert result.returncode != 0 and "vient d'une base PostgreSQL" in result.stderr
    assert sqlite_rows(instance / "maillage.sqlite3") == sqlite_before
