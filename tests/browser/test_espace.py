"""The management space in headless Chromium: a structure manager edits a service."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_structure_manager_edits_a_service(live_url, structure_manager, page, screenshot):
    email, password = structure_manager
    page.goto(live_url + "/espace/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace")
    expect(page.get_by_test_id("structures")).to_contain_text("Fablab du Pays de Morlaix")
    expect(page.get_by_test_id("structures")).not_to_contain_text("Cyberespace")
    screenshot("espace-gestionnaire")

    page.get_by_role("link", name="Médiation numérique — Fablab du Pays de Morlaix").click()
    description = f"Impression 3D sur rendez-vous ({page.width_label})."
    page.get_by_label("Description").fill(description)
    page.locator("label", has_text="À distance").click()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("Modifications enregistrées")
    expect(page.locator(".espace-history")).to_contain_text(description)
    screenshot("espace-service")

    page.get_by_role("link", name="Voir la fiche publique").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fablab du Pays de Morlaix")
    expect(page.locator("main")).to_contain_text(description)
    screenshot("espace-fiche-publique")

    page.get_by_role("link", name="Signaler une erreur").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Signaler une erreur")
    screenshot("signaler-une-erreur")


def test_lieu_commune_field_autocompletes(live_url, structure_manager, page, screenshot):
    email, password = structure_manager
    page.goto(live_url + "/espace/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Fablab du Pays de Morlaix", exact=True).last.click()
    commune = page.get_by_role("combobox", name="Commune")
    expect(commune).to_have_value("Morlaix (29151)")
    commune.fill("Saint-Pol-de-L")
    option = page.get_by_role("option").first
    expect(option).to_contain_text("Saint-Pol-de-Léon")
    screenshot("espace-lieu-commune")
    option.click()
    expect(commune).to_have_value("Saint-Pol-de-Léon (29259)")
