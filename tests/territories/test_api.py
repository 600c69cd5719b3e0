"""The commune autocomplete and territory endpoints of /api/v1/."""

import pytest

pytestmark = pytest.mark.django_db


def _search(client, q, **params):
    response = client.get("/api/v1/communes", {"q": q, **params})
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("morlaix", "29151"),
        ("29600", "29151"),
        ("st pol de leon", "29259"),
        ("SAINT-POL-DE-LÉON", "29259"),
        ("saint pol", "29259"),
        ("le havre", "76351"),
        ("havre", "76351"),
        ("l'haÿ les roses", "94038"),
        ("paris", "75056"),
        ("lyon 3", "69383"),
        ("ste rose", "97129"),
        ("97129", "97129"),
    ],
)
def test_the_right_commune_comes_first(client, query, code):
    body = _search(client, query)
    assert body["results"][0]["code"] == code, [r["nom"] for r in body["results"]]


def test_result_fields_follow_the_contract(client):
    result = _search(client, "morlaix")["results"][0]
    assert result == {
        "code": "29151",
        "nom": "Morlaix",
        "type": "COM",
        "codes_postaux": ["29600"],
        "departement": "29",
        "departement_nom": "Finistère",
        "population": result["population"],
        "latitude": result["latitude"],
        "longitude": result["longitude"],
    }
    assert result["population"] > 10_000


def test_prefix_matches_come_before_larger_communes_containing_the_text(client):
    """ "mor" starts Morlaix and Mormant before it appears inside larger names."""
    names = [r["nom"] for r in _search(client, "mor")["results"]]
    assert all(name.lower().startswith("mor") for name in names[:5])


def test_ties_are_broken_by_population(client):
    results = _search(client, "sainte marie", limit=5)["results"]
    populations = [r["population"] for r in results if r["nom"] == "Sainte-Marie"]
    assert populations == sorted(populations, reverse=True)


def test_a_postal_code_prefix_lists_its_communes(client):
    results = _search(client, "2960", limit=50)["results"]
    assert results and all(any(cp.startswith("2960") for cp in r["codes_postaux"]) for r in results)


@pytest.mark.parametrize(
    "query", ["", "   ", "zzzzqqq", "<script>alert(1)</script>", "🙂", "x" * 5000]
)
def test_odd_queries_answer_empty_not_error(client, query):
    body = _search(client, query)
    assert body["results"] == [] or query.strip() == ""


def test_limit_is_bounded(client):
    assert client.get("/api/v1/communes", {"q": "saint", "limit": 500}).status_code == 422
    assert len(_search(client, "saint", limit=50)["results"]) == 50


def test_openapi_schema_documents_the_public_endpoints(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "API Maillage"
    for path in ["/api/v1/communes", "/api/v1/territoires", "/api/v1/taches/{task_id}"]:
        assert path in schema["paths"], path
    props = schema["components"]["schemas"]["CommuneOut"]["properties"]
    assert {"code", "nom", "codes_postaux", "departement", "population"} <= set(props)


def test_territories_are_listed_with_their_figures(client):
    body = client.get("/api/v1/territoires").json()
    slugs = {t["slug"] for t in body}
    assert {"pays-de-morlaix", "pays-de-lorient", "pays-de-verdun", "nouvelle-aquitaine"} <= slugs
    morlaix = next(t for t in body if t["slug"] == "pays-de-morlaix")
    assert morlaix["nombre_communes"] > 50 and morlaix["population"] > 100_000


def test_territory_geojson_has_one_feature_per_commune(client):
    response = client.get("/api/v1/territoires/pays-de-morlaix/communes.geojson")
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    detail = client.get("/api/v1/territoires/pays-de-morlaix").json()
    assert body["type"] == "FeatureCollection"
    assert len(body["features"]) == detail["nombre_communes"]
    assert body["features"][0]["geometry"]["type"] in {"Polygon", "MultiPolygon"}


def test_unknown_territory_is_a_french_404(client):
    response = client.get("/api/v1/territoires/atlantide")
    assert response.status_code == 404
    assert response.json() == {"detail": "Territoire inconnu"}


def test_search_costs_two_queries(client, django_assert_num_queries):
    """One to check the index version, one to read the communes shown."""
    client.get("/api/v1/communes", {"q": "morlaix"})  # builds this process's index
    with django_assert_num_queries(2):
        client.get("/api/v1/communes", {"q": "saint pol"})
