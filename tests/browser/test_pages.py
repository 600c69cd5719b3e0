"""Home, territory and commune pages in headless Chromium, at desktop and phone widths."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_home_lists_the_demo_territories(live_url, page, screenshot):
    page.goto(live_url + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("numérique")
    cards = page.get_by_test_id("territoires")
    for name in ["Pays de Morlaix", "Pays de Lorient", "Pays de Verdun", "Nouvelle-Aquitaine"]:
        expect(cards.get_by_role("link", name=name)).to_be_visible()
    screenshot("accueil")


def test_territory_map_draws_commune_contours_without_tiles(live_url, page, screenshot):
    """Tiles point to a closed port: the contours still come, from Maillage itself."""
    page.goto(live_url + "/territoires/pays-de-morlaix/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pays de Morlaix")
    status = page.locator("[data-map-status]")
    expect(status).to_have_text(re.compile(r"^\d+ communes affichées sur la carte\.$"))
    shown = int(status.inner_text().split()[0])
    assert shown >= 59
    contours = page.locator("#territoire-map path.leaflet-interactive")
    assert contours.count() == shown
    box = page.locator("#territoire-map").bounding_box()
    assert box["width"] <= page.viewport_size["width"]
    screenshot("territoire-pays-de-morlaix")


def test_commune_autocomplete_by_keyboard_only(live_url, page, screenshot):
    """Skip link → search field → type → arrow down → Enter opens the commune page."""
    page.goto(live_url + "/")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Contenu")
    page.keyboard.press("Enter")
    field = page.get_by_role("combobox", name=re.compile("Trouver une commune"))
    for _ in range(10):
        page.keyboard.press("Tab")
        if field.evaluate("element => element === document.activeElement"):
            break
    expect(field).to_be_focused()
    page.keyboard.type("st pol de leon", delay=20)
    listbox = page.get_by_role("listbox", name="Communes proposées")
    expect(listbox).to_be_visible()
    expect(field).to_have_attribute("aria-expanded", "true")
    expect(listbox.get_by_role("option").first).to_contain_text("Saint-Pol-de-Léon")
    expect(page.locator("[data-status]").first).to_contain_text("proposée")
    page.keyboard.press("ArrowDown")
    expect(field).to_have_attribute("aria-activedescendant", re.compile(r"-0$"))
    screenshot("autocompletion")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/communes/29259/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Saint-Pol-de-Léon")


def test_commune_page_shows_its_contour_and_mairie(live_url, page, screenshot):
    page.goto(live_url + "/communes/29151/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Morlaix")
    expect(page.get_by_text("Place des Otages")).to_be_visible()
    expect(page.locator("#commune-map path.leaflet-interactive")).to_have_count(1)
    expect(page.locator("#commune-map .leaflet-marker-icon")).to_have_count(1)
    screenshot("commune-morlaix")
