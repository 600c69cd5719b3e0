"""The management space's home (/espace/, `espace:home`): each person sees their part."""

import pytest
from django.urls import reverse

from maillage.accounts.enums import Role
from maillage.accounts.services import role_grant
from maillage.directory.models import Signalement
from tests.directory.factories import ImportRunFactory, LieuFactory, ServiceFactory

pytestmark = pytest.mark.django_db
#: Session, user, the role checks of the permission predicates, then one read per list
#: (structures with their counts, open reports, lieux, services; imports for a curator).
QUERIES_MANAGER_HOME = 17
QUERIES_CURATOR_HOME = 7


@pytest.fixture
def lieux():
    """Two structures of Morlaix, each with a lieu and a service."""
    mine = LieuFactory(morlaix=True, structure__nom="Espace numérique de Morlaix")
    other = LieuFactory(nom="Fablab de Morlaix", structure__nom="Fablab de Morlaix")
    for lieu in (mine, other):
        ServiceFactory(structure=lieu.structure, lieux=[lieu], nom=f"Accueil — {lieu.nom}")
    return mine, other


@pytest.fixture
def manager(make_user, lieux):
    user = make_user("gestion@example.fr")
    role_grant(user=user, role=Role.STRUCTURE_MANAGER, structure=lieux[0].structure)
    return user


def test_espace_requires_login_and_a_role(client, make_user):
    """Anonymous visitors are sent to the login page; a user without a role is refused."""
    response = client.get(reverse("espace:home"))
    assert response.status_code == 302 and "connexion" in response.url
    client.force_login(make_user("rien@example.fr"))
    response = client.get(reverse("espace:home"))
    assert response.status_code == 403
    assert "rattaché à aucune structure" in response.content.decode()


def test_manager_sees_only_their_structure(client, manager, lieux):
    client.force_login(manager)
    html = client.get(reverse("espace:home")).content.decode()
    assert "Espace numérique de Morlaix" in html
    assert "Fablab de Morlaix" not in html


def test_the_home_links_to_each_part_of_the_space(client, make_user, lieux):
    """A curator's home leads to the directory's imports and mappings, the observatory's
    indicators and the referrals; the reports and structures link to their pages."""
    curator = make_user("admin@example.fr", is_superuser=True, is_staff=True)
    Signalement.objects.create(lieu=lieux[0], sujet="horaires", message="Fermé le lundi")
    client.force_login(curator)
    html = client.get(reverse("espace:home")).content.decode()
    for name in ("import_list", "mapping_list"):
        assert reverse(f"directory_espace:{name}") in html
    assert reverse("observatory_espace:indicateurs") in html
    assert reverse("referrals_espace:list") in html
    signalement = Signalement.objects.get()
    assert reverse("directory_espace:signalement_detail", args=[signalement.pk]) in html
    assert reverse("directory_espace:structure_edit", args=[lieux[1].structure_id]) in html


def test_manager_home_reads_a_fixed_number_of_queries(
    client, manager, lieux, django_assert_num_queries
):
    """Query guard: a manager's home costs the same whatever the number of their lieux,
    services and reports (session, user, roles, then one read per list)."""
    client.force_login(manager)
    for n in range(3):
        lieu = LieuFactory(structure=lieux[0].structure, nom=f"Annexe {n}")
        ServiceFactory(structure=lieu.structure, lieux=[lieu])
        Signalement.objects.create(lieu=lieu, sujet="horaires", message="Fermé le lundi")
    with django_assert_num_queries(QUERIES_MANAGER_HOME):
        response = client.get(reverse("espace:home"))
    assert response.status_code == 200


def test_curator_home_reads_a_fixed_number_of_queries(
    client, make_user, lieux, django_assert_num_queries
):
    curator = make_user("admin@example.fr", is_superuser=True, is_staff=True)
    for _ in range(3):
        ImportRunFactory()
    client.force_login(curator)
    with django_assert_num_queries(QUERIES_CURATOR_HOME):
        response = client.get(reverse("espace:home"))
    assert response.status_code == 200
