"""Territories API: commune autocomplete, territories and their maps."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import cache_control
from ninja import Field, Query, Router, Schema, Status

from maillage.accounts.permissions import can_administer_territoire
from maillage.api.auth import session_auth
from maillage.core.api import TaskOut

from . import selectors
from .models import Commune, Territoire
from .tasks import territoire_refresh_task

router = Router(tags=["territoires"])


class CommuneOut(Schema):
    code: str = Field(description="Code INSEE")
    nom: str
    type: str = Field(description="COM, ARM…")
    codes_postaux: list[str]
    departement: str | None = Field(description="Code du département")
    departement_nom: str | None
    population: int | None = Field(description="Population municipale")
    latitude: float | None
    longitude: float | None

    @staticmethod
    def from_commune(commune: Commune) -> CommuneOut:
        departement = commune.departement
        return CommuneOut(
            code=commune.code,
            nom=commune.nom,
            type=commune.type,
            codes_postaux=commune.codes_postaux,
            departement=departement.code if departement else None,
            departement_nom=departement.nom if departement else None,
            population=commune.population,
            latitude=commune.latitude,
            longitude=commune.longitude,
        )


class CommuneSearchOut(Schema):
    q: str
    count: int = Field(description="Nombre de résultats renvoyés")
    results: list[CommuneOut]


class CommuneSearchIn(Schema):
    q: str = Field("", description="Nom (même partiel, sans accents) ou code postal")
    limit: int = Field(10, ge=1, le=50)


@router.get("/communes", response=CommuneSearchOut, summary="Rechercher une commune")
def communes_search(request: HttpRequest, filters: Query[CommuneSearchIn]) -> CommuneSearchOut:
    """Autocomplétion par nom ou code postal, meilleure correspondance d'abord."""
    communes = selectors.commune_search(filters.q, limit=filters.limit)
    return CommuneSearchOut(
        q=filters.q,
        count=len(communes),
        results=[CommuneOut.from_commune(c) for c in communes],
    )


class TerritoireOut(Schema):
    slug: str
    nom: str
    nature: str
    population: int
    nombre_communes: int
    epci: list[str] = Field(description="Codes SIREN des EPCI de la définition")
    departements: list[str]
    regions: list[str]

    @staticmethod
    def from_territoire(territoire: Territoire) -> TerritoireOut:
        return TerritoireOut(
            slug=territoire.slug,
            nom=territoire.nom,
            nature=territoire.kind,
            population=territoire.population,
            nombre_communes=territoire.commune_count,
            epci=territoire.epci_codes,
            departements=territoire.departement_codes,
            regions=territoire.region_codes,
        )


@router.get("/territoires", response=list[TerritoireOut], summary="Lister les territoires")
def territoires_list(request: HttpRequest) -> list[TerritoireOut]:
    return [TerritoireOut.from_territoire(t) for t in selectors.territoire_list()]


@router.get("/territoires/{slug}", response=TerritoireOut, summary="Un territoire")
def territoire_detail(request: HttpRequest, slug: str) -> TerritoireOut:
    return TerritoireOut.from_territoire(selectors.territoire_get(slug))


@router.get(
    "/territoires/{slug}/communes.geojson",
    summary="Contours des communes d'un territoire (GeoJSON)",
    response={200: dict},
)
@cache_control(public=True, max_age=3600)
def territoire_communes_geojson(request: HttpRequest, slug: str) -> HttpResponse:
    territoire = selectors.territoire_get(slug)
    return JsonResponse(
        selectors.territoire_geojson(territoire), content_type="application/geo+json"
    )


@router.post(
    "/territoires/{slug}/recalcul",
    response={202: TaskOut},
    auth=session_auth,
    summary="Recalculer les communes et la population d'un territoire (tâche de fond)",
)
def territoire_recalcul(request: HttpRequest, slug: str) -> Status[TaskOut]:
    territoire = selectors.territoire_get(slug)
    if not can_administer_territoire(request.user, territoire):
        raise PermissionDenied
    result = territoire_refresh_task.enqueue(territoire.slug)
    return Status(202, TaskOut.from_result(result))
