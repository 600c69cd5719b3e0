"""The Content-Security-Policy in a real browser: the main pages raise no violation and no
console error, and a lieu whose name is an HTML payload shows as text on the pages and in
the map tooltips and popups; any dialog it could open fails the test.

The lieu is imported in Lorient, away from the Morlaix lieux the other browser tests count."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from .conftest import ADMIN_EMAIL, _lieu

pytestmark = pytest.mark.browser

PAYLOAD = "<img src=x onerror=alert(1)>"
HOSTILE = _lieu(
    "xss",
    PAYLOAD,
    "Lorient",
    "56100",
    47.7482,
    -3.3702,
    services="Loisirs et créations numériques",
    frais_a_charge="Gratuit",
    presentation_detail='<script>alert("présentation")</script> Impression 3D.',
)
CSP_WORDS = ("Content Security Policy", "Content-Security-Policy", "Permissions-Policy")
# Nothing listens on the tiles' port: those failed loads are expected, not violations.
UNREACHABLE = "127.0.0.1:9/"


@pytest.fixture(scope="module")
def hostile_lieu(live_manage, tmp_path_factory):
    path = tmp_path_factory.mktemp("xss") / "lieux.json"
    path.write_text(json.dumps([HOSTILE]), encoding="utf-8")
    live_manage("import_lieux", str(path), "--source", "Essai hostile", "-v0")
    return PAYLOAD


@pytest.fixture
def watched(page):
    """The page, with every CSP violation, console error and dialog recorded."""
    seen: dict[str, list[str]] = {"violations": [], "console": [], "dialogs": []}
    page.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation', e => window.__violations.push("
        "e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sourceFile || '') + ':'"
        " + e.lineNumber));"
    )

    def on_console(message):
        if message.type != "error":
            return
        where = (message.location or {}).get("url", "")
        if UNREACHABLE in where or UNREACHABLE in message.text or where.endswith("/favicon.ico"):
            return  # the tiles' closed port; the admin's pages have no favicon link
        seen["console"].append(f"{message.text} ({where})")

    def on_dialog(dialog):
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("console", on_console)
    page.on("dialog", on_dialog)

    def check(label: str) -> None:
        violations = page.evaluate("window.__violations || []")
        assert not violations, f"{label} : violations de la CSP {violations}"
        assert not seen["console"], f"{label} : erreurs de la console {seen['console']}"
        assert not seen["dialogs"], f"{label} : boîte de dialogue ouverte {seen['dialogs']}"

    page.check_clean = check  # type: ignore[attr-defined]
    yield page
    check("fin du test")


def shows_as_text(page, scope) -> None:
    """The payload is on the page as text, and no element came out of it."""
    expect(scope.get_by_text(PAYLOAD, exact=False).first).to_be_visible()
    assert page.locator("img[src='x']").count() == 0


def test_public_pages_raise_no_csp_violation(live_url, hostile_lieu, watched):
    page = watched
    for path in [
        "/",
        "/communes/56121/",
        "/territoires/pays-de-lorient/",
        "/territoires/pays-de-lorient/observatoire/",
        "/api/v1/docs",
    ]:
        response = page.goto(live_url + path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        page.check_clean(path)
    # The observatory's map is drawn under the policy.
    page.goto(live_url + "/territoires/pays-de-lorient/observatoire/")
    expect(page.locator("#observatoire-map")).to_have_attribute(
        "data-loaded", re.compile(r"^\d+$"), timeout=60_000
    )
    page.check_clean("carte de l'observatoire")


def test_hostile_name_is_text_in_the_directory_its_map_popup_and_its_page(
    live_url, hostile_lieu, watched
):
    page = watched
    page.goto(live_url + "/annuaire/")
    page.get_by_label("Près de quelle commune ?").fill("Lorient")
    page.get_by_role("button", name="Rechercher").click()
    results = page.locator(".directory-result")
    expect(results.filter(has_text=PAYLOAD)).to_have_count(1)
    shows_as_text(page, page.locator("main"))
    # « Voir sur la carte » opens the marker's popup, out of its cluster if need be.
    results.filter(has_text=PAYLOAD).get_by_role("button", name="Voir sur la carte").click()
    popup = page.locator("#directory-map .leaflet-popup-content")
    expect(popup).to_have_text(PAYLOAD)
    assert popup.locator("img").count() == 0
    page.check_clean("annuaire et bulle de la carte")

    popup.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PAYLOAD)
    expect(page.locator("main")).to_contain_text('<script>alert("présentation")</script>')
    assert page.locator("img[src='x']").count() == 0
    expect(page.locator("#lieu-map .leaflet-marker-icon")).to_have_count(1)
    page.check_clean("page du lieu")


def test_hostile_name_is_text_in_the_planner_map_tooltips(live_url, hostile_lieu, watched):
    page = watched
    page.goto(live_url + "/territoires/pays-de-lorient/planificateur/")
    page.get_by_label("Catégorie de service").select_option("loisirs-creations")
    page.get_by_label("Nombre de sites à proposer (K)").fill("2")
    page.get_by_role("button", name="Calculer les sites").click()
    expect(
        page.get_by_role("heading", level=2, name=re.compile("sites? proposés?"))
    ).to_be_visible()
    expect(page.locator("#plan-map .obs-site-marker").first).to_be_visible()
    tooltip = page.locator("#plan-map .leaflet-tooltip")
    found = False
    dots = page.locator("#plan-map path.leaflet-interactive")
    for index in range(dots.count()):
        dots.nth(index).hover(force=True)
        if tooltip.count() and PAYLOAD in tooltip.last.inner_text():
            found = True
            break
    assert found, "la bulle du lieu hostile n'est jamais apparue"
    assert tooltip.locator("img").count() == 0
    # The numbered sites' tooltips are text too.
    page.locator("#plan-map .obs-site-marker").first.hover()
    expect(tooltip.last).to_contain_text("habitants")
    page.check_clean("planificateur")


def test_orientation_journey_under_the_policy(live_url, hostile_lieu, watched):
    page = watched
    page.goto(live_url + "/orientation/")
    page.locator("label[for=id_profil_0]").click()
    page.get_by_role("button", name="Continuer").click()
    commune = page.locator("#id_commune")
    commune.fill("Lorient")
    page.locator("#journey-commune-listbox [role=option]").first.click()
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label("Décrivez votre besoin avec vos mots").fill(
        "atelier creatif pour imprimer en 3d"
    )
    page.get_by_role("button", name="Continuer").click()
    page.get_by_role("button", name="Voir les résultats").click()
    expect(page).to_have_title(re.compile("^Résultats"))
    page.wait_for_load_state("networkidle")
    results = page.locator(".orientation-result")
    expect(results.filter(has_text=PAYLOAD).first).to_be_visible()
    assert page.locator("img[src='x']").count() == 0
    page.check_clean("résultats de l'orientation")
    page.get_by_role("link", name="Voir la fiche d’orientation").click()
    expect(page.get_by_test_id("fiche")).to_contain_text(PAYLOAD)
    page.check_clean("fiche d'orientation")


def test_management_space_under_the_policy(live_url, hostile_lieu, administrator, watched):
    page = watched
    email, password = administrator
    assert email == ADMIN_EMAIL
    page.goto(live_url + "/espace/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.wait_for_load_state("networkidle")
    page.check_clean("espace de gestion")
    page.goto(live_url + "/admin/")
    expect(page.locator("#site-name")).to_contain_text("Administration de Maillage")
    page.check_clean("administration")
