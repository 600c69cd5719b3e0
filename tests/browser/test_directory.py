"""The directory in headless Chromium: search near a commune, filter, list and map agree."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_search_filter_and_open_a_lieu(live_url, page, screenshot):
    page.goto(live_url + "/annuaire/")
    page.get_by_label("Que cherchez-vous ?").fill("impression 3D")
    page.get_by_label("Près de quelle commune ?").fill("Morlaix")
    page.get_by_label("Dans un rayon de").select_option("20")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_test_id("result-count")).to_contain_text("2 services")
    cards = page.locator(".directory-result")
    expect(cards).to_have_count(2)
    expect(page.locator("#directory-map")).to_have_attribute("data-markers", "2")
    screenshot("annuaire-impression-3d")

    page.locator("summary", has_text="Plus de critères").click()
    page.locator("label[for=id_gratuit]").click()  # the DSFR draws the box on the label
    expect(page.get_by_label("Gratuit seulement")).to_be_checked()
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_test_id("result-count")).to_contain_text("1 service")
    expect(cards).to_have_count(1)
    expect(page.locator("#directory-map")).to_have_attribute("data-markers", "1")
    expect(cards.first).to_contain_text("Médiathèque de Saint-Pol-de-Léon")
    expect(page.locator("#directory-map .leaflet-marker-icon")).to_have_count(1)
    screenshot("annuaire-gratuit")

    page.locator("#directory-map .leaflet-marker-icon").first.click()
    expect(cards.first).to_have_class(re.compile("directory-result--active"))

    cards.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Médiathèque de Saint-Pol-de-Léon")
    expect(page.get_by_test_id("horaires")).to_contain_text("09:00 – 12:00, 14:00 – 17:00")
    expect(page.get_by_test_id("completeness")).to_contain_text("%")
    screenshot("lieu")
