"""State of the guided journey, kept server-side in the session.

`request.session["orientation"]` is a dict with exactly the keys of `EMPTY_STATE`; the
mise en relation reads it too (`journey_understood`). Nothing the person typed goes into a
URL.

The understanding of the need runs once per set of answers (need, ticked categories,
profile): its result is kept in the state under `comprehension`, with a hash of those
answers, and the results page, the fiche and the mise en relation reuse it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from pydantic import ValidationError

from maillage.directory.enums import Famille
from maillage.directory.models import Categorie

from .answer import Understood
from .engine import orientation_understand
from .enums import Profil

SESSION_KEY = "orientation"
EMPTY_STATE: dict[str, Any] = {
    "profil": "",  # the engine profile of the person helped
    "pour_compte_de_tiers": False,  # true when a professional runs the journey
    "commune": "",  # code INSEE
    "besoin": "",  # the text as typed (may be empty when categories were ticked)
    "categories": [],  # codes ticked in the list
    "contraintes": {},  # as engine._constraints accepts them
    "resultats": [],  # ids of the services shown, in order
    "demande": "",  # what was counted for the observatory: "commune|profil|categorie"
    "comprehension": {},  # {"cle": hash of need, categories, profile; "resultat": Understood}
}
# (url name, title) of the six steps, in order.
STEPS = [
    ("profil", "Qui êtes-vous ?"),
    ("commune", "Où ?"),
    ("besoin", "Quel est votre besoin ?"),
    ("contraintes", "Contraintes"),
    ("resultats", "Résultats"),
    ("fiche", "Fiche d'orientation"),
]
# The same titles when a professional acts for someone ("la personne accompagnée").
STEPS_TIERS = {
    "commune": "Où vit la personne accompagnée ?",
    "besoin": "Quel est le besoin de la personne accompagnée ?",
    "contraintes": "Contraintes de la personne accompagnée",
}


def state_get(session: SessionBase) -> dict[str, Any]:
    stored = session.get(SESSION_KEY)
    state = {key: _copy(value) for key, value in EMPTY_STATE.items()}
    if isinstance(stored, Mapping):
        state.update({key: stored[key] for key in EMPTY_STATE if key in stored})
    return state


def state_update(session: SessionBase, **changes: Any) -> dict[str, Any]:
    unknown = set(changes) - set(EMPTY_STATE)
    if unknown:
        raise KeyError(f"Unknown journey keys: {sorted(unknown)}")
    state = state_get(session)
    state.update(changes)
    session[SESSION_KEY] = state
    return state


def _copy(value: Any) -> Any:
    return value.copy() if isinstance(value, dict | list) else value


def first_missing_step(state: Mapping[str, Any]) -> str | None:
    """The first step whose answer is missing: later steps send the person back there."""
    if state["profil"] not in Profil.values or state["profil"] == Profil.PROFESSIONNEL:
        return "profil"
    if not state["commune"]:
        return "commune"
    if not state["besoin"] and not state["categories"]:
        return "besoin"
    if not state["contraintes"]:
        return "contraintes"
    return None


def taxonomy() -> list[dict[str, Any]]:
    """The taxonomy grouped by family, in the families' order, for the list of step 3."""
    labels = dict(Famille.choices)
    groups: dict[str, list[dict[str, str]]] = {code: [] for code in labels}
    for code, libelle, famille, description in Categorie.objects.order_by("libelle").values_list(
        "code", "libelle", "famille", "description"
    ):
        groups.setdefault(famille, []).append(
            {"code": code, "libelle": libelle, "description": description}
        )
    return [
        {"code": famille, "libelle": str(labels.get(famille, famille)), "categories": items}
        for famille, items in groups.items()
        if items
    ]


def _understanding_key(besoin: str, categories: Sequence[str], profil: str) -> str:
    inputs = json.dumps([besoin, list(categories), profil], ensure_ascii=False)
    return hashlib.sha256(inputs.encode()).hexdigest()


def _cached(state: Mapping[str, Any], key: str) -> Understood | None:
    stored = state.get("comprehension") or {}
    if not isinstance(stored, Mapping) or stored.get("cle") != key:
        return None
    try:
        return Understood.model_validate(stored.get("resultat"))
    except ValidationError:  # written by an older version: understand again
        return None


def journey_understanding(session: SessionBase) -> Understood:
    """The understanding of the journey's need, ticked categories and profile: computed
    once by `engine.orientation_understand`, then read from the state until one of those
    answers changes. Raises OrientationError like the engine."""
    state = state_get(session)
    key = _understanding_key(state["besoin"], state["categories"], state["profil"])
    understood = _cached(state, key)
    if understood is None:
        understood = orientation_understand(
            besoin=state["besoin"], profil=state["profil"], categories=state["categories"]
        )
        state_update(session, comprehension={"cle": key, "resultat": understood.model_dump()})
    return understood


def journey_understood(session: SessionBase, *, besoin: str, profil: str) -> Understood | None:
    """What the journey already understood of this need and profile, with nothing ticked
    (the mise en relation's question), or None when the journey was about something else."""
    state = state_get(session)
    return _cached(state, _understanding_key(besoin, [], profil))
