"""State of the guided journey, kept server-side in the session.

`request.session["orientation"]` is a dict with exactly the keys of `EMPTY_STATE`; the
mise en relation reads it too. Nothing the person typed goes into a URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.sessions.backends.base import SessionBase

from maillage.directory.enums import Famille
from maillage.directory.models import Categorie

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


def engine_besoin(besoin: str, categories: list[str]) -> str:
    """What the engine reads: the text as typed, followed by the labels of the ticked
    categories (the taxonomy labels are in the engine's lexicon), so a category picked with
    no text still gives an answer, and API, command and web agree on the same input."""
    if not categories:
        return besoin
    labels = dict(Categorie.objects.filter(code__in=categories).values_list("code", "libelle"))
    picked = ". ".join(labels[c] for c in categories if c in labels)
    return f"{besoin}. {picked}" if besoin else picked
