"""The orientation answer: one function builds the JSON the API, the command and the web
journey all return, so the same need always gets the same answer."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.utils import timezone

from maillage.core.text import fold
from maillage.territories.models import Commune

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


def _constraints(raw: dict[str, Any] | None) -> Constraints:
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


def _category(c: CategoryScore) -> dict[str, Any]:
    return {
        "code": c.code,
        "libelle": c.libelle,
        "score": c.score,
        "famille": c.famille,
        "explication": [s.as_dict() for s in c.signals if s.maniere != "profil"][:8]
        + [s.as_dict() for s in c.signals if s.maniere == "profil"],
    }


def _profil(profil: str) -> str:
    profil = (profil or Profil.PARTICULIER).strip()
    if profil not in Profil.values:
        raise OrientationError(
            f"Profil inconnu : « {profil[:40]} ». Profils possibles : {', '.join(Profil.values)}."
        )
    return profil


def need_categories(*, besoin: str, profil: str = "", limit: int = MAX_CATEGORIES) -> list[dict]:
    """Only the understanding, for suggestions while the person types (no commune needed)."""
    text = _TAG.sub(" ", besoin or "")[:MAX_CHARS]
    understood = understand(text, _profil(profil), lexicon_active(), limit=limit)
    return [_category(c) for c in understood.categories]


def _result(item: Ranked) -> dict[str, Any]:
    c = item.candidate
    return {
        "service": {"id": c.service_id, "nom": c.service_nom},
        "structure": {"id": c.structure_id, "nom": c.structure_nom},
        "lieu": c.lieu,
        "distance_km": round(c.distance_km, 2) if c.distance_km is not None else None,
        "score": item.score,
        "raisons": item.raisons,
        "categories": item.categories,
        "situation": item.situation,
        "modalites": c.modalites,
        "frais": c.frais,
    }


def orientation_answer(
    *,
    besoin: str,
    profil: str = "",
    commune: str,
    contraintes: dict[str, Any] | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """Understand the need, match services near the commune, explain everything.

    Raises OrientationError with a French message for input that cannot be used.
    """
    text = _TAG.sub(" ", besoin or "").strip()
    if not text:
        raise OrientationError(f"Décrivez votre besoin en quelques mots, {EXAMPLE}.")
    if len(besoin) > MAX_CHARS:
        raise OrientationError(
            f"Votre description est trop longue ({len(besoin):,} caractères) : "
            f"{MAX_CHARS:,} au plus. L'essentiel en quelques phrases suffit.".replace(",", " ")
        )
    profil = _profil(profil)
    constraints = _constraints(contraintes)
    place = _commune(commune)
    lat = place.mairie_latitude if place.mairie_latitude is not None else place.latitude
    lon = place.mairie_longitude if place.mairie_longitude is not None else place.longitude
    if lat is None or lon is None:
        raise OrientationError(
            f"La commune {place.nom} ({place.code}) n'a pas de position connue : "
            "choisissez une commune voisine."
        )

    lexicon = lexicon_active()
    understood = understand(text, profil, lexicon, limit=MAX_CATEGORIES)
    categories = [_category(c) for c in understood.categories]
    answer: dict[str, Any] = {
        "besoin": text,
        "profil": profil,
        "commune": {
            "code": place.code,
            "nom": place.nom,
            "latitude": lat,
            "longitude": lon,
        },
        "contraintes": {
            "rayon_km": constraints.rayon_km,
            "gratuit": constraints.gratuit,
            "modalite": constraints.modalite,
            "accessible": constraints.accessible,
            "jour": constraints.jour,
            "limite": constraints.limite,
        },
        "categories": categories,
        "resultats": [],
        "proches": 0,
        "message": "",
        "comprehension": {
            "mots": understood.mots[:50],
            "corrections": understood.corrections,
            "inconnus": understood.inconnus[:20],
            "version_lexique": understood.version,
        },
    }
    if not understood.categories:
        answer["message"] = (
            "Nous n'avons pas reconnu de besoin dans votre texte : décrivez-le avec quelques "
            f"mots, {EXAMPLE}, ou choisissez une catégorie dans la liste."
        )
        return answer

    best = understood.categories[0].score
    need = {
        c.code: c.score for c in understood.categories[:NEED_MAX] if c.score >= NEED_RATIO * best
    }
    result = match(
        need=need,
        profil=profil,
        centre=(lat, lon),
        commune_id=place.pk,
        commune_nom=place.nom,
        constraints=constraints,
        today=today or timezone.localdate(),
    )
    answer["resultats"] = [_result(item) for item in result.resultats]
    answer["proches"] = result.proches
    answer["message"] = result.message
    return answer
