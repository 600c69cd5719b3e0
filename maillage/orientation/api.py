"""Orientation API: say a need in your own words, get categories and nearby services.

The answer's schemas (`OrientationOut` and its parts) are the engine's own return types,
in `answer.py`; this module holds the input schemas and the endpoints."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from .answer import CategorieOut, OrientationOut
from .engine import OrientationError, need_categories, orientation_answer
from .enums import DemandChannel
from .services import record_demand

router = Router(tags=["orientation"])


class ContraintesIn(Schema):
    rayon_km: float | None = Field(
        None, description="Rayon autour de la mairie (km), 15 par défaut"
    )
    gratuit: bool | None = Field(None, description="Seulement les services gratuits")
    modalite: str | None = Field(
        None, description="presentiel, a_distance, a_domicile ou itinerant"
    )
    accessible: bool | None = Field(
        None, description="Seulement les lieux dont l'accessibilité est renseignée"
    )
    jour: str | None = Field(None, description="Ouvert ce jour-là : lundi … dimanche")
    limite: int | None = Field(None, description="Nombre de résultats, 10 par défaut (50 au plus)")


class OrientationIn(Schema):
    besoin: str = Field(description="Le besoin, en texte libre (2 000 caractères au plus)")
    profil: str = Field(
        "particulier",
        description=(
            "particulier, entreprise, association, collectivite, porteur_de_projet, professionnel"
        ),
    )
    commune: str = Field(description="Code INSEE de la commune")
    contraintes: ContraintesIn | None = None


class ErreurOut(Schema):
    detail: str


@router.post(
    "/orientations",
    response={200: OrientationOut, 422: ErreurOut},
    summary="Orienter un besoin exprimé librement",
)
def orientation_create(request: HttpRequest, payload: OrientationIn) -> Any:
    """Comprend le besoin (catégories classées, avec leur explication) et propose les services
    les plus adaptés autour de la commune, chacun avec ses raisons."""
    try:
        answer = orientation_answer(
            besoin=payload.besoin,
            profil=payload.profil,
            commune=payload.commune,
            contraintes=(
                payload.contraintes.model_dump(exclude_none=True) if payload.contraintes else {}
            ),
        )
    except OrientationError as exc:
        return Status(exc.status, {"detail": exc.message})
    record_demand(
        categorie=answer.categorie_principale,
        commune_code=answer.commune.code,
        profil=answer.profil,
        channel=DemandChannel.API,
    )
    return answer


class SuggestionIn(Schema):
    besoin: str = Field("", description="Le besoin en cours de frappe")
    profil: str = Field("particulier")
    limit: int = Field(5, ge=1, le=10)


def _suggestions(query: SuggestionIn) -> Any:
    try:
        return need_categories(besoin=query.besoin, profil=query.profil, limit=query.limit)
    except OrientationError as exc:
        return Status(exc.status, {"detail": exc.message})


@router.get(
    "/orientations/categories",
    response={200: list[CategorieOut], 422: ErreurOut},
    summary="Catégories suggérées pendant la frappe",
)
def orientation_categories(request: HttpRequest, filters: Query[SuggestionIn]) -> Any:
    """La seule compréhension du besoin, sans commune ni services : pour proposer des
    catégories pendant que la personne écrit.

    Le texte passe ici dans la chaîne de requête, donc dans les journaux d'accès des serveurs
    et des intermédiaires : préférez la variante `POST` (même réponse, texte dans le corps
    JSON), que le parcours web utilise."""
    return _suggestions(filters)


@router.post(
    "/orientations/categories",
    response={200: list[CategorieOut], 422: ErreurOut},
    summary="Catégories suggérées pendant la frappe (texte hors des journaux)",
)
def orientation_categories_post(request: HttpRequest, payload: SuggestionIn) -> Any:
    """Même réponse que la variante `GET`, mais le besoin est envoyé dans le corps JSON
    (`{"besoin": "...", "profil": "...", "limit": 3}`) : il n'apparaît donc pas dans les
    journaux d'accès, qui gardent l'adresse demandée et sa chaîne de requête. C'est la variante
    qu'utilise le parcours web."""
    return _suggestions(payload)
