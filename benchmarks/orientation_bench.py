# ruff: noqa: E501
"""End-to-end latency of `POST /api/v1/orientations` on a synthetic directory.

Services are placed around the mairies of communes of the four Breton départements drawn at
random (fixed seed), each with one or two categories of the taxonomy, random fees and
modalities; the needs of the evaluation set are then posted from random communes of the same
départements through the whole Django stack (test client, no network).
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta

from .common import django_setup, machine, markers, percentile, publish, quick

NAME = "orientation"
#: The in-process sections before this one may have loaded it; else the runner does.
NEEDS_REFERENCE = True
ORIENT_SERVICES = quick(5000, 300)
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


def measure(env: dict[str, str]) -> dict:
    """Understanding on the labelled needs (engine vs keyword baseline), then the API's
    latency on a synthetic directory."""
    django_setup(env)
    from benchmarks import orientation_eval
    from maillage.orientation import understanding

    print("Orientation : évaluation de la compréhension…", flush=True)
    started = time.perf_counter()
    lexicon = understanding.build_lexicon()
    build_ms = (time.perf_counter() - started) * 1000
    result = orientation_eval.evaluate(lexicon)
    print(f"Orientation : {ORIENT_SERVICES} services synthétiques, API…", flush=True)
    communes = build_directory(ORIENT_SERVICES)
    api = measure_api(orientation_eval.cases(), communes)
    return {"result": result, "build_ms": build_ms, "api": api}


def render(measured: dict) -> str:
    begin, end = markers(NAME)
    result, build_ms = measured["result"], measured["build_ms"]
    figures = result["figures"]
    timings = measured["api"]["timings"]
    found = measured["api"]["found"]

    def pct(value: float) -> str:
        return f"{value:.3f}".replace(".", ",")

    rows = [
        f"| {split} | {f['n']} | **{pct(f['moteur_top1'])}** | **{pct(f['moteur_top3'])}** | "
        f"{pct(f['base_top1'])} | {pct(f['base_top3'])} |"
        for split, f in figures.items()
    ]
    return "\n".join(
        [
            begin,
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
            end,
        ]
    )


def section(env: dict[str, str]) -> None:
    publish(NAME, render(measure(env)))
