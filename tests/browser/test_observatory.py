"""Observatory and planner of Nouvelle-Aquitaine in headless Chromium, desktop and phone.

`maillage serve` computes the indicators of the demo territories on its first run, so the
observatory has something to show on a fresh database."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# In the demo directory coworking spaces are scarce in Nouvelle-Aquitaine (about 1 % of
# the population within 10 km), so the map varies and the planner has gaps to fill.
CATEGORIE = "lieux-coworking"
DISTANCE = f"distance-plus-proche:{CATEGORIE}"


def fill_colours(page) -> dict[str, int]:
    """Number of communes painted in each colour (the map draws on a canvas)."""
    fills = page.locator("#observatoire-map").get_attribute("data-fills") or ""
    return {fill: int(n) for fill, n in (item.split(":") for item in fills.split(",") if item)}


def test_switching_indicator_redraws_the_map_then_planner_places_three_sites(
    live_url, page, screenshot
):
    page.goto(live_url + "/territoires/nouvelle-aquitaine/observatoire/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nouvelle-Aquitaine")
    map_element = page.locator("#observatoire-map")
    expect(map_element).to_have_attribute("data-loaded", re.compile(r"^\d{4}$"), timeout=60_000)
    expect(page.locator("[data-map-status]")).to_contain_text("Population municipale")
    before = fill_colours(page)
    assert len(before) >= 5  # five quantile classes of population
    assert sum(before.values()) >= 4000
    legend_before = page.get_by_test_id("legende").inner_text()
    screenshot("observatoire-population")

    url_before = page.url
    page.get_by_label("Indicateur affiché").select_option(DISTANCE)
    expect(map_element).to_have_attribute("data-indicateur", DISTANCE, timeout=30_000)
    expect(page.get_by_test_id("legende")).to_have_attribute("data-indicateur", DISTANCE)
    expect(page.locator("#carte-titre")).to_contain_text("Distance au lieu le plus proche")
    after = fill_colours(page)
    assert after != before
    assert page.get_by_test_id("legende").inner_text() != legend_before
    assert page.url != url_before and "indicateur=" in page.url  # switched without a reload
    expect(page.get_by_test_id("couverture")).to_be_visible()
    # The white zones follow the indicator's category, and their own form keeps it.
    expect(page.locator("#zones-categorie")).to_have_value(CATEGORIE)
    expect(page.locator('#zones-blanches input[name="indicateur"]')).to_have_value(DISTANCE)
    expect(page.get_by_test_id("zones-blanches-resume")).to_contain_text(
        "Lieux de travail partagés"
    )
    box = map_element.bounding_box()
    assert box["width"] <= page.viewport_size["width"]
    screenshot("observatoire-distance")

    page.get_by_role("link", name="Planifier de nouveaux sites").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Planificateur")
    page.get_by_label("Catégorie de service").select_option(CATEGORIE)
    page.get_by_label("Nombre de sites à proposer (K)").fill("3")
    page.get_by_label(re.compile("Rayon de couverture")).fill("10")
    # The list of candidate communes shows only when that choice is made.
    liste = page.get_by_label("Communes candidates")
    expect(liste).to_be_hidden()
    page.get_by_label("Emplacements candidats").select_option("liste")
    expect(liste).to_be_visible()
    expect(liste).to_be_focused()
    page.get_by_label("Emplacements candidats").select_option("mairies")
    expect(liste).to_be_hidden()
    page.get_by_role("button", name="Calculer les sites").click()
    expect(
        page.get_by_role("heading", level=2, name=re.compile("3 sites proposés"))
    ).to_be_visible()
    markers = page.locator("#plan-map .obs-site-marker")
    expect(markers).to_have_count(3)
    # The communes' outlines are drawn under the sites.
    expect(page.locator("#plan-map")).to_have_attribute(
        "data-communes", re.compile(r"^\d{4}$"), timeout=60_000
    )
    assert markers.evaluate_all("ms => ms.map(m => m.textContent)") == ["1", "2", "3"]
    expect(page.get_by_test_id("sites").locator("tbody tr")).to_have_count(3)
    screenshot("planificateur-3-sites")
