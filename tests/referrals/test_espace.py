"""The structure's pages of the mises en relation: the buttons come from the workflow's
table, and the list and the case cost a fixed number of queries however many there are."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from maillage.accounts.enums import Role
from maillage.accounts.services import role_grant
from maillage.referrals.enums import ReferralAction, ReferralStatus
from maillage.referrals.models import Referral
from maillage.referrals.workflow import Actor, allowed_actions
from tests.orientation.factories import ServiceFactory

from .factories import ReferralEventFactory, ReferralFactory

pytestmark = pytest.mark.django_db

S = ReferralStatus
A = ReferralAction
TRAITS = {
    S.NOUVELLE: {},
    S.ACCEPTEE: {"acceptee": True},
    S.EN_COURS: {"en_cours": True},
    S.CLOTUREE: {"cloturee": True},
    S.REFUSEE: {"refusee": True},
    S.ANNULEE: {"annulee": True},
}


@pytest.fixture
def service():
    return ServiceFactory(nom="Accompagnement", categories=["demarches-administratives"])


@pytest.fixture
def manager(client, make_user, service):
    user = make_user("gestion@example.fr")
    role_grant(user=user, role=Role.STRUCTURE_MANAGER, structure=service.structure)
    client.force_login(user)
    return user


def _buttons(html: str) -> set[str]:
    """The actions the page offers: the hidden `action` of each form."""
    return set(re.findall(r'<input type="hidden" name="action" value="([a-z_]+)">', html))


@pytest.mark.parametrize("status", list(TRAITS))
def test_the_case_offers_the_actions_of_the_table_for_its_status(client, manager, service, status):
    referral = ReferralFactory(service=service, **TRAITS[status])
    assert referral.status == status
    html = client.get(reverse("referrals_espace:detail", args=[referral.pk])).content.decode()
    offered = _buttons(html)
    if A.REORIENT in allowed_actions(status, Actor.STRUCTURE):
        # Réorienter is offered per service found; the demo directory has others.
        assert "Réorienter vers un autre service" in html
    offered.discard(A.REORIENT)
    assert offered == allowed_actions(status, Actor.STRUCTURE) - {A.REORIENT}
    assert ("<h2>Répondre</h2>" in html) == bool(offered)


def test_a_purged_case_offers_no_action(client, manager, service):
    referral = ReferralFactory(service=service, acceptee=True, purgee=True)
    html = client.get(reverse("referrals_espace:detail", args=[referral.pk])).content.decode()
    assert _buttons(html) == set()
    assert "ont été effacées" in html


def test_the_structure_cannot_take_the_persons_action(client, manager, service):
    """Cancelling is the person's, from their link: a hand-made form gets an error."""
    referral = ReferralFactory(service=service)
    url = reverse("referrals_espace:detail", args=[referral.pk])
    response = client.post(url, {"action": A.CANCEL, "message": ""})
    assert response.status_code == 400
    assert Referral.objects.get(pk=referral.pk).status == S.NOUVELLE


@pytest.mark.parametrize("count", [2, 12])
def test_the_list_costs_the_same_queries_for_2_or_12_cases(
    client, manager, service, count, django_assert_num_queries
):
    for index in range(count):
        ReferralFactory(service=service, **list(TRAITS.values())[index % len(TRAITS)])
    # Session, user, roles (the structures twice, the statistics right), count, page.
    with django_assert_num_queries(7):
        response = client.get(reverse("referrals_espace:list"))
    assert response.status_code == 200
    assert response.content.decode().count('href="/espace/mises-en-relation/') >= count


@pytest.mark.parametrize(
    ("traits", "notes", "queries"),
    [
        # Session, user, structures, the case (service, structure, categorie, commune and
        # the new service of a réorientation joined), the history with its authors.
        ({"acceptee": True}, 0, 5),
        ({"acceptee": True}, 8, 5),
        # A new case also offers réorientation: the services found, the category filter.
        ({}, 8, 7),
    ],
)
def test_the_case_costs_the_same_queries_whatever_its_history(
    client, manager, service, traits, notes, queries, django_assert_num_queries
):
    referral = ReferralFactory(service=service, **traits)
    for _ in range(notes):
        ReferralEventFactory(referral=referral, author=manager)
    with django_assert_num_queries(queries):
        response = client.get(reverse("referrals_espace:detail", args=[referral.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("Note de suivi.") == notes


def test_a_reoriented_case_reads_its_new_service_with_the_case(
    client, manager, service, django_assert_num_queries
):
    other = ServiceFactory(nom="Autre service", categories=["demarches-administratives"])
    copy = ReferralFactory(service=other)
    referral = ReferralFactory(service=service, refusee=True, status=S.REORIENTEE)
    referral.reoriented_to = copy
    referral.save(update_fields=["reoriented_to"])
    with django_assert_num_queries(5):
        html = client.get(reverse("referrals_espace:detail", args=[referral.pk])).content.decode()
    assert "Autre service" in html
