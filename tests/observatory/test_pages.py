"""Observatory pages, downloads and the commune indicators section, on a small hand-built
territory whose figures are known by hand (the planner page: tests/observatory/plans/)."""

import csv
import io
import json
from datetime import date

import pytest

from maillage.observatory import charts
from maillage.observatory.points import road_factor
from maillage.observatory.selectors import categorie_access
from maillage.observatory.services import indicators_recompute
from tests.observatory.factories import (
    CATEGORIE,
    DAY,
    DISTANCE,
    EARLIER,
    TOWNS,
    CategorieFactory,
    IndicateurFactory,
    LieuFactory,
    ServiceFactory,
    StructureFactory,
    ValeurIndicateurFactory,
)
from tests.territories.factories import commune

SLUG = "petit-territoire"

pytestmark = pytest.mark.django_db


def read_csv(response) -> list[dict[str, str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body[1:]), delimiter=";"))


def page_url(table: str = "") -> str:
    return f"/territoires/{SLUG}/observatoire/{table}"


def test_page_lists_every_indicator_of_the_territory_grouped(client, territoire):
    """Computed and imported indicators with values in the territory are offered, grouped;
    an indicator without values there is not."""
    IndicateurFactory(code="lieux:ailleurs", libelle="Lieux ailleurs", unite="lieux")
    response = client.get(page_url())
    assert response.status_code == 200
    choice = response.context["choice"]
    assert [(label, [i.code for i in items]) for label, items in choice.groups()] == [
        ("Population", ["population"]),
        ("Distance au lieu le plus proche", [DISTANCE]),
        ("Indicateurs importés", ["thd"]),
    ]
    assert choice.selected.code == "population"
    html = response.content.decode()
    assert '<optgroup label="Indicateurs importés">' in html
    assert f'value="{DISTANCE}"' in html


def test_coverage_shares_by_hand_and_as_the_back_end(client, territoire):
    """10,000 inhabitants with a distance: 3,000 within 5 km (1,000 by road, 4.5 × 1.3 >
    5), 3,000 within 10 km, 6,000 within 20 km; the same share as CategorieAccess for the
    same distances."""
    response = client.get(page_url())
    (row,) = response.context["coverage"]
    assert row.categorie == CATEGORIE
    assert row.population == 10_000
    assert row.shares == pytest.approx([0.3, 0.3, 0.6])
    assert row.road_shares == pytest.approx([0.1, 0.3, 0.6])
    assert road_factor() == 1.3
    assert "30,0\u00a0%" in response.content.decode()

    rows = read_csv(client.get(page_url("couverture.csv")))
    assert rows[0]["categorie"] == CATEGORIE
    assert rows[0]["part_moins_5_km"] == "0,3"
    assert rows[0]["part_moins_5_km_route"] == "0,1"
    assert rows[0]["population"] == "10000"


def test_coverage_matches_categorie_access_on_computed_distances(client, territoire, lieu_morlaix):
    """Once the indicators are recomputed from the real directory, the page's share is the
    back-end's `CategorieAccess.coverage` for every radius."""
    indicators_recompute(communes=territoire.communes.all(), on=date(2026, 2, 1))
    (row,) = client.get(page_url()).context["coverage"]
    access = categorie_access(territoire.communes.all(), CATEGORIE)
    assert row.shares == pytest.approx([access.coverage(r) for r in (5, 10, 20)])


def test_coverage_counts_the_territorys_lieux_and_services(client, territoire):
    """In a category of its own: service A at a lieu of Morlaix and one of Roscoff, service B
    at the Morlaix one, service C outside the territory: 2 lieux and 2 services."""
    categorie = CategorieFactory(code="test-offre", libelle="Offre comptée")
    structure = StructureFactory(nom="Réseau compté")
    morlaix, roscoff, brest = (
        LieuFactory(structure=structure, commune=commune(code))
        for code in ("29151", "29239", "29019")
    )
    for nom, lieux in (("A", [morlaix, roscoff]), ("B", [morlaix]), ("C", [brest])):
        ServiceFactory(structure=structure, nom=nom, categories=[categorie.code], lieux=lieux)
    indicators_recompute(communes=territoire.communes.all(), on=DAY)
    rows = {row.categorie: row for row in client.get(page_url()).context["coverage"]}
    assert (rows["test-offre"].lieux, rows["test-offre"].services) == (2, 2)
    csv_rows = {r["categorie"]: r for r in read_csv(client.get(page_url("couverture.csv")))}
    assert (csv_rows["test-offre"]["lieux"], csv_rows["test-offre"]["services"]) == ("2", "2")


