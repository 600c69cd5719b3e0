"""The whole instance to one file and back: `maillage backup FILE`, `maillage restore FILE`.

The archive is a gzipped tar holding, in this order:
- `manifest.json`: format and its version, Maillage's version, date, database kind, the row
  count of every table and the size and SHA-256 of every other member;
- `database.sqlite3` (SQLite, copied with the online backup API: safe while the site runs)
  or `database.pgdump` (PostgreSQL, `pg_dump --format=custom` in the snapshot the row
  counts were read in);
- `media/…`: the uploaded files of the default storage.

The database is dumped generically (every table), so this module knows no domain app.
Restoring checks the whole archive first (manifest, checksums, database kind, SQLite
integrity) and changes nothing when anything is wrong; PostgreSQL is restored with
`pg_restore --clean --if-exists --single-transaction`.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import connection, transaction

FORMAT = "maillage-sauvegarde"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media/"
DUMPS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
KIND_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class BackupError(Exception):
    """A French message for the person running the command; nothing was changed."""


@dataclass
class Manifest:
    database: str
    tables: dict[str, int]
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    date: str = ""
    version: str = ""

    def to_json(self) -> bytes:
        data = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "maillage_version": self.version,
            "date": self.date,
            "base_de_donnees": self.database,
            "tables": self.tables,
            "fichiers": self.files,
        }
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise BackupError("Ce fichier n'est pas une sauvegarde de Maillage.")
            if int(data["format_version"]) > FORMAT_VERSION:
                raise BackupError(
                    "Cette sauvegarde vient d'une version plus récente de Maillage : mettez "
                    "Maillage à jour avant de la restaurer."
                )
            return cls(
                database=str(data["base_de_donnees"]),
                tables={str(k): int(v) for k, v in data["tables"].items()},
                files={str(k): dict(v) for k, v in data["fichiers"].items()},
                date=str(data["date"]),
                version=str(data["maillage_version"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BackupError("Manifeste de la sauvegarde illisible : fichier abîmé.") from exc


def database_kind() -> str:
    vendor = connection.vendor
    if vendor not in DUMPS:
        raise BackupError(
            f"Base de données « {vendor} » non prise en charge (SQLite ou PostgreSQL)."
        )
    return vendor


def _version() -> str:
    try:
        return metadata.version("maillage")
    except metadata.PackageNotFoundError:
        return "inconnue"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


# Uploaded files, through the storage API (a file system or an object store alike).


def media_names(directory: str = "") -> Iterator[str]:
    try:
        folders, files = default_storage.listdir(directory)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in sorted(files):
        yield f"{directory}{name}"
    for folder in sorted(folders):
        yield from media_names(f"{directory}{folder}/")


# SQLite


def sqlite_tables(conn: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    return {name: conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names}  # noqa: S608


def _sqlite_live() -> sqlite3.Connection:
    connection.ensure_connection()
    raw = connection.connection
    assert isinstance(raw, sqlite3.Connection)  # noqa: S101 - vendor checked before
    return raw


def sqlite_dump(target: Path) -> dict[str, int]:
    """A consistent copy of the live database into `target` (online backup API); its counts."""
    copy = sqlite3.connect(target)
    try:
        _sqlite_live().backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        return sqlite_tables(copy)
    finally:
        copy.close()


def sqlite_check(path: Path) -> dict[str, int]:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("La base SQLite de la sauvegarde est abîmée.")
            return sqlite_tables(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"La base SQLite de la sauvegarde est illisible ({exc}).") from exc


def sqlite_restore(path: Path) -> None:
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        source.backup(_sqlite_live())
    finally:
        source.close()
    connection.close()


# PostgreSQL


def pg_binary(name: str) -> str:
    """`pg_dump`/`pg_restore` from MAILLAGE_PG_BIN, the PATH, or Debian's versioned folders."""
    folder = getattr(settings, "MAILLAGE_PG_BIN", "")
    candidates = [str(Path(folder) / name)] if folder else []
    if found := shutil.which(name):
        candidates.append(found)
    candidates += sorted(
        (str(p) for p in Path("/usr/lib/postgresql").glob(f"*/bin/{name}")), reverse=True
    )
    for candidate in candidates:
        if os.access(candidate, os.X_OK):
            return candidate
    raise BackupError(
        f"Commande « {name} » introuvable : installez le client PostgreSQL (paquet "
        "postgresql-client, de la même version majeure que le serveur) ou indiquez son "
        "dossier dans MAILLAGE_PG_BIN."
    )


def _pg_connection_args() -> tuple[list[str], dict[str, str]]:
    db = connection.settings_dict
    args = [f"--dbname={db['NAME']}"]
    if db.get("HOST"):
        args.append(f"--host={db['HOST']}")
    if db.get("PORT"):
        args.append(f"--port={db['PORT']}")
    if db.get("USER"):
        args.append(f"--username={db['USER']}")
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def pg_tables() -> dict[str, int]:
    with connection.cursor() as cursor:
        names = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for name in names:
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(name)}")  # noqa: S608 - quoted names
            counts[name] = cursor.fetchone()[0]
    return counts


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise BackupError(f"{what} a échoué : " + " / ".join(detail))


def pg_dump(target: Path) -> dict[str, int]:
    """`pg_dump --format=custom` and the row counts, both in one exported snapshot."""
    binary = pg_binary("pg_dump")
    args, env = _pg_connection_args()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        counts = pg_tables()
        _run(
            [binary, "--format=custom", f"--snapshot={snapshot}", f"--file={target}", *args],
            env,
            "pg_dump",
        )
    return counts


