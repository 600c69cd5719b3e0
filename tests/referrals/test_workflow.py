"""The workflow's table, without a database: who may do what from which status."""

from __future__ import annotations

import pytest

from maillage.referrals.enums import ReferralAction, ReferralStatus
from maillage.referrals.workflow import (
    OPEN_STATUSES,
    PERSON_ACTIONS,
    TRANSITIONS,
    Actor,
    allowed_actions,
    transition_refusal,
)

S = ReferralStatus
A = ReferralAction


@pytest.mark.parametrize(
    ("status", "structure", "person"),
    [
        (S.NOUVELLE, {A.ACCEPT, A.REFUSE, A.REORIENT}, {A.CANCEL}),
        (S.ACCEPTEE, {A.REFUSE, A.START, A.CLOSE}, {A.CANCEL, A.CLOSE}),
        (S.EN_COURS, {A.CLOSE}, {A.CANCEL, A.CLOSE}),
        (S.REFUSEE, {A.REORIENT}, set()),
        (S.CLOTUREE, set(), set()),
        (S.REORIENTEE, set(), set()),
        (S.ANNULEE, set(), set()),
    ],
)
def test_each_status_allows_the_documented_actions(status, structure, person):
    """The circuit of docs/referrals.md, read back from the one table."""
    assert allowed_actions(status, Actor.STRUCTURE) == structure
    assert allowed_actions(status, Actor.PERSON) == person


def test_the_person_cancels_or_closes_and_only_while_the_case_is_open():
    assert PERSON_ACTIONS == {A.CANCEL, A.CLOSE}
    assert OPEN_STATUSES == {S.NOUVELLE, S.ACCEPTEE, S.EN_COURS}
    assert not TRANSITIONS[A.CANCEL].by_structure  # a cancellation is not a response


def test_every_transition_ends_on_a_status_and_stamps_its_date():
    for action, transition in TRANSITIONS.items():
        assert transition.target in S.values, action
        assert transition.sources <= set(S.values), action
        assert transition.stamp.endswith("_at"), action
    stamps = [transition.stamp for transition in TRANSITIONS.values()]
    assert len(set(stamps)) == len(stamps)


def test_a_refused_action_is_explained_in_french():
    assert transition_refusal(S.NOUVELLE, A.START) == (
        "Action impossible : on ne peut pas « démarrer l'accompagnement » une demande au "
        "statut « Nouvelle »."
    )