def test_coverage_over_time_at_the_chosen_radius(client, territoire):
    """Within 5 km: on the latest date Morlaix (2 km) and Roscoff (4.5 km), 3,000 of the
    10,000 inhabitants with a distance; a year earlier every distance was doubled, so only
    Morlaix (4 km): 1,000, that is 10 %."""
    response = client.get(page_url(), {"categorie": CATEGORIE, "rayon": "5"})
    chart = response.context["coverage_evolution"]
    assert [(p.day, p.value, p.count) for p in chart.points] == [
        (EARLIER, pytest.approx(0.1), 4),
        (DAY, pytest.approx(0.3), 4),
    ]
    html = " ".join(response.content.decode().split())
    assert '<title id="couverture-evolution-svg-titre">Part des habitants à moins de 5 km' in html
    assert "<td>10,0 %</td>" in html and "<td>30,0 %</td>" in html  # NBSP folded by split()


def test_white_zones_ranked_by_population_and_downloaded(client, territoire):
    """Beyond 10 km: Carantec (4,000, 30 km) then Landivisiau (3,000, 12 km); the CSV
    holds the same rows with the road estimate."""
    response = client.get(page_url(), {"categorie": CATEGORIE, "rayon": "10"})
    zones = list(response.context["white_zones"])
    assert [(z.code, z.population) for z in zones] == [("29023", 4000), ("29105", 3000)]
    assert response.context["white_population"] == 7000
    rows = read_csv(client.get(page_url("zones-blanches.csv"), {"categorie": CATEGORIE}))
    assert [
        (r["rang"], r["code_commune"], r["distance_km"], r["distance_route_km"]) for r in rows
    ] == [
        ("1", "29023", "30", "39"),
        ("2", "29105", "12", "15,6"),
    ]
    response = client.get(page_url("zones-blanches.csv"), {"categorie": CATEGORIE, "rayon": "20"})
    assert (
        "zones-blanches-demarches-administratives-20km-2026-01-15"
        in response["Content-Disposition"]
    )
    assert [r["code_commune"] for r in read_csv(response)] == ["29023"]


def test_quantile_classes():
    """Five classes of equal counts on 1..10, bounds observed values; ties merge classes."""
    classes = charts.colour_classes([float(v) for v in range(1, 11)])
    assert [(c.minimum, c.maximum, c.count) for c in classes] == [
        (1, 2, 2),
        (2, 4, 2),
        (4, 6, 2),
        (6, 8, 2),
        (8, 10, 2),
    ]
    assert [c.colour for c in classes] == list(charts.CLASS_COLOURS)
    # Eight zeros out of ten: the four lower quantiles are all 0 and merge into one class.
    ties = charts.colour_classes([0.0] * 8 + [1.0, 3.0])
    assert [(c.minimum, c.maximum, c.count) for c in ties] == [(0, 0, 8), (0, 3, 2)]
    assert [c.colour for c in ties] == [charts.CLASS_COLOURS[0], charts.CLASS_COLOURS[4]]


