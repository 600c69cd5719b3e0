"""The orientation answer: one function builds the typed answer (`answer.OrientationOut`) the
API, the command and the web journey all return, so the same need always gets the same answer."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.utils import timezone

from maillage.core.text import fold
from maillage.territories.models import Commune

from .answer import (
    CategorieOut,
    CommuneRefOut,
    ComprehensionOut,
    ContraintesOut,
    OrientationLieuOut,
    OrientationOut,
    RefOut,
    ResultatOut,
    SignalOut,
    Understood,
)
from .enums import Profil
from .matching import match
from .ranking import JOURS, MODALITES, Constraints, Ranked
from .selectors import lexicon_active
from .understanding import MAX_CHARS, CategoryScore, understand

MAX_CATEGORIES = 5
# Categories kept for matching: those at least this close to the best one, at most three.
NEED_RATIO = 0.5
NEED_MAX = 3
RAYON_MAX_KM = 200.0
_TAG = re.compile(r"<[^>]{0,200}>")
EXAMPLE = "par exemple « apprendre à utiliser un ordinateur » ou « créer le site de ma boutique »"


class OrientationError(ValueError):
    """Input that cannot be oriented; `status` is the HTTP status the API answers with."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _constraints(raw: Mapping[str, Any] | None) -> Constraints:
    raw = {k: v for k, v in (raw or {}).items() if v is not None}
    known = {"rayon_km", "gratuit", "modalite", "accessible", "jour", "limite"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise OrientationError(
            f"Contrainte inconnue : {', '.join(unknown)}. Contraintes possibles : "
            + ", ".join(sorted(known))
            + "."
        )
    try:
        rayon = float(raw.get("rayon_km", 15))
        limite = int(raw.get("limite", 10))
    except (TypeError, ValueError) as exc:
        raise OrientationError("« rayon_km » et « limite » doivent être des nombres.") from exc
    if not 0 < rayon <= RAYON_MAX_KM:
        raise OrientationError(f"Le rayon doit être compris entre 0 et {RAYON_MAX_KM:.0f} km.")
    if not 1 <= limite <= 50:
        raise OrientationError("La limite doit être comprise entre 1 et 50 résultats.")
    modalite = str(raw.get("modalite", "")).strip()
    if modalite and modalite not in MODALITES:
        raise OrientationError(f"Modalité inconnue : choisissez parmi {', '.join(MODALITES)}.")
    jour = fold(str(raw.get("jour", "")))
    if jour and jour not in JOURS:
        raise OrientationError(f"Jour inconnu : choisissez parmi {', '.join(JOURS)}.")
    return Constraints(
        rayon_km=rayon,
        gratuit=bool(raw.get("gratuit", False)),
        modalite=modalite,
        accessible=bool(raw.get("accessible", False)),
        jour=jour,
        limite=limite,
    )


def _commune(code: str) -> Commune:
    code = (code or "").strip().upper()
    if not code:
        raise OrientationError("Indiquez votre commune (code INSEE, par exemple 29151).")
    commune = (
        Commune.objects.communes().filter(code=code).defer("contour").first()
        if re.fullmatch(r"[0-9AB]{5}", code)
        else None
    )
    if commune is None:
        raise OrientationError(
            f"Commune inconnue : « {code[:20]} ». Indiquez le code INSEE à 5 caractères "
            "(par exemple 29151 pour Morlaix)."
        )
    return commune


def _category(c: CategoryScore) -> CategorieOut:
    explication = [s for s in c.signals if s.maniere != "profil"][:8] + [
        s for s in c.signals if s.maniere == "profil"
    ]
    return CategorieOut(
        code=c.code,
        libelle=c.libelle,
        score=c.score,
        famille=c.famille,
        explication=[SignalOut.model_validate(s.as_dict()) for s in explication],
    )


def _profil(profil: str) -> str:
    profil = (profil or Profil.PARTICULIER).strip()
    if profil not in Profil.values:
        raise OrientationError(
            f"Profil inconnu : « {profil[:40]} ». Profils possibles : {', '.join(Profil.values)}."
        )
    return profil


def retained(categories: Sequence[CategorieOut]) -> list[str]:
    """The codes of the categories services are searched for: the best ones, at most
    `NEED_MAX`, each scoring at least `NEED_RATIO` of the best. The one place of this rule."""
    if not categories:
        return []
    best = categories[0].score
    return [c.code for c in categories[:NEED_MAX] if c.score >= NEED_RATIO * best]


def orientation_understand(
    *,
    besoin: str,
    profil: str = "",
    categories: Sequence[str] = (),
    limit: int = MAX_CATEGORIES,
) -> Understood:
    """Only the understanding: the need in the person's words and the category codes they
    ticked (each understood for certain, see `understanding.understand`), for a profile.
    Raises OrientationError for an unknown profile; an empty need is understood as nothing."""
    text = _TAG.sub(" ", besoin or "")[:MAX_CHARS]
    understood = understand(text, _profil(profil), lexicon_active(), limit=limit, chosen=categories)
    found = [_category(c) for c in understood.categories]
    return Understood(
        categories=found,
        comprehension=ComprehensionOut(
            mots=understood.mots[:50],
            corrections=understood.corrections,
            inconnus=understood.inconnus[:20],
            version_lexique=understood.version,
        ),
        retenues=retained(found),
    )


def need_categories(
    *, besoin: str, profil: str = "", limit: int = MAX_CATEGORIES
) -> list[CategorieOut]:
    """Only the understood categories, for suggestions while the person types (no commune)."""
    return orientation_understand(besoin=besoin, profil=profil, limit=limit).categories


def _result(item: Ranked) -> ResultatOut:
    c = item.candidate
    return ResultatOut(
        service=RefOut(id=c.service_id, nom=c.service_nom),
        structure=RefOut(id=c.structure_id, nom=c.structure_nom),
        lieu=OrientationLieuOut.model_validate(c.lieu) if c.lieu else None,
        distance_km=round(c.distance_km, 2) if c.distance_km is not None else None,
        score=item.score,
        raisons=item.raisons,
        categories=item.categories,
        situation=item.situation,
        modalites=c.modalites,
        frais=c.frais,
    )


def _validated_text(besoin: str, categories: Sequence[str]) -> str:
    text = _TAG.sub(" ", besoin or "").strip()
    if not text and not categories:
        raise OrientationError(f"Décrivez votre besoin en quelques mots, {EXAMPLE}.")
    if len(besoin) > MAX_CHARS:
        raise OrientationError(
            f"Votre description est trop longue ({len(besoin):,} caractères) : "
            f"{MAX_CHARS:,} au plus. L'essentiel en quelques phrases suffit.".replace(",", " ")
        )
    return text


def _position(place: Commune) -> tuple[float, float]:
    lat = place.mairie_latitude if place.mairie_latitude is not None else place.latitude
    lon = place.mairie_longitude if place.mairie_longitude is not None else place.longitude
    if lat is None or lon is None:
        raise OrientationError(
            f"La commune {place.nom} ({place.code}) n'a pas de position connue : "
            "choisissez une commune voisine."
        )
    return lat, lon


def orientation_answer(
    *,
    besoin: str,
    profil: str = "",
    commune: str,
    contraintes: Mapping[str, Any] | None = None,
    categories: Sequence[str] = (),
    understood: Understood | None = None,
    today: date | None = None,
) -> OrientationOut:
    """Understand the need, match services near the commune, explain everything.

    `categories` are codes the person ticked (the web journey); `understood` is the result
    of `orientation_understand` for the same need, profile and codes, when the caller kept
    it (the journey does), so that the understanding is not run again.
    Raises OrientationError with a French message for input that cannot be used.
    """
    text = _validated_text(besoin, categories)
    profil = _profil(profil)
    constraints = _constraints(contraintes)
    place = _commune(commune)
    lat, lon = _position(place)
    if understood is None:
        understood = orientation_understand(besoin=text, profil=profil, categories=categories)
    answer = OrientationOut(
        besoin=text,
        profil=profil,
        commune=CommuneRefOut(code=place.code, nom=place.nom, latitude=lat, longitude=lon),
        contraintes=ContraintesOut(
            rayon_km=constraints.rayon_km,
            gratuit=constraints.gratuit,
            modalite=constraints.modalite,
            accessible=constraints.accessible,
            jour=constraints.jour,
            limite=constraints.limite,
        ),
        categories=understood.categories,
        resultats=[],
        proches=0,
        message="",
        comprehension=understood.comprehension,
    )
    answer._retenues = tuple(understood.retenues)
    if not understood.categories:
        answer.message = (
            "Nous n'avons pas reconnu de besoin dans votre texte : décrivez-le avec quelques "
            f"mots, {EXAMPLE}, ou choisissez une catégorie dans la liste."
        )
        return answer
    scores = {c.code: c.score for c in understood.categories}
    result = match(
        need={code: scores[code] for code in understood.retenues},
        profil=profil,
        centre=(lat, lon),
        commune_id=place.pk,
        commune_nom=place.nom,
        constraints=constraints,
        today=today or timezone.localdate(),
    )
    answer.resultats = [_result(item) for item in result.resultats]
    answer.proches = result.proches
    answer.message = result.message
    return answer
