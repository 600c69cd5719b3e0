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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
SEED = 20261122
TARGET = 100_000
QUERIES = 300
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
    for path in FILES:
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

    from .run import summary

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
