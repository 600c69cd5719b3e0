"""Observatory API: indicators per commune and the maillage planner."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from maillage.territories.api import CommuneOut
from maillage.territories.models import Territoire

from . import selectors
from .plans import limits
from .plans.compute import PlanError, plan_compute

router = Router(tags=["observatoire"])


class PlanIn(Schema):
    territoire: str = Field(description="Identifiant du territoire, ou `france`")
    categorie: str = Field(description="Code de catégorie de la taxonomie")
    sites: int = Field(description=f"Nombre de sites à ouvrir (1 à {limits.SYNC_MAX_SITES})")
    rayon_km: float = Field(description="Rayon de couverture, à vol d'oiseau (km)")
    exact: bool = Field(
        False,
        description=f"Optimum exact (HiGHS, {limits.SYNC_EXACT_TIME_LIMIT_S:.0f} s au plus)",
    )
    candidats: str = Field(
        limits.CANDIDATES_MAIRIES,
        description=(
            "`mairies`, `communes`, ou une liste de communes du territoire (codes INSEE ou "
            "noms) séparés par des virgules"
        ),
    )
    itinerant: bool = Field(False, description="Arrêts d'un service itinérant")


class SiteOut(Schema):
    commune: str
    nom: str
    latitude: float
    longitude: float
    population_gagnee: int


class PlanOut(Schema):
    territoire: str
    categorie: str
    rayon_km: float
    methode: str = Field(description="`glouton` ou `exact`")
    sites: list[SiteOut] = Field(description="Dans l'ordre du choix")
    population_totale: int
    population_couverte_avant: int
    population_couverte_apres: int
    borne_superieure: int = Field(
        description="Aucun choix de K sites ne couvre plus d'habitants que cette borne"
    )
    optimal: bool
    communes_ignorees: int = Field(description="Communes sans position ou sans population")
    mode: str | None = Field(None, description="`itinerant` pour un service itinérant")
    tournee: list[str] | None = Field(None, description="Ordre de passage des arrêts")
    longueur_tournee_km: float | None = None
    duree_s: float


class ErrorOut(Schema):
    detail: str


@router.post(
    "/plans",
    response={200: PlanOut, 404: ErrorOut, 422: ErrorOut},
    exclude_none=True,
    summary="Planifier les prochains sites du maillage",
    description=(
        "Choisit K sites parmi les candidats pour couvrir le plus d'habitants à moins de R km "
        "d'un lieu offrant la catégorie, compte tenu des lieux existants. Calcul synchrone : "
        f"au plus {limits.SYNC_MAX_SITES} sites, {limits.SYNC_EXACT_TIME_LIMIT_S:.0f} s pour "
        "l'exact."
    ),
)
def plan_create(request: HttpRequest, payload: PlanIn) -> Status[PlanOut] | Status[ErrorOut]:
    # The page and the command share plan_compute; the API adds the synchronous limits.
    try:
        result = plan_compute(
            territoire=payload.territoire,
            categorie=payload.categorie,
            sites=payload.sites,
            rayon_km=payload.rayon_km,
            exact=payload.exact,
            candidats=payload.candidats,
            itinerant=payload.itinerant,
            max_sites=limits.SYNC_MAX_SITES,
            time_limit_s=limits.SYNC_EXACT_TIME_LIMIT_S,
        )
    except PlanError as exc:
        return Status(exc.status, ErrorOut(detail=exc.message))
    return Status(200, PlanOut(**result))


class IndicateurValeurOut(Schema):
    code: str = Field(description="`population`, `distance-plus-proche:<categorie>`, …")
    libelle: str
    valeur: float
    unite: str
    source: str
    date: datetime.date = Field(description="Date de la valeur (instantané le plus récent)")
    origine: str = Field(description="`calcule` ou `importe`")
    mediane_nationale: float | None = Field(
        description="Médiane sur toutes les communes à la même date"
    )
    mediane_territoire: float | None = Field(
        None, description="Médiane sur les communes du territoire demandé, à la même date"
    )


class CommuneIndicateursOut(Schema):
    commune: CommuneOut
    indicateurs: list[IndicateurValeurOut]


@router.get(
    "/communes/{code}/indicateurs",
    response={200: CommuneIndicateursOut, 404: ErrorOut},
    summary="Indicateurs d'une commune",
)
def commune_indicateurs(
    request: HttpRequest, code: str, territoire: str = ""
) -> Status[CommuneIndicateursOut] | Status[ErrorOut]:
    """Dernière valeur de chaque indicateur (calculé ou importé) pour la commune, avec la
    médiane nationale et, avec `?territoire=SLUG`, la médiane du territoire."""
    commune = selectors.commune_for_indicators(code)
    if commune is None:
        return Status(404, ErrorOut(detail=f"Commune inconnue : « {code} »."))
    rows = selectors.commune_indicators(commune)
    if territoire:
        found = Territoire.objects.filter(slug=territoire).first()
        if found is None:
            return Status(404, ErrorOut(detail=f"Territoire inconnu : « {territoire} »."))
        medians = selectors.territoire_medians(found, {r["code"]: r["date"] for r in rows})
        for row in rows:
            row["mediane_territoire"] = medians.get(row["code"])
    return Status(
        200,
        CommuneIndicateursOut(
            commune=CommuneOut.from_commune(commune),
            indicateurs=[IndicateurValeurOut(**row) for row in rows],
        ),
    )
