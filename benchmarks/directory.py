# ruff: noqa: E501
"""Directory benchmark: national import time, then search over 100,000 services.

Run by `benchmarks.run` in a fresh database (SQLite, and PostgreSQL when it answers):
1. import every real lieux file of ../shared/data that follows the national standard,
   timed (the "full national import");
2. grow the directory to 100,000 services with synthetic copies of the real ones spread
   over France (a real lieu's services and texts, placed at a random commune's mairie);
3. `GET /api/v1/services` with text + category facet + radius, against the same request
   without text and the health endpoint (the framework's floor), in the same run.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime

from .common import (
    DATA,
    drop_postgres,
    fresh_env,
    machine,
    markers,
    postgres_database,
    publish,
    quick,
    summary,
    worker_json,
)

NAME = "annuaire"
#: Why the section cannot run without the real files (printed when they are absent).
NEEDS_DATA = "l'import national et les services copiés viennent des fichiers réels"
#: `benchmarks.run --worker annuaire` runs `run()` in a fresh database, demo not loaded.
WORKER_DEMO = False
SEED = 20261122
TARGET = quick(100_000, 3_000)
QUERIES = quick(300, 30)
FILES = [
    "lamednum-standard-mediation-num/exemple-valide.csv",
    "anct-client-application/20230711-charente-lieux-de-mediation-numeriques-nouvelle-aquitaine.json",
    "anct-client-application/20230517-hub-du-sud-lieux-de-mediation-numeriques-provence-alpes-cote-d-azur.json",
    "anct-client-application/20231003-bus-france-services-en-charente-lieux-de-mediation-numeriques-nouvelle-aquitaine.json",
    "anct-client-application/lieux-de-mediation-numerique.cnfs.json",
    "anct-client-application/lieux-de-mediation-numerique.back.json",
    "anct-client-application/lieux-cnfs-idf.json",
    "anct-client-application/source.json",
    "anct-mednum-cli/input/cnfs.json",
]


def national_import() -> dict:
    from maillage.directory.imports.lieux import lieux_import

    started = time.perf_counter()
    rows = created = rejected = 0
    files = 0
    for path in FILES[: quick(len(FILES), 2)]:  # --quick: the two smallest files
        file = DATA / path
        if not file.exists():
            continue
        result = lieux_import(data=file.read_bytes(), filename=file.name, source_name=path)
        rows += result.run.counts["lignes"]
        created += result.created
        rejected += result.rejected
        files += 1
    return {
        "files": files,
        "rows": rows,
        "created": created,
        "rejected": rejected,
        "seconds": time.perf_counter() - started,
    }


def grow(target: int = TARGET) -> float:
    """Copies of real services at random communes until `target` services exist."""
    from django.db import transaction

    from maillage.directory.enums import Placement
    from maillage.directory.models import Lieu, Service, Structure
    from maillage.directory.services import services_reindex
    from maillage.territories.models import Commune

    started = time.perf_counter()
    rng = random.Random(SEED)  # noqa: S311 - not for security
    templates = list(
        Service.objects.select_related("structure").prefetch_related("categories", "lieux")
    )
    communes = list(
        Commune.objects.communes()
        .exclude(mairie_latitude=None)
        .values_list("pk", "code", "mairie_latitude", "mairie_longitude")
    )
    through_categories = Service.categories.through
    through_lieux = Service.lieux.through
    missing = target - Service.objects.count()
    while missing > 0:
        batch = min(5000, missing)
        with transaction.atomic():
            picks = [(rng.choice(templates), rng.choice(communes)) for _ in range(batch)]
            structures = Structure.objects.bulk_create(
                [Structure(nom=t.structure.nom, typologie=t.structure.typologie) for t, _ in picks]
            )
            lieux = Lieu.objects.bulk_create(
                [
                    Lieu(
                        structure=structure,
                        nom=template.structure.nom,
                        adresse="Adresse de démonstration",
                        code_postal="00000",
                        commune_id=commune[0],
                        latitude=commune[2] + rng.uniform(-0.01, 0.01),
                        longitude=commune[3] + rng.uniform(-0.01, 0.01),
                        placement=Placement.MAIRIE,
                        horaires="Mo-Fr 09:00-12:00,14:00-17:00",
                        date_maj="2024-01-01",
                    )
                    for structure, (template, commune) in zip(structures, picks, strict=True)
                ]
            )
            services = Service.objects.bulk_create(
                [
                    Service(
                        structure=structure,
                        nom=template.nom,
                        description=template.description,
                        frais=template.frais,
                        modalites=template.modalites,
                        publics=template.publics,
                    )
                    for structure, (template, _) in zip(structures, picks, strict=True)
                ]
            )
            through_lieux.objects.bulk_create(
                [
                    through_lieux(service_id=service.pk, lieu_id=lieu.pk)
                    for service, lieu in zip(services, lieux, strict=True)
                ]
            )
            through_categories.objects.bulk_create(
                [
                    through_categories(service_id=service.pk, categorie_id=categorie.pk)
                    for service, (template, _) in zip(services, picks, strict=True)
                    for categorie in template.categories.all()
                ]
            )
            services_reindex([s.pk for s in services])
        missing -= batch
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would after such a load
    return time.perf_counter() - started


def build_requests(rng: random.Random) -> list[dict]:
    """Queries people would type: a real service's category with one of that category's
    example words or a word of a real service's own text, around a place that has lieux
    (half the time) or any commune's mairie, within 10, 20 or 30 km."""
    from maillage.directory import fulltext
    from maillage.directory.models import Lieu, Service
    from maillage.territories.models import Commune

    real = list(
        Service.objects.filter(source_records__isnull=False)
        .prefetch_related("categories")
        .distinct()[:3000]
    )
    real = [s for s in real if s.categories.all()]
    lived = list(
        Lieu.objects.filter(source_records__isnull=False).values_list("latitude", "longitude")
    )
    centres = list(
        Commune.objects.communes()
        .exclude(mairie_latitude=None)
        .values_list("mairie_latitude", "mairie_longitude")
    )
    requests = []
    while len(requests) < QUERIES:
        template = rng.choice(real)
        categorie = rng.choice(list(template.categories.all()))
        if rng.random() < 0.5:
            pool = [w.strip() for w in categorie.exemples.split(";") if w.strip()]
        else:
            text = f"{template.nom} {template.description}"
            pool = [w for w in text.split() if len(fulltext.tokens(w)) == 1 and len(w) >= 5]
        if not pool:
            continue
        lat, lon = rng.choice(lived) if rng.random() < 0.5 else rng.choice(centres)
        requests.append(
            {
                "q": rng.choice(pool),
                "categorie": categorie.code,
                "lat": f"{lat:.5f}",
                "lon": f"{lon:.5f}",
                "rayon_km": rng.choice([10, 20, 30]),
            }
        )
    return requests


