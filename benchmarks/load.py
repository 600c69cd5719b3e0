# ruff: noqa: E501
"""Load test: gunicorn with the production settings, on loopback, SQLite then PostgreSQL.

`run(quick=False)` prepares a fresh instance as `docs/deployment.md` describes (reference data,
demo territories and directory, and in full mode the real lieux files of ../shared/data),
starts `gunicorn -c python:config.gunicorn config.wsgi` with `2 × cores + 1` sync workers,
then drives CLIENTS concurrent clients (threads, one HTTP connection per request as sync
workers close them) for 60 s (10 s in quick mode) over a realistic mix: home page, directory
search near a commune, lieu page, `POST /api/v1/orientations`, commune autocomplete,
observatory page, and the framework floor `GET /api/v1/sante` in the same run. It reports
requests per second (and per core, and per CPU-second of the app server), p50/p95/p99 and
errors per kind of request, client side (queueing included) and server side (from
Maillage's request log), and returns a Markdown section for docs/benchmarks.md.

Throttles stay on, with rates far above the bench: every client of the bench is 127.0.0.1,
one address, where real visitors are many (`MAILLAGE_THROTTLE_<SCOPE>=1000000/min`, the way a
deployment raises a limit).

`python -m benchmarks.load [--quick]` runs it alone and prints the section; `section(env)`
is the entry point of the bench runner (`benchmarks/run.py`, section « charge »).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from . import common

ROOT = common.ROOT
BEGIN, END = common.markers("charge")
CLIENTS = 50
PORTS = {"SQLite": 8710, "PostgreSQL": 8711}
SEED = 20261201
# Share of each kind of request in the mix (a public site: autocomplete and searches first).
MIX = {
    "accueil": 10,
    "annuaire": 20,
    "lieu": 20,
    "orientation": 15,
    "autocompletion": 20,
    "observatoire": 5,
    "sante": 10,
}
LABELS = {
    "accueil": "accueil `/`",
    "annuaire": "annuaire près d'une commune `/annuaire/?commune=…`",
    "lieu": "page d'un lieu `/annuaire/lieux/<id>/`",
    "orientation": "`POST /api/v1/orientations`",
    "autocompletion": "autocomplétion `/api/v1/communes?q=`",
    "observatoire": "observatoire `/territoires/<slug>/observatoire/`",
    "sante": "plancher `/api/v1/sante`",
}
THROTTLE_SCOPES = ["api", "api_write", "orientation", "referral", "signalement", "login"]


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def workers() -> int:
    return 2 * cores() + 1  # docs/deployment.md


def percentile(values: list[float], q: float) -> float:
    return common.percentile(values, q) if values else 0.0


def environment(var_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "MAILLAGE_VAR_DIR": str(var_dir),
        "STATIC_ROOT": str(var_dir / "static"),
        "SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on loopback: no TLS proxy in front of the bench.
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "MAILLAGE_MAIL_DISABLED": "1",
        "MAILLAGE_TILE_URL": "",
        "LOG_LEVEL": "INFO",
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    for scope in THROTTLE_SCOPES:
        env[f"MAILLAGE_THROTTLE_{scope.upper()}"] = "1000000/min"
    return env


def manage(env: dict[str, str], *args: str, capture: bool = False) -> str:
    result = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=capture,
        text=True,
    )
    return result.stdout if capture else ""


def prepare(env: dict[str, str], *, national: bool) -> dict:
    """A fresh instance as a first `maillage serve` makes it, plus the real lieux files."""
    started = time.perf_counter()
    manage(env, "serve", "--no-serve", "--no-worker")
    imported = None
    if national and common.DATA.exists():
        imported = json.loads(
            manage(
                env,
                "shell",
                "--no-imports",
                "-c",
                "import json\nfrom benchmarks.directory import national_import\n"
                "print(json.dumps(national_import()))",
                capture=True,
            )
            .strip()
            .splitlines()[-1]
        )
    manage(env, "collectstatic", "--no-input", "-v0")
    targets = json.loads(
        manage(env, "shell", "--no-imports", "-c", TARGETS_SCRIPT, capture=True)
        .strip()
        .splitlines()[-1]
    )
    targets["imported"] = imported
    targets["prepare_s"] = time.perf_counter() - started
    return targets


# What the clients ask for, read from the prepared database.
TARGETS_SCRIPT = """
import json, random
from maillage.directory.models import Lieu
from maillage.territories.models import Commune, Territoire
rng = random.Random(20261201)
communes = list(
    Commune.objects.communes().filter(territoires__isnull=False).distinct()
    .values_list("code", "nom")
)
lieux = list(Lieu.objects.values_list("pk", flat=True))
print(json.dumps({
    "communes": rng.sample(communes, min(400, len(communes))),
    "lieux": rng.sample(lieux, min(2000, len(lieux))),
    "lieux_total": len(lieux),
    "territoires": list(Territoire.objects.values_list("slug", flat=True)),
}))
"""


def needs() -> list[tuple[str, str]]:
    rows = (ROOT / "benchmarks" / "orientation_eval.psv").read_text().splitlines()[1:]
    return [(line.split("|")[0], line.split("|")[2]) for line in rows if line.count("|") == 2]


@dataclass
class Request:
    kind: str
    method: str
    path: str
    body: bytes | None = None


def request_for(kind: str, rng: random.Random, targets: dict, phrases: list) -> Request:
    code, nom = rng.choice(targets["communes"])
    if kind == "accueil":
        return Request(kind, "GET", "/")
    if kind == "annuaire":
        query = {"commune": nom, "rayon_km": rng.choice([10, 20]), "q": ""}
        if rng.random() < 0.5:
            query["q"] = rng.choice(
                ["numérique", "impression 3D", "démarches", "emploi", "internet"]
            )
        return Request(kind, "GET", "/annuaire/?" + urlencode(query))
    if kind == "lieu":
        return Request(kind, "GET", f"/annuaire/lieux/{rng.choice(targets['lieux'])}/")
    if kind == "orientation":
        profil, besoin = rng.choice(phrases)
        body = json.dumps({"besoin": besoin, "profil": profil, "commune": code}).encode()
        return Request(kind, "POST", "/api/v1/orientations", body)
    if kind == "autocompletion":
        return Request(
            kind, "GET", "/api/v1/communes?" + urlencode({"q": nom[: rng.randint(3, 8)]})
        )
    if kind == "observatoire":
        return Request(
            kind, "GET", f"/territoires/{rng.choice(targets['territoires'])}/observatoire/"
        )
    return Request(kind, "GET", "/api/v1/sante")


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, error: str = "") -> None:
        with self.lock:
            if error:
                self.errors[kind][error] += 1
            else:
                self.latencies[kind].append(seconds * 1000)


def call(port: int, request: Request) -> tuple[float, str]:
    started = time.perf_counter()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Accept": "text/html,application/json", "Host": "127.0.0.1"}
        if request.body is not None:
            headers["Content-Type"] = "application/json"
        conn.request(request.method, request.path, body=request.body, headers=headers)
        response = conn.getresponse()
        response.read()
        conn.close()
        error = "" if response.status == 200 else f"HTTP {response.status}"
    except (OSError, http.client.HTTPException) as exc:
        error = type(exc).__name__
    return time.perf_counter() - started, error


def drive(
    port: int, targets: dict, seconds: float, clients: int, seed: int
) -> tuple[Results, float]:
    phrases = needs()
    kinds = [kind for kind, weight in MIX.items() for _ in range(weight)]
    results = Results()
    deadline = time.perf_counter() + seconds

    def client(index: int) -> None:
        rng = random.Random(seed + index)  # noqa: S311 - not for security
        while time.perf_counter() < deadline:
            request = request_for(rng.choice(kinds), rng, targets, phrases)
            elapsed, error = call(port, request)
            results.add(request.kind, elapsed, error)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 120)
    return results, time.perf_counter() - started


def process_cpu(pid: int) -> float:
    """CPU seconds used by `pid` and all its live children (gunicorn's master and workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        this, parent = int(stat.parent.name), int(fields[1])
        if this == pid or parent == pid:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


SERVER_LINE = re.compile(r"maillage\.requests \[[^\]]*\] (\w+) (\S+) (\d{3}) (\d+)ms")


def server_kind(method: str, path: str) -> str | None:
    if method == "POST" and path.startswith("/api/v1/orientations"):
        return "orientation"
    for prefix, kind in [
        ("/api/v1/communes", "autocompletion"),
        ("/api/v1/sante", "sante"),
        ("/annuaire/lieux/", "lieu"),
        ("/annuaire/", "annuaire"),
    ]:
        if path.startswith(prefix):
            return kind
    if path.endswith("/observatoire/"):
        return "observatoire"
    return "accueil" if path == "/" else None


def server_times(log: Path, since: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = defaultdict(list)
    with log.open(errors="replace") as handle:
        handle.seek(since)
        for line in handle:
            if match := SERVER_LINE.search(line):
                kind = server_kind(match.group(1), match.group(2))
                if kind:
                    times[kind].append(float(match.group(4)))
    return times


def wait_ready(port: int, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn s'est arrêté (code {process.returncode})")
        _, error = call(port, Request("sante", "GET", "/api/v1/sante"))
        if not error:
            return
        time.sleep(0.5)
    raise TimeoutError("gunicorn ne répond pas")


def measure(name: str, env: dict[str, str], targets: dict, seconds: float) -> dict:
    port = PORTS[name]
    log = Path(env["MAILLAGE_VAR_DIR"]) / "gunicorn.log"
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    with log.open("w") as out:
        server = subprocess.Popen(  # noqa: S603 - our own server
            [gunicorn, "-c", "python:config.gunicorn", "config.wsgi"]
            + ["--bind", f"127.0.0.1:{port}", "--workers", str(workers())],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_ready(port, server)
        drive(port, targets, min(5.0, seconds), 10, SEED - 1)  # warm every worker's caches
        since = log.stat().st_size
        load_before, cpu_before = os.getloadavg()[0], process_cpu(server.pid)
        results, elapsed = drive(port, targets, seconds, CLIENTS, SEED)
        cpu = process_cpu(server.pid) - cpu_before
        load_after = os.getloadavg()[0]
        time.sleep(1)  # the last log lines
        server_side = server_times(log, since)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    total = sum(len(v) for v in results.latencies.values())
    errors = sum(sum(e.values()) for e in results.errors.values())
    return {
        "elapsed": elapsed,
        "requests": total,
        "errors": errors,
        "rps": (total + errors) / elapsed,
        "cpu_s": cpu,
        "load": (load_before, load_after),
        "kinds": {
            kind: {
                "count": len(results.latencies.get(kind, [])),
                "p50": percentile(results.latencies.get(kind, []), 50),
                "p95": percentile(results.latencies.get(kind, []), 95),
                "p99": percentile(results.latencies.get(kind, []), 99),
                "server_p50": percentile(server_side.get(kind, []), 50),
                "server_p95": percentile(server_side.get(kind, []), 95),
                "server_total_s": sum(server_side.get(kind, [])) / 1000,
                "errors": dict(results.errors.get(kind, {})),
            }
            for kind in MIX
        },
        "all": {
            "p50": percentile([v for vs in results.latencies.values() for v in vs], 50),
            "p95": percentile([v for vs in results.latencies.values() for v in vs], 95),
            "p99": percentile([v for vs in results.latencies.values() for v in vs], 99),
        },
    }


def render(results: dict[str, dict], targets: dict[str, dict], seconds: float, quick: bool) -> str:
    n = cores()
    lines = [
        BEGIN,
        "### Charge : gunicorn et réglages de production, SQLite et PostgreSQL",
        "",
        f"- Date : {datetime.now(UTC):%Y-%m-%d %H:%M} UTC{' (mode rapide)' if quick else ''}",
        f"- Machine : {common.machine()} ; le générateur de charge tourne sur les mêmes cœurs.",
        f"- Serveur : `gunicorn -c python:config.gunicorn config.wsgi`, {workers()} workers sync "
        f"(2 × cœurs + 1), `config.settings.prod` sur la boucle locale (HTTP, sans Redis : cache local).",
        f"- Charge : {CLIENTS} clients simultanés pendant {seconds:.0f} s, une connexion par requête ; "
        "mélange " + ", ".join(f"{LABELS[k].split(' `')[0]} {w} %" for k, w in MIX.items()) + ".",
        "- Débits limités à 1 000 000/min par portée (`MAILLAGE_THROTTLE_<PORTÉE>`) : tous les clients "
        "du banc sont 127.0.0.1 ; les compteurs tournent quand même.",
    ]
    for name, target in targets.items():
        imported = target.get("imported")
        lines.append(
            f"- {name} : {target['lieux_total']:,} lieux".replace(",", " ")
            + (
                f" (dont {imported['created']:,} des fichiers réels de `../shared/data`)".replace(
                    ",", " "
                )
                if imported
                else " (annuaire de démonstration)"
            )
            + f", préparation {target['prepare_s']:.0f} s."
        )
    lines += [
        "",
        "| base | requêtes | erreurs | req/s | req/s par cœur | req par seconde-CPU du serveur | p50 | **p95** | p99 | charge (avant → après) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['requests']:,} | {r['errors']} | {r['rps']:.0f} | {r['rps'] / n:.0f} | "
            f"{r['requests'] / max(r['cpu_s'], 1e-9):.0f} | {r['all']['p50']:.0f} ms | **{r['all']['p95']:.0f} ms** | "
            f"{r['all']['p99']:.0f} ms | {r['load'][0]:.1f} → {r['load'][1]:.1f} |".replace(
                ",", " "
            )
        )
    for name, r in results.items():
        lines += [
            "",
            f"{name}, par type de requête (côté client : attente comprise ; côté serveur : journal `maillage.requests`) :",
            "",
            "| requête | nombre | p50 | **p95** | p99 | serveur p50 | serveur p95 | part du temps serveur | erreurs |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        busy = sum(k["server_total_s"] for k in r["kinds"].values()) or 1
        for kind, k in r["kinds"].items():
            errors = ", ".join(f"{e} × {c}" for e, c in k["errors"].items()) or "0"
            lines.append(
                f"| {LABELS[kind]} | {k['count']} | {k['p50']:.0f} ms | **{k['p95']:.0f} ms** | {k['p99']:.0f} ms | "
                f"{k['server_p50']:.0f} ms | {k['server_p95']:.0f} ms | {100 * k['server_total_s'] / busy:.0f} % | {errors} |"
            )
    lines.append(END)
    return "\n".join(lines)


def run(quick: bool = False) -> str:
    """Both databases, one after the other; the Markdown section of docs/benchmarks.md."""
    seconds = 10.0 if quick else 60.0
    results: dict[str, dict] = {}
    targets: dict[str, dict] = {}
    pg_url = common.postgres_database()
    for name, url in [("SQLite", None), ("PostgreSQL", pg_url)]:
        if name == "PostgreSQL" and not url:
            continue
        var_dir = Path(tempfile.mkdtemp(prefix="maillage-charge-"))
        try:
            env = environment(var_dir, url)
            print(f"Charge, {name} : préparation de l'instance…", flush=True)
            targets[name] = prepare(env, national=not quick)
            print(f"Charge, {name} : {CLIENTS} clients pendant {seconds:.0f} s…", flush=True)
            results[name] = measure(name, env, targets[name], seconds)
        finally:
            shutil.rmtree(var_dir, ignore_errors=True)
            if name == "PostgreSQL" and url:
                common.drop_postgres(url)
    return render(results, targets, seconds, quick)


def section(env: dict[str, str]) -> None:
    """The bench runner's entry point: run, then replace the section in docs/benchmarks.md."""
    common.publish("charge", run(quick=common.QUICK))


if __name__ == "__main__":
    print(run(quick="--quick" in sys.argv))
