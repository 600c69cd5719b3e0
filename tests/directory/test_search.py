"""Searching services and lieux: text, facets, place and radius, on SQLite and PostgreSQL."""

import json

import pytest

from maillage.core import text
from maillage.directory import fulltext
from maillage.directory.imports.lieux import lieux_import
from tests.directory.factories import LieuRowFactory

pytestmark = pytest.mark.django_db


def _lieu(id, nom, commune, code_postal, lat, lon, services, **extra):
    return LieuRowFactory(
        id=id,
        nom=nom,
        commune=commune,
        code_postal=code_postal,
        adresse="1 place de la Mairie",
        latitude=lat,
        longitude=lon,
        date_maj="2024-05-01",
        services=services,
        **extra,
    )


@pytest.fixture
def directory():
    rows = [
        _lieu(
            "1",
            "Fablab de Morlaix",
            "Morlaix",
            "29600",
            48.578,
            -3.827,
            "Loisirs et créations numériques",
            frais_a_charge="Payant",
            presentation_detail="Impression 3D et découpe laser pour tous",
        ),
        _lieu(
            "2",
            "Médiathèque de Landivisiau",
            "Landivisiau",
            "29400",
            48.512,
            -4.070,
            "Aide aux démarches administratives|Accès internet et matériel informatique",
            frais_a_charge="Gratuit",
            modalites_accompagnement="À distance",
        ),
        _lieu(
            "3",
            "Espace numérique de Brest",
            "Brest",
            "29200",
            48.390,
            -4.486,
            "Aide aux démarches administratives",
            frais_a_charge="Gratuit",
            publics_specifiquement_adresses="Seniors",
        ),
        _lieu(
            "4",
            "Cyberbase de Lorient",
            "Lorient",
            "56100",
            47.748,
            -3.366,
            "Maîtrise des outils numériques du quotidien",
            frais_a_charge="Gratuit",
        ),
    ]
    lieux_import(data=json.dumps(rows).encode(), filename="l.json", source_name="test")


def _get(client, **params):
    response = client.get("/api/v1/services", params)
    assert response.status_code == 200, response.content
    return response.json()


def _names(body):
    return [r["structure"] for r in body["results"]]


def test_tokens_fold_accents_and_plurals():
    assert fulltext.tokens("Démarches administratives") == ["demarche", "administrative"]
    assert fulltext.tokens("les impressions 3D") == ["impression", "3d"]
    assert text.stem("reseaux") == "reseau"


def test_text_search_tolerates_accents_plurals_and_partial_words(client, directory):
    for query in ["démarches administratives", "DEMARCHE ADMINISTRATIVE", "demarch admin"]:
        assert set(_names(_get(client, q=query))) == {
            "Médiathèque de Landivisiau",
            "Espace numérique de Brest",
        }, query
    assert _names(_get(client, q="impressions 3d")) == ["Fablab de Morlaix"]
    assert _get(client, q="zzzz")["count"] == 0


def test_radius_around_a_commune_sorted_by_distance(client, directory):
    body = _get(client, commune="29151", rayon_km=30, tri="distance")
    assert _names(body) == ["Fablab de Morlaix", "Médiathèque de Landivisiau"]
    distances = [r["distance_km"] for r in body["results"]]
    assert distances == sorted(distances) and distances[0] < 1
    assert body["results"][1]["lieux"][0]["distance_km"] == pytest.approx(distances[1], abs=0.01)
    wide = _get(client, lat=48.578, lon=-3.827, rayon_km=60)
    assert wide["count"] == 3  # Brest is ≈ 51 km away, Lorient ≈ 100 km


def test_filters_and_facets(client, directory):
    free = _get(client, gratuit="true")
    assert free["count"] == 3
    facets = {f["code"]: f["count"] for f in free["facettes"]["categorie"]}
    assert facets["demarches-administratives"] == 2
    assert {f["code"]: f["count"] for f in free["facettes"]["frais"]} == {"gratuit": 3}
    assert _names(_get(client, categorie="loisirs-creations")) == ["Fablab de Morlaix"]
    assert _names(_get(client, public="Seniors")) == ["Espace numérique de Brest"]
    assert _names(_get(client, modalite="a_distance")) == ["Médiathèque de Landivisiau"]
    assert set(_names(_get(client, territoire="pays-de-morlaix"))) == {
        "Fablab de Morlaix",
        "Médiathèque de Landivisiau",
    }


def test_filters_and_facets_near_a_place_agree_with_the_whole_directory(client, directory):
    """Near a place the filters run on the rows read around it: they must keep exactly the
    services the same filters keep in the whole directory, and count facets the same way."""
    place = {"lat": 48.45, "lon": -3.9, "rayon_km": 200}  # every lieu of the fixture
    for filters in (
        {"gratuit": "true"},
        {"public": "seniors"},
        {"modalite": "a_distance"},
        {"categorie": "demarches-administratives,loisirs-creations"},
        {"territoire": "pays-de-morlaix"},
        {"q": "demarches", "gratuit": "true"},
    ):
        everywhere, near = _get(client, **filters), _get(client, **filters, **place)
        assert sorted(_names(near)) == sorted(_names(everywhere)), filters
        assert near["facettes"] == everywhere["facettes"], filters
    free_near = _get(client, gratuit="true", lat=48.578, lon=-3.827, rayon_km=60)
    assert sorted(_names(free_near)) == ["Espace numérique de Brest", "Médiathèque de Landivisiau"]
    assert {f["code"]: f["count"] for f in free_near["facettes"]["categorie"]} == {
        "demarches-administratives": 2,
        "acces-internet-materiel": 1,
    }