def pg_check(path: Path) -> None:
    args, env = _pg_connection_args()
    _run([pg_binary("pg_restore"), "--list", str(path)], env, "La lecture de la copie PostgreSQL")


def pg_restore(path: Path, tables: dict[str, int]) -> None:
    binary = pg_binary("pg_restore")
    args, env = _pg_connection_args()
    extra = sorted(set(pg_tables()) - set(tables))
    connection.close()
    _run(
        [
            binary,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            *args,
            str(path),
        ],
        env,
        "pg_restore",
    )
    if extra:  # tables the backup did not have (a later version's): the instance is the backup's
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS " + ", ".join(map(_quote, extra)) + " CASCADE")
    connection.close()


# The archive


def backup_write(target: Path) -> Manifest:
    """Write the archive of the database and the uploaded files to `target` (atomically)."""
    kind = database_kind()
    with tempfile.TemporaryDirectory(prefix="maillage-sauvegarde-", dir=target.parent) as work:
        dump = Path(work) / DUMPS[kind]
        tables = sqlite_dump(dump) if kind == "sqlite" else pg_dump(dump)
        manifest = Manifest(
            database=kind,
            tables=tables,
            date=datetime.now(UTC).isoformat(timespec="seconds"),
            version=_version(),
        )
        manifest.files[DUMPS[kind]] = {"taille": dump.stat().st_size, "sha256": _sha256(dump)}
        media = Path(work) / "media"
        for name in media_names():
            local = media / name
            local.parent.mkdir(parents=True, exist_ok=True)
            with default_storage.open(name, "rb") as source, local.open("wb") as copy:
                shutil.copyfileobj(source, copy)
            manifest.files[MEDIA + name] = {
                "taille": local.stat().st_size,
                "sha256": _sha256(local),
            }
        draft = Path(work) / "archive.tar.gz"
        with tarfile.open(draft, "w:gz", compresslevel=6) as archive:
            raw = manifest.to_json()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(raw), int(datetime.now(UTC).timestamp())
            archive.addfile(info, io.BytesIO(raw))
            archive.add(dump, arcname=DUMPS[kind])
            for name in manifest.files:
                if name.startswith(MEDIA):
                    archive.add(media / name[len(MEDIA) :], arcname=name)
        os.replace(draft, target)
    return manifest


def _member_name(member: tarfile.TarInfo) -> str:
    name = member.name
    if (
        not member.isfile()
        or name.startswith("/")
        or ".." in Path(name).parts
        or not (name == MANIFEST or name in DUMPS.values() or name.startswith(MEDIA))
    ):
        raise BackupError(f"Élément inattendu dans la sauvegarde : « {name} ».")
    return name


def archive_read(source: Path, work: Path) -> Manifest:
    """Unpack `source` into `work` and check everything against its manifest, or raise."""
    if not source.is_file():
        raise BackupError(f"Fichier introuvable : {source}")
    try:
        with tarfile.open(source, "r:gz") as archive:
            first = archive.next()
            if first is None or first.name != MANIFEST:
                raise BackupError("Ce fichier n'est pas une sauvegarde de Maillage.")
            handle = archive.extractfile(first)
            manifest = Manifest.from_json(handle.read() if handle else b"")
            seen = set()
            for member in archive:
                if member.offset == first.offset:
                    continue
                name = _member_name(member)
                if name == MANIFEST or name not in manifest.files:
                    raise BackupError(f"Élément inattendu dans la sauvegarde : « {name} ».")
                archive.extract(member, work, filter="data")
                seen.add(name)
    except (tarfile.TarError, EOFError, OSError, UnicodeDecodeError) as exc:
        raise BackupError(f"Sauvegarde illisible ou incomplète ({exc}).") from exc
    if missing := sorted(set(manifest.files) - seen):
        raise BackupError(f"Sauvegarde incomplète : il manque {', '.join(missing[:3])}.")
    for name, expected in manifest.files.items():
        if _sha256(work / name) != expected.get("sha256"):
            raise BackupError(f"Sauvegarde abîmée : « {name} » ne correspond pas au manifeste.")
    return manifest


def archive_check(manifest: Manifest, work: Path) -> None:
    """The archive fits the configured database, and its dump can be read."""
    kind = database_kind()
    if manifest.database != kind:
        came_from = KIND_LABELS.get(manifest.database, manifest.database)
        raise BackupError(
            f"Cette sauvegarde vient d'une base {came_from} et la base configurée est "
            f"{KIND_LABELS[kind]} : elle ne peut pas y être restaurée."
        )
    dump = work / DUMPS[kind]
    if kind == "sqlite":
        if sqlite_check(dump) != manifest.tables:
            raise BackupError("Sauvegarde abîmée : les tables ne correspondent pas au manifeste.")
    else:
        pg_check(dump)


def restore_apply(manifest: Manifest, work: Path) -> None:
    """Replace the database, then the uploaded files, with the checked archive's."""
    dump = work / DUMPS[manifest.database]
    if manifest.database == "sqlite":
        sqlite_restore(dump)
    else:
        pg_restore(dump, manifest.tables)
    kept = {name[len(MEDIA) :] for name in manifest.files if name.startswith(MEDIA)}
    for name in list(media_names()):
        default_storage.delete(name)
    for name in sorted(kept):
        with (work / MEDIA / name).open("rb") as handle:
            default_storage.save(name, File(handle, name=Path(name).name))


def tables_now() -> dict[str, int]:
    if database_kind() == "sqlite":
        return sqlite_tables(_sqlite_live())
    return pg_tables()