def measure() -> dict:
    from django.test import Client

    from maillage.directory.models import Service

    rng = random.Random(SEED)  # noqa: S311
    requests = build_requests(rng)
    client = Client()
    for params in requests[:20]:
        client.get("/api/v1/services", params)
    full, radius_only, floor, counts = [], [], [], []
    for params in requests:
        started = time.perf_counter()
        response = client.get("/api/v1/services", params)
        full.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{params}: HTTP {response.status_code}")
        counts.append(response.json()["count"])
        plain = {k: v for k, v in params.items() if k in ("lat", "lon", "rayon_km")}
        started = time.perf_counter()
        client.get("/api/v1/services", plain)
        radius_only.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        client.get("/api/v1/sante")
        floor.append((time.perf_counter() - started) * 1000)
    counts.sort()
    return {
        "services": Service.objects.count(),
        "full": summary(full),
        "radius": summary(radius_only),
        "floor": summary(floor),
        "median_count": counts[len(counts) // 2],
        "p90_count": counts[int(len(counts) * 0.9)],
        "empty": sum(1 for c in counts if c == 0),
        "examples": requests[:3],
    }


def run() -> dict:
    """The whole directory benchmark in the current (fresh) database."""
    imported = national_import()
    grow_s = grow()
    result = measure()
    return {"import": imported, "grow_s": grow_s, **result}


def render(results: dict[str, dict]) -> str:
    begin, end = markers(NAME)
    lines = [
        begin,
        "### Annuaire : import national et recherche sur 100 000 services",
        "",
        f"- Date : {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine : {machine()}",
        "- Données : les fichiers réels au schéma national de `../shared/data` (liste dans",
        "  `benchmarks/directory.py`), puis des copies synthétiques de leurs services placées",
        "  aux mairies de communes tirées au hasard jusqu'à 100 000 services.",
        f"- Requêtes : {QUERIES} × `GET /api/v1/services` avec texte + catégorie + rayon, par",
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
        end,
    ]
    return "\n".join(lines)


def section(env: dict[str, str]) -> None:
    """The worker on SQLite, then on PostgreSQL when a local server answers."""
    results: dict[str, dict] = {}
    print(f"Annuaire sur SQLite (import, {TARGET:,} services, requêtes)…", flush=True)
    if (result := worker_json(fresh_env(env), NAME)) is not None:
        results["SQLite"] = result
    pg = postgres_database()
    if pg is None:
        print("Annuaire : PostgreSQL ne répond pas, mesure sur SQLite seulement.", flush=True)
    else:
        print("Annuaire sur PostgreSQL…", flush=True)
        try:
            if (result := worker_json({**env, "DATABASE_URL": pg}, NAME)) is not None:
                results["PostgreSQL"] = result
        finally:
            drop_postgres(pg)
    publish(NAME, render(results))