def test_pagination(client, directory):
    first = _get(client, taille=2, page=1)
    second = _get(client, taille=2, page=2)
    assert (first["count"], first["pages"]) == (4, 2)
    assert not set(_names(first)) & set(_names(second))


def test_bad_parameters_get_french_messages(client, directory):
    response = client.get("/api/v1/services", {"commune": "00000"})
    assert response.status_code == 422
    assert "Commune inconnue" in response.json()["detail"]
    assert client.get("/api/v1/services", {"territoire": "atlantide"}).status_code == 422
    assert client.get("/api/v1/services", {"taille": 1000}).status_code == 422
    assert client.get("/api/v1/services", {"q": "<script>" * 200}).status_code == 200


def test_lieux_endpoint_lists_places_of_matching_services(client, directory):
    body = client.get("/api/v1/lieux", {"commune": "29151", "rayon_km": 30}).json()
    assert {r["nom"] for r in body["results"]} == {
        "Fablab de Morlaix",
        "Médiathèque de Landivisiau",
    }
    assert all(r["commune"]["code"] for r in body["results"])


def test_open_now_uses_the_opening_hours(client):
    from datetime import datetime
    from unittest.mock import patch
    from zoneinfo import ZoneInfo

    rows = [
        _lieu(
            "a",
            "Ouvert le lundi matin",
            "Morlaix",
            "29600",
            48.578,
            -3.827,
            "Aide aux démarches administratives",
            horaires="Mo 09:00-12:00",
        ),
        _lieu(
            "b",
            "Ouvert le samedi",
            "Morlaix",
            "29600",
            48.578,
            -3.827,
            "Aide aux démarches administratives",
            horaires="Sa 09:00-12:00",
        ),
        _lieu(
            "c",
            "Horaires inconnus",
            "Morlaix",
            "29600",
            48.578,
            -3.827,
            "Aide aux démarches administratives",
        ),
    ]
    lieux_import(data=json.dumps(rows).encode(), filename="l.json", source_name="test")
    monday = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
    # The clock is the one thing this test must fix: "now" is Monday 10:00 in Paris.
    with patch("maillage.directory.selectors.search.timezone.localtime", return_value=monday):
        body = _get(client, ouvert_maintenant="true")
    assert _names(body) == ["Ouvert le lundi matin"]


def test_text_near_a_place_finds_what_text_alone_finds_there(client, directory):
    """With a place the text is matched on the nearby candidates (another code path on
    SQLite): the answer must be the same as text alone, then filtered by distance."""
    near = _get(client, q="démarches admin", commune="29151", rayon_km=60)
    everywhere = _get(client, q="démarches admin")
    assert set(_names(near)) == {"Médiathèque de Landivisiau", "Espace numérique de Brest"}
    assert set(_names(near)) <= set(_names(everywhere))
    assert _get(client, q="zzzz", commune="29151", rayon_km=60)["count"] == 0


def test_matcher_counts_words_by_their_start_once_each():
    rank = fulltext.matcher([["impression"], ["3d"]])
    assert rank("atelier impression 3d") is not None
    assert rank("atelier 3d") is None  # every query word must start a word
    assert rank("reimpression 3d") is None  # …the start of a word, not its middle
    # "new" and "news" both start "news": the word counts once, as the engines count it.
    twice = fulltext.matcher([["new", "news", "news"]])
    once = fulltext.matcher([["new"]])
    assert twice("fake news") == once("fake news")
    # More hits rank better (lower); longer documents dilute them.
    assert rank("impression 3d impression") < rank("impression 3d")
    assert rank("impression 3d") < rank("impression 3d et bien d autres mots")


def test_edit_distance_counts_swaps_as_one_edit():
    assert text.edit_distance("lorient", "lorient", 2) == 0
    assert text.edit_distance("lorinet", "lorient", 2) == 1
    assert text.edit_distance("mediateque", "mediatheque", 2) == 1
    assert text.edit_distance("brest", "paris", 1) == 2  # stops past the limit


def test_close_words_prefers_the_nearest_and_reads_words_typed_halfway():
    vocabulary = ["mediatheque", "mediation", "medecin", "morlaix"]
    assert fulltext.close_words("mediateque", vocabulary) == ["mediatheque"]
    assert fulltext.close_words("mediateq", vocabulary)[0] == "mediatheque"
    assert fulltext.close_words("mdiation", vocabulary) == ["mediation"]
    # Short words allow one edit only: "medic" is not taken for "morlaix".
    assert "morlaix" not in fulltext.close_words("medic", vocabulary)


def test_mistyped_names_still_find_their_place(client, directory):
    """A typo in a name ('mediateque', 'lorinet') finds the place, and the answer says
    which word was searched instead."""
    body = _get(client, q="mediateque")
    assert [s["lieux"][0]["nom"] for s in body["results"]] == ["Médiathèque de Landivisiau"]
    assert body["corrections"] == {"mediateque": ["mediatheque"]}

    body = _get(client, q="cyberbase lorinet")
    assert [s["lieux"][0]["nom"] for s in body["results"]] == ["Cyberbase de Lorient"]
    assert "lorinet" in body["corrections"]

    body = _get(client, q="mediateque", lat=48.51, lon=-4.07, rayon_km=20)
    assert body["count"] == 1


def test_correct_words_are_not_corrected_and_nonsense_finds_nothing(client, directory):
    body = _get(client, q="médiathèque")
    assert body["corrections"] == {}
    assert body["count"] == 1
    body = _get(client, q="zzzqwx")
    assert (body["count"], body["corrections"]) == (0, {})


def test_search_page_says_which_word_it_searched(client, directory):
    response = client.get("/annuaire/", {"q": "mediateque"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "« mediateque » cherché comme « mediatheque »" in html
    assert "Médiathèque de Landivisiau" in html
