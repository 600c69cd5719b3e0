"""`maillage plan` and `POST /api/v1/plans` on the Pays de Morlaix with one real lieu."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db

CATEGORIE = "demarches-administratives"
CONTRACT = {
    "territoire",
    "categorie",
    "rayon_km",
    "methode",
    "sites",
    "population_totale",
    "population_couverte_avant",
    "population_couverte_apres",
    "borne_superieure",
    "optimal",
    "duree_s",
}


def run_cli(*args: str) -> dict:
    out = StringIO()
    call_command("plan", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def post(client, **payload):
    return client.post("/api/v1/plans", payload, content_type="application/json")


def without_time(result: dict) -> dict:
    return {k: v for k, v in result.items() if k != "duree_s"}


def test_cli_and_api_give_the_same_plan(client, lieu_morlaix):
    """The command and the API return the same JSON (timing aside), with the contract's fields."""
    cli = run_cli(
        "--territoire",
        "pays-de-morlaix",
        "--categorie",
        CATEGORIE,
        "--sites",
        "3",
        "--rayon-km",
        "10",
    )
    response = post(client, territoire="pays-de-morlaix", categorie=CATEGORIE, sites=3, rayon_km=10)
    assert response.status_code == 200
    api = response.json()
    assert without_time(api) == without_time(cli)
    assert CONTRACT <= set(api)
    assert api["methode"] == "glouton"
    assert len(api["sites"]) == 3
    assert set(api["sites"][0]) == {"commune", "nom", "latitude", "longitude", "population_gagnee"}
    gains = [s["population_gagnee"] for s in api["sites"]]
    assert gains == sorted(gains, reverse=True)
    assert api["population_couverte_avant"] > 0  # Morlaix itself is within 10 km of its lieu
    assert api["population_couverte_apres"] == api["population_couverte_avant"] + sum(gains)
    assert api["population_couverte_apres"] <= api["borne_superieure"] <= api["population_totale"]


def test_exact_is_at_least_as_good_as_greedy_and_proved(client, lieu_morlaix):
    """With --exact HiGHS proves the optimum, never below the greedy."""
    args = [
        "--territoire",
        "pays-de-morlaix",
        "--categorie",
        CATEGORIE,
        "--sites",
        "4",
        "--rayon-km",
        "5",
    ]
    greedy = run_cli(*args)
    exact = run_cli(*args, "--exact")
    assert exact["methode"] == "exact" and exact["optimal"] is True
    assert exact["population_couverte_apres"] >= greedy["population_couverte_apres"]
    assert exact["borne_superieure"] == exact["population_couverte_apres"]
    assert greedy["borne_superieure"] >= exact["population_couverte_apres"]


def test_itinerant_mode_proposes_stops_and_a_tour(client, lieu_morlaix):
    """A bus numérique gets K stops among the communes and a visiting order."""
    result = post(
        client,
        territoire="pays-de-morlaix",
        categorie=CATEGORIE,
        sites=4,
        rayon_km=5,
        itinerant=True,
    ).json()
    assert result["mode"] == "itinerant"
    assert sorted(result["tournee"]) == sorted(s["commune"] for s in result["sites"])
    assert result["longueur_tournee_km"] > 0


def test_user_candidates_restrict_the_choice(client, lieu_morlaix):
    """With a list of INSEE codes or names only those communes are proposed; unknown codes
    are named."""
    result = run_cli(
        "--territoire",
        "pays-de-morlaix",
        "--categorie",
        CATEGORIE,
        "--sites",
        "1",
        "--rayon-km",
        "10",
        "--candidats",
        "29151,29239",
    )
    assert result["sites"][0]["commune"] in {"29151", "29239"}
    response = post(
        client,
        territoire="pays-de-morlaix",
        categorie=CATEGORIE,
        sites=1,
        rayon_km=10,
        candidats="29151,99999",
    )
    assert response.status_code == 422
    assert "99999" in response.json()["detail"]
    # Names work as on the planner page, whatever the accents and case.
    by_name = post(
        client,
        territoire="pays-de-morlaix",
        categorie=CATEGORIE,
        sites=1,
        rayon_km=10,
        candidats="roscoff; MORLAIX",
    )
    assert by_name.status_code == 200
    assert by_name.json()["sites"][0]["commune"] in {"29151", "29239"}


@pytest.mark.parametrize(
    ("payload", "status", "message"),
    [
        ({"territoire": "atlantide"}, 404, "Territoire inconnu"),
        ({"categorie": "peche-a-la-ligne"}, 404, "Catégorie inconnue"),
        ({"sites": 0}, 422, "nombre de sites"),
        ({"sites": -2}, 422, "nombre de sites"),
        ({"rayon_km": 0}, 422, "rayon"),
        ({"rayon_km": -5}, 422, "rayon"),
        ({"rayon_km": 5000}, 422, "rayon"),
        ({"sites": 51}, 422, "Au plus 50 sites"),
    ],
)
def test_api_refuses_bad_input_in_french(client, payload, status, message):
    """Bad parameters get a 404 or 422 with a French message, never a 500."""
    body = {"territoire": "pays-de-morlaix", "categorie": CATEGORIE, "sites": 2, "rayon_km": 10}
    response = post(client, **{**body, **payload})
    assert response.status_code == status
    assert message in response.json()["detail"]


def test_api_rejects_malformed_body(client):
    """A missing or mistyped field is a 422, not a 500."""
    response = post(client, territoire="pays-de-morlaix", sites="beaucoup")
    assert response.status_code == 422


def test_cli_refuses_more_sites_than_candidates():
    """K larger than the number of candidate mairies is refused with the count."""
    with pytest.raises(CommandError, match="demandez au plus"):
        run_cli(
            "--territoire",
            "pays-de-morlaix",
            "--categorie",
            CATEGORIE,
            "--sites",
            "100000",
            "--rayon-km",
            "10",
        )


def test_categorie_access_gives_distance_per_commune_and_coverage(lieu_morlaix):
    """Morlaix is within 1 km of its lieu, road = factor × great circle, shares grow with R."""
    from maillage.observatory.plans.compute import territoire_communes
    from maillage.observatory.selectors import categorie_access

    access = categorie_access(territoire_communes("pays-de-morlaix"), CATEGORIE)
    morlaix = access.codes.index("29151")
    assert access.distance_km[morlaix] < 1.0
    assert access.road_km[morlaix] == pytest.approx(1.3 * access.distance_km[morlaix])
    assert 0 < access.coverage(5) <= access.coverage(10) <= access.coverage(20) <= 1


def test_openapi_documents_the_planner(client):
    """The planner endpoint and its output schema appear in the OpenAPI document."""
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/plans" in schema["paths"]
    props = schema["components"]["schemas"]["PlanOut"]["properties"]
    assert {"methode", "sites", "borne_superieure", "optimal", "duree_s"} <= set(props)


def test_cli_text_output_lists_sites_and_coverage(lieu_morlaix):
    """Without --json the command prints the sites in order and the coverage before/after."""
    out = StringIO()
    call_command(
        "plan",
        "--territoire",
        "pays-de-morlaix",
        "--categorie",
        CATEGORIE,
        "--sites",
        "2",
        "--rayon-km",
        "10",
        stdout=out,
    )
    text = out.getvalue()
    assert "  1. " in text and "  2. " in text
    assert "Couverture :" in text and "après" in text
