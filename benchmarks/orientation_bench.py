"""End-to-end latency of `POST /api/v1/orientations` on a synthetic directory.

Services are placed around the mairies of communes of the four Breton départements drawn at
random (fixed seed), each with one or two categories of the taxonomy, random fees and
modalities; the needs of the evaluation set are then posted from random communes of the same
départements through the whole Django stack (test client, no network).
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta

SEED = 20261127
DEPARTEMENTS = ("22", "29", "35", "56")


def build_directory(count: int) -> list[str]:
    """Create `count` services; return the INSEE codes the needs will be posted from."""
    from maillage.directory.models import Categorie, Lieu, Service, Structure
    from maillage.territories.models import Commune

    rng = random.Random(SEED)  # noqa: S311 - not for security
    communes = list(
        Commune.objects.communes()
        .filter(departement__code__in=DEPARTEMENTS, mairie_latitude__isnull=False)
        .values_list("pk", "code", "mairie_latitude", "mairie_longitude")
        .order_by("code")
    )
    categories = list(Categorie.objects.values_list("pk", flat=True).order_by("pk"))
    structures = Structure.objects.bulk_create(
        [Structure(nom=f"Structure {i}") for i in range(count)]
    )
    lieux = []
    for i, structure in enumerate(structures):
        pk, _code, lat, lon = rng.choice(communes)
        lieux.append(
            Lieu(
                structure=structure,
                nom=f"Lieu {i}",
                adresse="1 place de la Mairie",
                code_postal="29000",
                commune_id=pk,
                latitude=lat + rng.uniform(-0.01, 0.01),
                longitude=lon + rng.uniform(-0.01, 0.01),
                placement="source",
                horaires=rng.choice(["Mo-Fr 09:00-17:00", "Mo-Sa 09:00-12:00", ""]),
                date_maj=date(2026, 11, 1) - timedelta(days=rng.randint(0, 1500)),
            )
        )
    lieux = Lieu.objects.bulk_create(lieux)
    services = Service.objects.bulk_create(
        [
            Service(
                structure=lieu.structure,
                nom=f"Service {i}",
                frais=[rng.choice(["gratuit", "payant", "sous_conditions"])],
                modalites=rng.choice([["presentiel"], ["presentiel", "a_distance"]]),
                publics=rng.choice([[], [], ["Entreprises"], ["Associations"], ["Seniors"]]),
            )
            for i, lieu in enumerate(lieux)
        ]
    )
    Service.lieux.through.objects.bulk_create(
        [
            Service.lieux.through(service_id=s.pk, lieu_id=lieu.pk)
            for s, lieu in zip(services, lieux, strict=True)
        ]
    )
    Service.categories.through.objects.bulk_create(
        [
            Service.categories.through(service_id=s.pk, categorie_id=c)
            for s in services
            for c in rng.sample(categories, rng.choice([1, 2]))
        ]
    )
    return [code for _, code, _, _ in communes]


def measure_api(needs: list[tuple[str, str, str]], communes: list[str]) -> dict[str, object]:
    from django.test import Client

    rng = random.Random(SEED)  # noqa: S311 - not for security
    client = Client()
    timings: list[float] = []
    found: list[int] = []
    for round_ in range(2):  # the first round warms the lexicon and the connection
        for profil, _expected, text in needs:
            body = {"besoin": text, "profil": profil, "commune": rng.choice(communes)}
            started = time.perf_counter()
            response = client.post("/api/v1/orientations", body, content_type="application/json")
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"{text!r} : HTTP {response.status_code}")
            if round_:
                timings.append(elapsed)
                found.append(len(response.json()["resultats"]))
    return {"timings": timings, "found": found}