def test_map_values_and_geojson(client, territoire):
    """Four communes with a distance fall in four classes; the fifth is "pas de donnée" in
    the GeoJSON download, which names territory, indicator and date."""
    values = client.get(page_url("valeurs.json"), {"indicateur": DISTANCE}).json()
    assert [(c["min"], c["max"], c["communes"]) for c in values["classes"]] == [
        (2, 2, 1),
        (2, 4.5, 1),
        (4.5, 12, 1),
        (12, 30, 1),
    ]
    assert values["valeurs"] == {
        "29151": [2, 0],
        "29239": [4.5, 1],
        "29105": [12, 2],
        "29023": [30, 3],
    }
    assert values["date"] == "2026-01-15"
    response = client.get(page_url("carte.geojson"), {"indicateur": DISTANCE})
    assert response["Content-Type"] == "application/geo+json"
    assert (
        f"maillage-{SLUG}-carte-distance-plus-proche-demarches-administratives-2026-01-15.geojson"
        in response["Content-Disposition"]
    )
    data = json.loads(
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    by_code = {f["properties"]["code"]: f["properties"] for f in data["features"]}
    assert set(by_code) == set(TOWNS)
    assert by_code["29023"]["valeur"] == 30 and by_code["29023"]["classe"] == 4
    assert by_code["29204"]["valeur"] is None
    assert by_code["29204"]["couleur"] == charts.NO_DATA_COLOUR
    assert data["features"][0]["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    contours = client.get(page_url("contours.geojson")).json()
    assert len(contours["features"]) == 5


def test_values_csv_and_charts(client, territoire):
    """The values CSV has one row per commune with a value; the evolution is the median at
    each snapshot date (8.25 km now, 16.5 km before); charts are accessible SVG."""
    rows = read_csv(client.get(page_url("valeurs.csv"), {"indicateur": DISTANCE}))
    assert [(r["code_commune"], r["valeur"], r["classe"]) for r in rows] == [
        ("29023", "30", "4"),
        ("29105", "12", "3"),
        ("29151", "2", "1"),
        ("29239", "4,5", "2"),
    ]
    evolution = read_csv(client.get(page_url("evolution.csv"), {"indicateur": DISTANCE}))
    assert [(r["date"], r["mediane"]) for r in evolution] == [
        ("2025-01-15", "16,5"),
        ("2026-01-15", "8,25"),
    ]
    distribution = read_csv(client.get(page_url("distribution.csv"), {"indicateur": DISTANCE}))
    assert sum(int(r["communes"]) for r in distribution) == 4
    html = client.get(page_url(), {"indicateur": DISTANCE}).content.decode()
    # Histogram and median over time, and the white zones' coverage over time.
    assert html.count('role="img"') == 3
    assert '<title id="evolution-svg-titre">' in html
    assert "<caption>Médiane du territoire à chaque date de calcul</caption>" in html


def test_unknown_territory_and_indicator(client, territoire):
    """An unknown territory is a 404 everywhere; an unknown indicator is named in a clear
    message and the page falls back to the population."""
    for url in (
        "/territoires/atlantide/observatoire/",
        "/territoires/atlantide/observatoire/couverture.csv",
        "/territoires/atlantide/planificateur/",
    ):
        assert client.get(url).status_code == 404
    response = client.get(page_url(), {"indicateur": "inconnu"})
    assert response.status_code == 200
    assert "Indicateur inconnu : « inconnu »" in response.content.decode()
    assert response.context["indicateur"].code == "population"
    assert client.get(page_url("valeurs.json"), {"indicateur": "inconnu"}).status_code == 404


def test_commune_page_shows_the_same_figures_as_the_api(client, territoire):
    """Each latest value and its national and territory medians are those of
    `GET /api/v1/communes/{code}/indicateurs?territoire=…`."""
    response = client.get("/communes/29239/")
    rows = {row["code"]: row for row in response.context["indicateurs"]}
    territoires = response.context["territoires"]
    assert SLUG in {t.slug for t in territoires}
    for t in territoires:
        api = client.get("/api/v1/communes/29239/indicateurs", {"territoire": t.slug}).json()
        assert {r["code"] for r in api["indicateurs"]} == set(rows)
        for expected in api["indicateurs"]:
            row = rows[expected["code"]]
            assert row["valeur"] == expected["valeur"]
            assert row["date"].isoformat() == expected["date"]
            assert row["mediane_nationale"] == expected["mediane_nationale"]
            assert dict(row["medianes_territoires"])[t] == expected["mediane_territoire"]
    # Distances in the small territory: 2, 4.5, 12, 30 → median 8.25.
    assert dict(rows[DISTANCE]["medianes_territoires"])[territoire] == 8.25
    html = response.content.decode()
    assert "Médiane Petit territoire" in html and "8,25" in html
    csv_rows = {r["code"]: r for r in read_csv(client.get("/communes/29239/indicateurs.csv"))}
    assert csv_rows[DISTANCE]["valeur"] == "4,5"
    assert csv_rows[DISTANCE][f"mediane_{SLUG}"] == "8,25"


def test_commune_page_without_values_or_population(client):
    """A commune with no indicator and no population says so."""
    town = commune("29204")
    town.population = None
    town.save(update_fields=["population"])
    html = client.get("/communes/29204/").content.decode()
    assert "Aucun indicateur n’est encore disponible pour cette commune." in html
    assert "La population de cette commune n’est pas connue" in html


def test_observatory_page_reads_a_fixed_number_of_times(
    client, territoire, django_assert_num_queries
):
    """The page's queries do not grow with the number of categories it lists: two more
    distance indicators cost no query."""
    with django_assert_num_queries(21):
        assert client.get(page_url()).status_code == 200
    for code in ("prototypage-fabrication", "culture-numerique"):
        extra = IndicateurFactory(distance=True, categorie=code)
        for town in ("29151", "29239"):
            ValeurIndicateurFactory(indicateur=extra, commune=commune(town), valeur=3)
    with django_assert_num_queries(21):
        response = client.get(page_url())
    assert len(response.context["coverage"]) == 3


def test_downloads_neutralise_formulas_and_keep_numbers(client):
    """An imported indicator named like a formula comes out with a quote in the commune's
    CSV; its negative value stays a number."""
    formula = IndicateurFactory(
        importe=True, code="solde", libelle='=HYPERLINK("http://x")', source="@source"
    )
    ValeurIndicateurFactory(indicateur=formula, commune=commune("29151"), valeur=-2.5)
    (row,) = [
        r for r in read_csv(client.get("/communes/29151/indicateurs.csv")) if r["code"] == "solde"
    ]
    assert row["libelle"] == '\'=HYPERLINK("http://x")'
    assert row["source"] == "'@source"
    assert row["valeur"] == "-2,5"
