"""Automatic accessibility audit (axe-core, WCAG 2.1 A and AA rules, on which the RGAA
rests) of the main pages, public and of the management space, at desktop and phone widths.
Automatic rules catch about a third of the RGAA criteria: the keyboard journeys of the other
browser tests and a manual audit cover the rest (docs/accessibilite.md)."""

from __future__ import annotations

import re
from pathlib import Path

import axe_playwright_python
import pytest
from playwright.sync_api import expect

from .test_espace import _login

pytestmark = pytest.mark.browser

AXE_SCRIPT = Path(axe_playwright_python.__file__).parent / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PLAN = (
    "/territoires/nouvelle-aquitaine/planificateur/?categorie=lieux-coworking&sites=3"
    "&rayon_km=10&methode=glouton&limite_s=10&candidats=mairies&liste_candidats=&mode=fixe"
)
PUBLIC = [
    "/",
    "/territoires/pays-de-morlaix/",
    "/communes/29151/",
    "/annuaire/?q=fablab",
    "/observatoire/",
    "/territoires/nouvelle-aquitaine/observatoire/",
    PLAN,
    "/comptes/connexion/",
]
ESPACE = [
    "/espace/",
    "/espace/imports/",
    "/espace/indicateurs/",
    "/espace/correspondances/",
    "/espace/mises-en-relation/",
]


def violations(page) -> list[str]:
    """axe-core's violations on the page as it is, one readable line each."""
    page.wait_for_load_state("networkidle")
    # Through the DevTools protocol, as axe-playwright-python does: a <script> tag added to the
    # page would be refused by the site's Content-Security-Policy (no inline script).
    page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    result = page.evaluate(
        "rules => axe.run(document, {runOnly: {type: 'tag', values: rules}})", WCAG_21_AA
    )
    return [
        f"{v['id']} ({v['impact']}) : {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
    ]


def test_public_pages_pass_the_automatic_audit(live_url, page):
    found = {}
    for path in PUBLIC:
        response = page.goto(live_url + path)
        assert response.status == 200, path
        found[path] = violations(page)
    # The lieu page of the first search result.
    page.goto(live_url + "/annuaire/?q=fablab")
    page.locator("a[href^='/annuaire/lieux/']").first.click()
    found["fiche du lieu"] = violations(page)
    assert not any(found.values()), {k: v for k, v in found.items() if v}


def test_the_guided_journey_and_the_referral_form_pass_the_automatic_audit(live_url, page):
    found = {}
    page.goto(live_url + "/orientation/")
    found["1. profil"] = violations(page)
    page.locator("label[for='id_profil_0']").click()
    page.get_by_role("button", name="Continuer").click()
    expect(page).to_have_title(re.compile("Étape 2 sur 6"))
    found["2. commune"] = violations(page)
    page.locator("#id_commune").fill("29151")
    page.get_by_role("button", name="Continuer").click()
    expect(page).to_have_title(re.compile("Étape 3 sur 6"))
    found["3. besoin"] = violations(page)
    page.get_by_label("Décrivez votre besoin avec vos mots").fill("imprimer en 3d")
    page.get_by_role("button", name="Continuer").click()
    expect(page).to_have_title(re.compile("Étape 4 sur 6"))
    found["4. contraintes"] = violations(page)
    page.get_by_role("button", name="Voir les résultats").click()
    expect(page).to_have_title(re.compile("Étape 5 sur 6"))
    found["5. résultats"] = violations(page)
    page.get_by_role("link", name="Voir la fiche d’orientation").first.click()
    expect(page).to_have_title(re.compile("Étape 6 sur 6"))
    found["6. fiche"] = violations(page)
    page.goto(live_url + "/orientation/resultats/")
    page.locator("a[href^='/mise-en-relation/nouvelle/']").first.click()
    found["mise en relation"] = violations(page)
    assert not any(found.values()), {k: v for k, v in found.items() if v}


def test_management_space_passes_the_automatic_audit(live_url, administrator, page):
    _login(page, live_url, administrator)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace")
    found = {}
    for path in ESPACE:
        response = page.goto(live_url + path)
        assert response.status == 200, path
        found[path] = violations(page)
    assert not any(found.values()), {k: v for k, v in found.items() if v}
