"""The workflow of a mise en relation: which action moves a referral from which statuses to
which one, and who may take it. Pure: no database, no settings.

    nouvelle ──accepter──▶ acceptée ──démarrer──▶ en cours ──clôturer──▶ clôturée
       │                     │                                  ▲
       │                     └────────────clôturer──────────────┘
       ├──refuser──▶ refusée ──réorienter──▶ réorientée
       └──réorienter─────────────────────────▶ réorientée
    nouvelle, acceptée, en cours ──annuler (the person)──▶ annulée

`services.referral_transition` applies this table (with a conditional UPDATE); the pages
ask `allowed_actions` which buttons to show, so the table is written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .enums import ReferralAction, ReferralStatus

S = ReferralStatus
A = ReferralAction


class Actor(StrEnum):
    """Who acts: a manager of the receiving structure, or the person from their link."""

    STRUCTURE = "structure"
    PERSON = "person"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    stamp: str  # the timestamp field set by this transition
    by_structure: bool  # counts as the structure's answer (response time)
    actors: frozenset[Actor]


_STRUCTURE = frozenset({Actor.STRUCTURE})
_BOTH = frozenset({Actor.STRUCTURE, Actor.PERSON})
_PERSON = frozenset({Actor.PERSON})

TRANSITIONS: dict[str, Transition] = {
    A.ACCEPT: Transition(frozenset({S.NOUVELLE}), S.ACCEPTEE, "accepted_at", True, _STRUCTURE),
    A.REFUSE: Transition(
        frozenset({S.NOUVELLE, S.ACCEPTEE}), S.REFUSEE, "refused_at", True, _STRUCTURE
    ),
    A.START: Transition(frozenset({S.ACCEPTEE}), S.EN_COURS, "started_at", True, _STRUCTURE),
    # The person may say their need is solved; the structure closes with an outcome.
    A.CLOSE: Transition(frozenset({S.ACCEPTEE, S.EN_COURS}), S.CLOTUREE, "closed_at", True, _BOTH),
    A.REORIENT: Transition(
        frozenset({S.NOUVELLE, S.REFUSEE}), S.REORIENTEE, "reoriented_at", True, _STRUCTURE
    ),
    A.CANCEL: Transition(
        frozenset({S.NOUVELLE, S.ACCEPTEE, S.EN_COURS}), S.ANNULEE, "cancelled_at", False, _PERSON
    ),
}

# The statuses a case is still open in (the person can still cancel it).
OPEN_STATUSES = TRANSITIONS[A.CANCEL].sources
# Actions the person takes from their follow-up page.
PERSON_ACTIONS = frozenset(a for a, t in TRANSITIONS.items() if Actor.PERSON in t.actors)


def allowed_actions(status: str, actor: Actor) -> frozenset[str]:
    """The actions `actor` may take on a referral at `status`, from the table."""
    return frozenset(
        action
        for action, transition in TRANSITIONS.items()
        if status in transition.sources and actor in transition.actors
    )


def transition_refusal(status: str, action: str) -> str:
    """Why `action` cannot be taken at `status`, in French."""
    current = ReferralStatus(status).label
    verb = ReferralAction(action).label.lower()
    return f"Action impossible : on ne peut pas « {verb} » une demande au statut « {current} »."
