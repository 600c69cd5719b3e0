"""The orientation answer as types: what `engine.orientation_answer` returns, and the very
schemas of `POST /api/v1/orientations` (`api.py`) and of `maillage orient --json`.

The JSON is the contract of ../shared/PRODUCT.md: French field names, in this order. What
the web journey needs beyond it (the categories retained for the search) travels with the
answer as a private attribute, never serialised. Pure: no database.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, PrivateAttr


class AnswerPart(BaseModel):
    """Plain pydantic models, not ninja's `Schema`: the engine builds them itself (ninja's
    attribute-reading validator would cost a millisecond an answer), and the API returns them
    as they are."""


class SignalOut(AnswerPart):
    mot: str
    terme: str
    source: str
    maniere: str
    points: float


class CategorieOut(AnswerPart):
    code: str
    libelle: str
    score: float = Field(description="Entre 0 et 1")
    famille: str
    explication: list[SignalOut]


class RefOut(AnswerPart):
    id: int
    nom: str


class OrientationLieuOut(AnswerPart):
    id: int
    nom: str
    adresse: str
    code_postal: str
    commune: str
    code_insee: str
    latitude: float
    longitude: float
    horaires: str


class ResultatOut(AnswerPart):
    service: RefOut
    structure: RefOut
    lieu: OrientationLieuOut | None
    distance_km: float | None
    score: float
    raisons: list[str]
    categories: list[str]
    situation: str = Field(description="proche, a_distance ou hors_rayon")
    modalites: list[str]
    frais: list[str]


class CommuneRefOut(AnswerPart):
    code: str
    nom: str
    latitude: float
    longitude: float


class ContraintesOut(AnswerPart):
    rayon_km: float
    gratuit: bool
    modalite: str
    accessible: bool
    jour: str
    limite: int


class ComprehensionOut(AnswerPart):
    mots: list[str]
    corrections: dict[str, str]
    inconnus: list[str]
    version_lexique: int


class OrientationOut(AnswerPart):
    besoin: str
    profil: str
    commune: CommuneRefOut
    contraintes: ContraintesOut
    categories: list[CategorieOut]
    resultats: list[ResultatOut]
    proches: int = Field(description="Services trouvés dans le rayon")
    message: str
    comprehension: ComprehensionOut

    # The codes of the categories the services were searched for (`engine.retained`).
    _retenues: tuple[str, ...] = PrivateAttr(default=())

    @property
    def categories_retenues(self) -> list[CategorieOut]:
        """The categories the services were searched for, best first."""
        return [c for c in self.categories if c.code in self._retenues]

    @property
    def autres_categories(self) -> list[CategorieOut]:
        """The other understood categories (« autres pistes »)."""
        return [c for c in self.categories if c.code not in self._retenues]

    @property
    def categorie_principale(self) -> str | None:
        """The best understood category, counted for the observatory's demand."""
        return self.categories[0].code if self.categories else None


class Understood(BaseModel):
    """What the understanding made of a need, profile and ticked categories: the ranked
    categories, the words read, and the codes retained for the search. Not in the API;
    the web journey keeps it in the session so that it runs once per set of answers."""

    categories: list[CategorieOut]
    comprehension: ComprehensionOut
    retenues: list[str]
