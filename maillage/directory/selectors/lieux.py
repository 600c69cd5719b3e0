"""Reads of lieux: the public lieu page and the open-data export."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from maillage.territories.models import Territoire

from .. import opening_hours
from ..enums import Famille
from ..models import Lieu, Service, SourceRecord
from ..opendata import LieuExport

# A commune's contour is a large JSON document: never read it along with a lieu.
COMMUNE_HEAVY = ("commune__contour",)


def lieux_in(territoire: Territoire | None = None) -> QuerySet[Lieu]:
    lieux = Lieu.objects.all()
    if territoire is not None:
        lieux = lieux.filter(commune__territoires=territoire)
    return lieux


def lieux_export(territoire: Territoire | None = None) -> Iterator[LieuExport]:
    """Every lieu (of a territory) with what the national schema needs, in stable order."""
    lieux = (
        lieux_in(territoire)
        .select_related("structure", "commune")
        .defer(*COMMUNE_HEAVY)
        .prefetch_related(
            Prefetch(
                "services",
                queryset=Service.objects.prefetch_related("categories").order_by("pk"),
            ),
            Prefetch(
                "source_records",
                queryset=SourceRecord.objects.select_related("source").order_by("pk"),
            ),
        )
        .order_by("pk")
    )
    for lieu in lieux.iterator(chunk_size=2000):
        services = list(lieu.services.all())
        categories = [
            c.libelle
            for service in services
            for c in service.categories.all()
            if c.famille == Famille.INCLUSION
        ]
        records = list(lieu.source_records.all())
        yield LieuExport(
            id=f"maillage-lieu-{lieu.pk}",
            pivot=lieu.structure.pivot,
            nom=lieu.nom,
            commune=lieu.commune.nom,
            code_postal=lieu.code_postal,
            code_insee=lieu.commune.code,
            adresse=lieu.adresse,
            complement_adresse=lieu.complement_adresse,
            latitude=lieu.latitude,
            longitude=lieu.longitude,
            date_maj=lieu.date_maj,
            typologie=lieu.structure.typologie,
            telephone=lieu.telephone,
            courriels=lieu.courriels,
            sites_web=lieu.sites_web,
            horaires=lieu.horaires,
            presentation_resume=lieu.presentation_resume,
            presentation_detail=lieu.presentation_detail,
            source=records[0].source.nom if records else "Maillage",
            itinerant=lieu.itinerant,
            structure_parente=lieu.structure.structure_parente,
            services=categories,
            publics=[p for s in services for p in s.publics],
            prise_en_charge=lieu.prise_en_charge,
            frais=[f for s in services for f in s.frais],
            dispositifs=lieu.dispositifs,
            formations_labels=lieu.formations_labels,
            modalites_acces=lieu.modalites_acces,
            modalites_accompagnement=[m for s in services for m in s.modalites_accompagnement],
            fiche_acces_libre=lieu.fiche_acces_libre,
            prise_rdv=lieu.prise_rdv,
        )


def lieux_opendata(fmt: str, territoire: Territoire | None = None) -> str:
    from ..opendata import WRITERS, to_row

    return WRITERS[fmt](to_row(lieu) for lieu in lieux_export(territoire))


# --- Lieu page ---------------------------------------------------------------------------

COMPLETENESS_FIELDS = (
    ("horaires", "horaires"),
    ("telephone", "téléphone"),
    ("courriels", "e-mail"),
    ("sites_web", "site internet"),
    ("presentation_detail", "présentation"),
    ("fiche_acces_libre", "accessibilité"),
    ("modalites_acces", "modalités d'accès"),
)


def lieu_details(lieu: Lieu) -> dict[str, object]:
    """What the lieu page shows beyond the lieu itself."""
    services = list(lieu.services.prefetch_related("categories").order_by("nom"))
    records = list(lieu.source_records.select_related("source").order_by("-date_maj"))
    missing = [label for name, label in COMPLETENESS_FIELDS if not getattr(lieu, name)]
    if lieu.placement == "mairie":
        missing.append("position exacte")
    filled = len(COMPLETENESS_FIELDS) + 1 - len(missing)
    week = opening_hours.parse(lieu.horaires) if lieu.horaires else None
    return {
        "services": services,
        "sources": records,
        "week": week.table() if week and any(week.days) else None,
        "open_now": week.is_open(timezone.localtime()) if week else None,
        "completeness": round(100 * filled / (len(COMPLETENESS_FIELDS) + 1)),
        "missing": missing,
    }
