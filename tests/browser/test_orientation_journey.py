"""The whole product in headless Chromium, by keyboard only (Tab, Shift+Tab, Space, Enter,
arrows and typing): from « Qui êtes-vous ? » to the printed fiche, then a mise en relation
with the Fablab, which its manager accepts and closes; the person's private link shows it.
The scenario runs once at desktop width; at 375 px the key pages are loaded again for
screenshots and a no-horizontal-overflow check."""

import re
import time

import pytest
from playwright.sync_api import expect

from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser

NEED = "atelier creatif pour imprimer en 3d"
PERSON = "Personne au clavier"

MAX_TABS = 120


def _focused(page) -> str:
    return page.evaluate(
        "() => { const el = document.activeElement;"
        " return (el.id || '') + '|' + (el.textContent || '').trim() + '|' + (el.name || ''); }"
    )


def tab_to(page, target, *, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches `target`."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{target} jamais atteint au clavier (focus sur {_focused(page)})")


@pytest.mark.parametrize("page", [(1280, 900)], indirect=True, ids=["bureau"])
def test_the_whole_journey_by_keyboard_only(  # noqa: PLR0915 - one scenario, told in order
    live_url, structure_manager, browser, page, screenshot
):
    page.add_init_script("window.print = () => { window.__printed = true; };")
    page.goto(live_url + "/")
    menu = page.locator("#fr-navigation").get_by_role("link", name="Trouver de l’aide")
    tab_to(page, menu)
    page.keyboard.press("Enter")

    # 1. Qui êtes-vous ? A professional's second question is hidden until chosen.
    expect(page).to_have_title("Qui êtes-vous ? — Étape 1 sur 6 — Trouver de l'aide — Maillage")
    expect(page.get_by_text("La personne que vous accompagnez est")).to_be_hidden()
    first = page.locator("#id_profil_0")
    tab_to(page, first)
    page.keyboard.press("Space")
    expect(first).to_be_checked()
    for _ in range(5):
        page.keyboard.press("ArrowDown")  # to « professionnel »
    expect(page.get_by_text("La personne que vous accompagnez est")).to_be_visible()
    for _ in range(5):
        page.keyboard.press("ArrowUp")  # back to « particulier »
    expect(page.get_by_text("La personne que vous accompagnez est")).to_be_hidden()
    tab_to(page, page.get_by_role("button", name="Continuer"))
    page.keyboard.press("Enter")

    # 2. Où ? The commune combobox, by keyboard.
    expect(page).to_have_title("Où ? — Étape 2 sur 6 — Trouver de l'aide — Maillage")
    commune = page.locator("#id_commune")
    tab_to(page, commune)
    page.keyboard.type("Morlaix")
    expect(page.locator("#journey-commune-listbox [role=option]").first).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(commune).to_have_value("Morlaix (29151)")
    tab_to(page, page.get_by_role("button", name="Continuer"))
    page.keyboard.press("Enter")

    # 3. Le besoin: typing suggests categories; a suggestion ticks its box.
    expect(page).to_have_title(
        "Quel est votre besoin ? — Étape 3 sur 6 — Trouver de l'aide — Maillage"
    )
    tab_to(page, page.get_by_label("Décrivez votre besoin avec vos mots"))
    page.keyboard.type(NEED)
    suggestion = page.get_by_role("button", name="Catégorie suggérée : Loisirs et créations")
    expect(suggestion).to_be_visible()
    expect(page.locator("[data-suggestions-status]")).to_contain_text("suggérée")
    tab_to(page, suggestion)
    page.keyboard.press("Space")
    box = page.locator("#categorie-loisirs-creations")
    expect(box).to_be_checked()
    expect(suggestion).to_have_attribute("aria-pressed", "true")
    expect(suggestion).to_be_focused()
    screenshot("orientation-besoin")
    tab_to(page, page.get_by_role("button", name="Continuer"))
    page.keyboard.press("Enter")

    # 4. Contraintes: 20 km, chosen with the arrows in the select.
    expect(page).to_have_title("Contraintes — Étape 4 sur 6 — Trouver de l'aide — Maillage")
    rayon = page.get_by_label("Jusqu'à quelle distance pouvez-vous vous déplacer ?")
    tab_to(page, rayon)
    page.keyboard.press("ArrowDown")
    expect(rayon).to_have_value("20")
    tab_to(page, page.get_by_role("button", name="Voir les résultats"))
    page.keyboard.press("Enter")

    # 5. Résultats: categories with why, ranked services with reasons, numbered markers.
    expect(page).to_have_title("Résultats — Étape 5 sur 6 — Trouver de l'aide — Maillage")
    expect(page.get_by_test_id("categories")).to_contain_text("Loisirs et créations numériques")
    results = page.locator(".orientation-result")
    expect(results.first).to_contain_text("Fablab du Pays de Morlaix")
    count = results.count()
    assert count >= 1
    expect(results.first).to_contain_text("km")
    markers = page.locator("#orientation-map .orientation-marker")
    expect(markers.first).to_have_text("1")
    expect(page.locator("#orientation-map")).to_have_attribute("data-markers", re.compile("[1-9]"))
    screenshot("orientation-resultats")

    # « Modifier ma recherche » goes back to a step with the answers kept (Shift+Tab, Enter).
    fiche_link = page.get_by_role("link", name="Voir la fiche d’orientation")
    tab_to(page, fiche_link)
    tab_to(page, page.get_by_role("link", name="Quel est votre besoin ?"), backwards=True)
    page.keyboard.press("Enter")
    expect(page.get_by_label("Décrivez votre besoin avec vos mots")).to_have_value(NEED)
    expect(box).to_be_checked()
    page.go_back()

    # 6. La fiche: printed without header, menu, stepper or buttons.
    tab_to(page, page.get_by_role("link", name="Voir la fiche d’orientation"))
    page.keyboard.press("Enter")
    expect(page).to_have_title("Fiche d'orientation — Étape 6 sur 6 — Trouver de l'aide — Maillage")
    fiche = page.get_by_test_id("fiche")
    expect(fiche).to_contain_text(f"« {NEED} »")
    expect(fiche).to_contain_text("Prochaines étapes")
    expect(fiche.locator(".orientation-fiche__service")).to_have_count(count)
    print_button = page.get_by_role("button", name="Imprimer")
    tab_to(page, print_button)
    page.keyboard.press("Enter")
    assert page.evaluate("window.__printed") is True
    screenshot("orientation-fiche")
    page.emulate_media(media="print")
    expect(page.locator("header.fr-header")).to_be_hidden()
    expect(page.locator("footer.fr-footer")).to_be_hidden()
    expect(page.locator(".fr-stepper")).to_be_hidden()
    expect(print_button).to_be_hidden()
    expect(fiche).to_be_visible()
    page.emulate_media(media="screen")

    # 7. Back to the results, then « Demander une mise en relation » on the Fablab.
    tab_to(page, page.get_by_role("link", name="Retour aux résultats"))
    page.keyboard.press("Enter")
    fablab = results.filter(has_text="Fablab du Pays de Morlaix").first
    tab_to(page, fablab.get_by_role("link", name=re.compile("Demander une mise en relation")))
    page.keyboard.press("Enter")
    shown_at = time.monotonic()
    expect(page.get_by_role("heading", level=1)).to_have_text("Être mis en relation")
    form = page.get_by_test_id("referral-form")
    expect(form.locator("textarea[name=besoin]")).to_have_count(0)  # known from the journey
    expect(page.locator("main")).to_contain_text(NEED)
    tab_to(page, page.locator("#id_nom"))
    page.keyboard.type(PERSON)
    tab_to(page, page.locator("#id_courriel"))
    page.keyboard.type("personne.clavier@example.fr")
    consent = page.locator("#id_consentement")
    tab_to(page, consent)
    page.keyboard.press("Space")
    expect(consent).to_be_checked()
    screenshot("mise-en-relation-formulaire")
    referral_form_url = page.url
    # The form refuses answers faster than a person types (MAILLAGE_REFERRAL_MIN_SECONDS).
    page.wait_for_timeout(max(0, 3500 - (time.monotonic() - shown_at) * 1000))
    tab_to(page, page.get_by_role("button", name="Envoyer ma demande"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre demande est envoyée")
    follow_url = page.get_by_test_id("follow-link").inner_text()
    screenshot("mise-en-relation-confirmation")

    # 8. The Fablab's manager logs in, accepts, then closes the case as résolue.
    email, password = structure_manager
    page.goto(live_url + "/espace/mises-en-relation/")
    tab_to(page, page.locator("input[name=username]"))
    page.keyboard.type(email)
    tab_to(page, page.locator("input[name=password]"))
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mises en relation")
    tab_to(page, page.locator("table a").first)  # the newest case comes first
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text(PERSON)
    detail_url = page.url
    tab_to(page, page.get_by_role("button", name="Accepter la demande"))
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("referral-status")).to_have_text("Acceptée")
    tab_to(page, page.locator("#close-message"))
    page.keyboard.type("Pièce imprimée ensemble à l’atelier.")
    tab_to(page, page.get_by_role("button", name="Clôturer la demande"))
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("referral-status")).to_have_text("Clôturée — résolue")
    screenshot("mise-en-relation-espace")

    # 9. The person opens their private link, without any account (a fresh browser).
    person = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    try:
        follow = person.new_page()
        follow.goto(follow_url)
        expect(follow.get_by_test_id("referral-status")).to_have_text("Clôturée — résolue")
        expect(follow.locator("main")).to_contain_text("Pièce imprimée ensemble à l’atelier.")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        follow.screenshot(path=str(ARTIFACTS / "mise-en-relation-suivi-bureau.png"), full_page=True)
        follow.set_viewport_size({"width": 375, "height": 812})
        assert follow.evaluate("document.documentElement.scrollWidth") <= 375
        path = ARTIFACTS / "mise-en-relation-suivi-telephone.png"
        follow.screenshot(path=str(path), full_page=True)
    finally:
        person.close()

    # Phone width: the key pages again (the session still holds the journey and the manager's
    # login), nothing wider than the screen.
    page.set_viewport_size({"width": 375, "height": 812})
    page.width_label = "telephone"
    for name, url in (
        ("orientation-besoin", f"{live_url}/orientation/besoin/"),
        ("orientation-resultats", f"{live_url}/orientation/resultats/"),
        ("orientation-fiche", f"{live_url}/orientation/fiche/"),
        ("mise-en-relation-formulaire", referral_form_url),
        ("mise-en-relation-espace", detail_url),
    ):
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
        assert page.url == url, f"{name} : redirigé vers {page.url}"
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, name
        screenshot(name)
