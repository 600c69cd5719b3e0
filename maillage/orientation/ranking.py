"""Ranking services for an understood need: pure computation on plain dataclasses.

score = 0.50 × category fit + 0.15 × profile fit + 0.25 × proximity + 0.10 × freshness,
after the hard constraints (gratuit, modalité, accessibility, open on a given day) have
removed what does not fit. Every kept service says why in plain French.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from maillage.core.text import fold
from maillage.directory import opening_hours

WEIGHTS = {"categorie": 0.50, "profil": 0.15, "proximite": 0.25, "fraicheur": 0.10}
REMOTE_PROXIMITY = 0.5
JOURS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
MODALITES = ("presentiel", "a_distance", "a_domicile", "itinerant")

# Words of a service's `publics` that show it addresses a profile, and how to say it.
PROFILE_PUBLICS: dict[str, tuple[tuple[str, ...], str]] = {
    "particulier": (
        ("tout public", "particulier", "habitant", "senior", "jeune", "famille", "adulte"),
        "accueille les particuliers",
    ),
    "entreprise": (
        ("entreprise", "artisan", "commercant", "tpe", "pme", "independant", "salarie"),
        "accompagne les entreprises",
    ),
    "association": (("association", "benevole"), "accompagne les associations"),
    "collectivite": (
        ("collectivite", "commune", "elu", "agent", "mairie", "epci"),
        "accompagne les collectivités",
    ),
    "porteur_de_projet": (
        ("porteur", "createur", "entrepreneur", "startup", "creation"),
        "accompagne les porteurs de projet",
    ),
    "professionnel": (
        ("professionnel", "aidant", "travailleur social", "conseiller", "mediateur"),
        "accompagne les professionnels et les aidants",
    ),
}
# The family each profile usually turns to: a service of that family fits it a little.
PROFILE_FAMILY = {
    "particulier": "inclusion",
    "entreprise": "entreprise",
    "association": "entreprise",
    "collectivite": "collectivite",
    "porteur_de_projet": "entreprise",
    "professionnel": "inclusion",
}
FRAIS_LABELS = {
    "gratuit": "gratuit",
    "sous_conditions": "gratuit sous conditions",
    "payant": "payant",
}


@dataclass(frozen=True)
class Constraints:
    rayon_km: float = 15.0
    gratuit: bool = False
    modalite: str = ""
    accessible: bool = False
    jour: str = ""  # "lundi"… "dimanche"
    limite: int = 10


@dataclass
class Candidate:
    """A service and the lieu it is offered at that is nearest to the person."""

    service_id: int
    service_nom: str
    structure_id: int
    structure_nom: str
    categories: dict[str, tuple[str, str]]  # code → (libellé, famille)
    publics: list[str]
    modalites: list[str]
    frais: list[str]
    lieu_id: int | None = None
    lieu: dict[str, object] | None = None
    distance_km: float | None = None
    horaires: str = ""
    accessible: bool = False
    date_maj: date | None = None
    dessert_commune: bool = False


@dataclass
class Ranked:
    candidate: Candidate
    score: float
    raisons: list[str]
    situation: str  # "proche", "a_distance", "hors_rayon"
    categories: list[str] = field(default_factory=list)


def km(distance: float) -> str:
    """ "3,2 km", French decimal comma; metres under one kilometre."""
    if distance < 1:
        return f"{max(10, round(distance * 1000, -1)):.0f} m"
    return f"{distance:.1f} km".replace(".", ",")


def open_on(horaires: str, jour: str) -> bool | None:
    """Open at some time of that weekday; None when the hours are unknown."""
    if not horaires.strip():
        return None
    week = opening_hours.parse(horaires)
    if not any(week.days):
        return None
    return bool(week.days[JOURS.index(jour)])


def passes(candidate: Candidate, constraints: Constraints) -> bool:
    """The hard constraints: a service that fails one is never proposed."""
    if constraints.gratuit and "gratuit" not in candidate.frais:
        return False
    if constraints.modalite and constraints.modalite not in candidate.modalites:
        return False
    if constraints.accessible and not candidate.accessible:
        return False
    if constraints.jour and not open_on(candidate.horaires, constraints.jour):
        return False
    return True


def profile_fit(candidate: Candidate, profil: str) -> tuple[float, str | None]:
    words, reason = PROFILE_PUBLICS.get(profil, ((), ""))
    publics = fold(" ".join(candidate.publics))
    if publics and any(w in publics for w in words):
        return 1.0, reason
    family = PROFILE_FAMILY.get(profil)
    if any(f == family for _, f in candidate.categories.values()):
        return 0.6, None
    if not publics:
        return 0.4, None
    return 0.2, None


def freshness(date_maj: date | None, today: date) -> tuple[float, str | None]:
    if date_maj is None:
        return 0.3, None
    age = (today - date_maj).days
    if age <= 365:
        return 1.0, f"informations mises à jour le {date_maj:%d/%m/%Y}"
    if age <= 730:
        return 0.6, None
    return 0.3, f"informations à vérifier (mises à jour en {date_maj.year})"


def rank(
    candidates: list[Candidate],
    need: dict[str, float],
    profil: str,
    constraints: Constraints,
    today: date,
    situation: str = "proche",
) -> list[Ranked]:
    """Score and explain candidates for a need ({category code: score}), best first."""
    top = max(need.values(), default=0.0) or 1.0
    half = max(constraints.rayon_km / 2, 1.0)
    ranked = []
    for c in candidates:
        if not passes(c, constraints):
            continue
        matched = sorted(
            (code for code in c.categories if code in need), key=lambda code: -need[code]
        )
        if not matched:
            continue
        category_fit = need[matched[0]] / top
        raisons = [f"propose : {c.categories[matched[0]][0]}"]

        if c.dessert_commune and (c.distance_km is None or c.distance_km > constraints.rayon_km):
            proximity = 1.0
            raisons.append("intervient dans votre commune")
        elif situation == "a_distance" or c.distance_km is None:
            proximity = REMOTE_PROXIMITY
        else:
            proximity = math.exp(-c.distance_km / half)
        if c.distance_km is not None:
            raisons.append(f"à {km(c.distance_km)}")
        if "a_distance" in c.modalites:
            raisons.append("accompagnement à distance possible")
        if "a_domicile" in c.modalites:
            raisons.append("se déplace à domicile")

        for value in ("gratuit", "sous_conditions", "payant"):
            if value in c.frais:
                raisons.append(FRAIS_LABELS[value])
                break
        fit, reason = profile_fit(c, profil)
        if reason:
            raisons.append(reason)
        if constraints.jour:
            raisons.append(f"ouvert le {constraints.jour}")
        if c.accessible:
            raisons.append("accessibilité renseignée")
        fresh, fresh_reason = freshness(c.date_maj, today)
        if fresh_reason:
            raisons.append(fresh_reason)

        score = (
            WEIGHTS["categorie"] * category_fit
            + WEIGHTS["profil"] * fit
            + WEIGHTS["proximite"] * proximity
            + WEIGHTS["fraicheur"] * fresh
        )
        ranked.append(Ranked(c, round(score, 3), raisons, situation, matched))
    ranked.sort(
        key=lambda r: (
            -r.score,
            r.candidate.distance_km if r.candidate.distance_km is not None else math.inf,
            r.candidate.service_id,
        )
    )
    return ranked
