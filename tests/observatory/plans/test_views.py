"""The planner page: the same plan as `plan_compute`, French errors on the fields that keep
what was typed, lists of candidate communes, downloads, and a fixed number of reads."""

import csv
import io
import json

import pytest
from django.db.models import Count

from maillage.observatory.plans.compute import plan_compute
from maillage.territories.models import Commune
from tests.observatory.factories import CATEGORIE
from tests.territories.factories import TerritoireFactory, commune

pytestmark = pytest.mark.django_db

SLUG = "petit-territoire"


def read_csv(response) -> list[dict[str, str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body[1:]), delimiter=";"))


PLAN = {
    "categorie": CATEGORIE,
    "sites": "3",
    "rayon_km": "10",
    "methode": "glouton",
    "limite_s": "10",
    "candidats": "mairies",
    "mode": "itinerant",
}


def without_time(result: dict) -> dict:
    return {k: v for k, v in result.items() if k != "duree_s"}


def test_planner_page_equals_plan_compute(client, lieu_morlaix):
    """The page's result is `plan_compute`'s for the same inputs; the CSV lists the sites in
    order and the GeoJSON holds the sites, the existing lieu and the tour."""
    url = "/territoires/pays-de-morlaix/planificateur/"
    response = client.get(url, PLAN)
    assert response.status_code == 200
    expected = plan_compute(
        territoire="pays-de-morlaix",
        categorie=CATEGORIE,
        sites=3,
        rayon_km=10.0,
        itinerant=True,
        max_sites=50,
        time_limit_s=10.0,
    )
    assert without_time(response.context["result"]) == without_time(expected)
    html = response.content.decode()
    for site in expected["sites"]:
        assert site["nom"] in html
    rows = read_csv(client.get(url + "resultat.csv", PLAN))
    assert [r["code_commune"] for r in rows] == [s["commune"] for s in expected["sites"]]
    assert [int(r["population_gagnee"]) for r in rows] == [
        s["population_gagnee"] for s in expected["sites"]
    ]
    geojson = json.loads(client.get(url + "resultat.geojson", PLAN).content)
    kinds = [f["properties"]["type"] for f in geojson["features"]]
    assert kinds.count("site_propose") == 3
    assert kinds.count("lieu_existant") >= 1
    assert kinds.count("tournee") == 1
    assert geojson["plan"]["population_couverte_apres"] == expected["population_couverte_apres"]


def test_planner_errors_keep_the_values(client, territoire):
    """Too many sites, an unknown category and a territory without population get a French
    message next to the form, which keeps what was typed."""
    url = f"/territoires/{SLUG}/planificateur/"
    response = client.get(url, {**PLAN, "mode": "fixe", "sites": "8"})
    form = response.context["form"]
    assert form.errors["sites"] == [
        "Le territoire n'offre que 5 emplacements candidats : demandez au plus 5 sites."
    ]
    html = response.content.decode()
    assert 'value="8"' in html
    assert "Le formulaire contient 1 erreur" in html
    response = client.get(url, {**PLAN, "categorie": "zzz", "rayon_km": "7,5"})
    assert response.context["form"].errors["categorie"] == [
        "Catégorie inconnue : « zzz ». Choisissez-en une dans la liste."
    ]
    assert 'value="7,5"' in response.content.decode()
    assert client.get(url, {**PLAN, "sites": "51"}).context["form"].errors["sites"]
    town = commune("29204")
    town.population = 0
    town.save(update_fields=["population"])
    TerritoireFactory(sans_habitants=True, communes=[town.code])
    response = client.get("/territoires/sans-habitants/planificateur/", PLAN)
    assert "aucune commune dont la population est connue" in response.content.decode()
    assert response.context["result"] is None


def test_planner_page_takes_a_list_of_communes_by_name_or_code(client, lieu_morlaix):
    """Communes typed by name (any case or accents) or by INSEE code are the only
    candidates: the page gives `plan_compute`'s answer for those codes."""
    url = "/territoires/pays-de-morlaix/planificateur/"
    listed = {**PLAN, "mode": "fixe", "sites": "2", "candidats": "liste"}
    response = client.get(url, {**listed, "liste_candidats": "ROSCOFF ;\n29105, plounéventer"})
    assert response.status_code == 200
    result = response.context["result"]
    expected = plan_compute(
        territoire="pays-de-morlaix",
        categorie=CATEGORIE,
        sites=2,
        rayon_km=10.0,
        candidats="29239,29105,29204",
        max_sites=50,
        time_limit_s=10.0,
    )
    assert without_time(result) == without_time(expected)
    assert {s["commune"] for s in result["sites"]} <= {"29239", "29105", "29204"}


def test_planner_page_list_errors_name_each_commune(client, territoire):
    """An empty list, a name not in the territory and a name two of its communes bear are
    refused with what to do next; the list typed stays in the form."""
    url = f"/territoires/{SLUG}/planificateur/"
    listed = {**PLAN, "mode": "fixe", "sites": "1", "candidats": "liste"}
    errors = client.get(url, {**listed, "liste_candidats": " , "}).context["form"].errors
    assert errors["liste_candidats"] == [
        "Indiquez au moins une commune candidate, ou choisissez les mairies ou le centre de "
        "chaque commune."
    ]
    response = client.get(url, {**listed, "liste_candidats": "Morlaix, Brest, Atlantide"})
    assert response.context["form"].errors["liste_candidats"] == [
        "Communes introuvables dans Petit territoire : « Brest », « Atlantide ». Vérifiez "
        "l'orthographe ou donnez le code INSEE."
    ]
    assert "Morlaix, Brest, Atlantide</textarea>" in response.content.decode()
    assert response.context["result"] is None
    # A list typed while the mairies are still chosen is not silently ignored.
    forgotten = {**listed, "candidats": "mairies", "liste_candidats": "Morlaix"}
    assert client.get(url, forgotten).context["form"].errors["candidats"] == [
        "Vous avez indiqué des communes candidates : choisissez « Les communes que vous "
        "indiquez ci-dessous », ou videz la liste."
    ]
    # Two communes of France with one name, both put in the territory.
    twins = (
        Commune.objects.communes()
        .values("search_name")
        .annotate(n=Count("pk"))
        .filter(n=2)
        .order_by("search_name")
        .first()
    )
    pair = list(Commune.objects.communes().filter(search_name=twins["search_name"]))
    territoire.communes.add(*pair)
    name = pair[0].nom
    errors = client.get(url, {**listed, "liste_candidats": name}).context["form"].errors
    (message,) = errors["liste_candidats"]
    assert message.startswith(f"« {name} » désigne plusieurs communes du territoire : ")
    assert all(f"({town.code})" in message for town in pair)
    assert message.endswith("Donnez le code INSEE de celle que vous voulez.")
    response = client.get(url, {**listed, "liste_candidats": pair[1].code})
    assert response.context["form"].errors == {}
    assert [s["commune"] for s in response.context["result"]["sites"]] in ([], [pair[1].code])


def test_planner_page_reads_a_fixed_number_of_times(
    client, territoire, lieu_morlaix, django_assert_num_queries
):
    """A plan and its page: the same reads for 1 site as for 3."""
    url = f"/territoires/{SLUG}/planificateur/"
    with django_assert_num_queries(14):
        response = client.get(url, {**PLAN, "mode": "fixe"})
    assert len(response.context["sites"]) == 3
    with django_assert_num_queries(14):
        client.get(url, {**PLAN, "mode": "fixe", "sites": "1"})
    with django_assert_num_queries(2):  # the territory, the categories of the form
        client.get(url)
