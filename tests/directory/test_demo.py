"""The demo directory: mairies of the demo territories, structures the seeds name."""

import pytest
from django.core.management import call_command

from maillage.directory.enums import Placement
from maillage.directory.models import Lieu, Service, SourceRecord, Structure
from maillage.directory.services.demo import demo_directory_load, demo_structures
from maillage.territories.models import Territoire

pytestmark = pytest.mark.django_db


@pytest.fixture
def morlaix():
    return [Territoire.objects.get(slug="pays-de-morlaix")]


def test_every_mairie_of_the_territory_becomes_a_lieu_with_the_reference_contacts(morlaix):
    counts = demo_directory_load(morlaix)
    communes = morlaix[0].communes.count()
    assert counts.mairies + counts.without_point == communes
    mairie = Lieu.objects.get(nom="Mairie de Morlaix")
    assert mairie.adresse == "Place des Otages"
    assert mairie.code_postal == "29600"
    assert mairie.horaires.startswith("Mo-Fr")
    assert mairie.telephone and mairie.sites_web
    service = mairie.services.get()
    assert [c.code for c in service.categories.all()] == ["demarches-administratives"]


def test_structures_named_in_the_seeds_sit_at_their_commune_without_an_invented_address(morlaix):
    demo_directory_load(morlaix)
    named = {entry["nom"] for entry in demo_structures()}
    assert set(Structure.objects.filter(nom__in=named).values_list("nom", flat=True)) == named
    tiers_lieu = Lieu.objects.get(nom="L'iD, tiers-lieu d'Aixe-sur-Vienne")
    assert tiers_lieu.adresse == ""
    assert tiers_lieu.placement == Placement.MAIRIE
    assert tiers_lieu.commune.nom == "Aixe-sur-Vienne"
    assert tiers_lieu.sites_web == ["https://www.lidaixe.fr/"]
    # A structure the seed only names has a lieu and no service.
    assert not Service.objects.filter(structure__nom="Morlaix Communauté").exists()


def test_loading_twice_adds_nothing_and_the_search_finds_the_demo(client, morlaix):
    first = demo_directory_load(morlaix)
    before = (Structure.objects.count(), Lieu.objects.count(), SourceRecord.objects.count())
    second = demo_directory_load(morlaix)
    assert second.mairies == second.structures == 0
    assert second.existing == first.mairies + first.structures
    assert (Structure.objects.count(), Lieu.objects.count(), SourceRecord.objects.count()) == before
    body = client.get("/api/v1/services", {"q": "fabrication", "commune": "29019"}).json()
    assert [r["structure"] for r in body["results"]] == ["UBO Open Factory"]


def test_the_command_needs_the_territories(db):
    Territoire.objects.all().delete()
    with pytest.raises(Exception, match="load_demo"):
        call_command("load_demo_annuaire", verbosity=0)
