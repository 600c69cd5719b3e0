"""What every benchmark section shares: paths, the real data folder, percentiles, the
machine's description, fresh databases, subprocess workers and the docs/benchmarks.md
markers.

`MAILLAGE_BENCH_DATA_DIR` points the benchmarks at another copy of the real datasets
(default `../shared/data`); pointing it at a missing folder shows what runs without them.
`MAILLAGE_BENCH_QUICK=1` (`benchmarks.run --quick`) runs every section on small sizes to
check it still works, and writes nothing to docs/benchmarks.md.
"""

from __future__ import annotations

import json
import os
import platform
import secrets
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
DATA = Path(os.environ.get("MAILLAGE_BENCH_DATA_DIR") or ROOT.parent / "shared" / "data")
QUICK = os.environ.get("MAILLAGE_BENCH_QUICK") == "1"


def quick(full: int, small: int) -> int:
    """`full` in a real run, `small` with --quick."""
    return small if QUICK else full


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(samples_ms: list[float]) -> dict[str, float]:
    return {
        "p50": percentile(samples_ms, 50),
        "p95": percentile(samples_ms, 95),
        "p99": percentile(samples_ms, 99),
        "mean": statistics.fmean(samples_ms),
    }


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cœurs, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.release()}"
    )


def fr(value: float, digits: int = 2) -> str:
    """A figure the French way: narrow no-break space for thousands, decimal comma."""
    return f"{value:,.{digits}f}".replace(",", "\u202f").replace(".", ",")


def markers(name: str) -> tuple[str, str]:
    """The comments around section `name` in docs/benchmarks.md."""
    return f"<!-- bench:{name}:begin -->", f"<!-- bench:{name}:end -->"


def publish(name: str, section: str) -> None:
    """Print the section and, unless --quick, replace it between its markers in the doc."""
    print(section, flush=True)
    if QUICK:
        print(f"(--quick : section « {name} » non écrite dans docs/benchmarks.md)", flush=True)
        return
    begin, end = markers(name)
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    if begin in text and end in text:
        before, rest = text.split(begin, 1)
        text = before + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    DOC.write_text(text)


def fresh_env(env: dict[str, str]) -> dict[str, str]:
    """`env` with its own new var/ folder, hence its own empty SQLite database."""
    return {**env, "MAILLAGE_VAR_DIR": tempfile.mkdtemp(prefix="maillage-bench-")}


def manage(env: dict[str, str], *args: str) -> None:
    """`manage.py ARGS…` in a subprocess, as a user runs it."""
    command = [sys.executable, str(ROOT / "manage.py"), *args]
    subprocess.run(command, env=env, check=True, cwd=ROOT)  # noqa: S603


def load_reference(env: dict[str, str], *, passes: int = 1) -> list[float]:
    """Migrate, then `load_reference` `passes` times (wall-clock of each), the taxonomy and
    the demo territories."""
    manage(env, "migrate", "-v0")
    timings = []
    for _ in range(passes):
        started = time.perf_counter()
        manage(env, "load_reference", "-v0")
        timings.append(time.perf_counter() - started)
    manage(env, "load_taxonomie", "-v0")
    manage(env, "load_demo", "-v0")
    return timings


def django_setup(env: dict[str, str]) -> None:
    """Django in this process, on the database of `env` (once per process)."""
    os.environ.update(env)
    import django

    django.setup()


def worker_json(env: dict[str, str], name: str) -> dict | None:
    """Run the worker benchmark `name` (`benchmarks.run --worker`) in a subprocess on the
    database of `env`; its JSON, or None if it failed (its error printed)."""
    completed = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "benchmarks.run", "--worker", name],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        print(completed.stderr[-3000:], file=sys.stderr)
        return None
    return json.loads(completed.stdout.strip().splitlines()[-1])


def postgres_database() -> str | None:
    """A fresh PostgreSQL database for a benchmark, when the local server answers."""
    url = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname, parts.port or 5432), timeout=2).close()
    except OSError:
        return None
    name = f"maillage_bench_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


def drop_postgres(url: str) -> None:
    parts = urlsplit(url)
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path[1:]}" WITH (FORCE)')
