"""Mise en relation in headless Chromium, by keyboard only: a person asks to be put in touch
with the Fablab, its manager accepts then closes the case, the person's link shows it."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _tab_to(page, css: str, text: str = "") -> None:
    """Press Tab until the focused element matches `css` (and contains `text`)."""
    for _ in range(120):
        page.keyboard.press("Tab")
        if page.evaluate(
            "([css, text]) => { const el = document.activeElement;"
            " return !!el && el.matches(css) && (!text || el.textContent.includes(text)); }",
            [css, text],
        ):
            return
    raise AssertionError(f"« {css} » {text} n'est jamais atteint au clavier")


def _type_into(page, css: str, value: str) -> None:
    _tab_to(page, css)
    page.keyboard.type(value)


def _fablab_service_id(live_url: str) -> int:
    url = live_url + "/api/v1/services?q=fablab"
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
        results = json.load(response)["results"]
    return next(s["id"] for s in results if s["structure"] == "Fablab du Pays de Morlaix")


def test_a_referral_from_request_to_closure_by_keyboard(
    live_url, structure_manager, page, screenshot
):
    service_id = _fablab_service_id(live_url)
    page.goto(f"{live_url}/mise-en-relation/nouvelle/{service_id}/")
    shown_at = time.monotonic()
    expect(page.get_by_role("heading", level=1)).to_have_text("Être mis en relation")
    name = f"Personne au clavier ({page.width_label})"
    _type_into(page, "#id_besoin", "Je voudrais imprimer une pièce en 3D pour mon vélo")
    _type_into(page, "#id_commune", "Morlaix")
    _type_into(page, "#id_nom", name)
    _type_into(page, "#id_courriel", "personne.clavier@example.fr")
    _tab_to(page, "#id_consentement")
    page.keyboard.press("Space")
    expect(page.locator("#id_consentement")).to_be_checked()
    screenshot("mise-en-relation-formulaire")
    # The form refuses answers faster than a person types (MAILLAGE_REFERRAL_MIN_SECONDS).
    page.wait_for_timeout(max(0, 3500 - (time.monotonic() - shown_at) * 1000))
    _tab_to(page, "button[type=submit]", "Envoyer ma demande")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre demande est envoyée")
    follow_url = page.get_by_test_id("follow-link").inner_text()
    screenshot("mise-en-relation-confirmation")

    page.goto(follow_url)
    expect(page.get_by_test_id("referral-status")).to_have_text("Nouvelle")

    # The structure manager logs in and answers.
    email, password = structure_manager
    page.goto(live_url + "/espace/mises-en-relation/")
    _type_into(page, "input[name=username]", email)
    _type_into(page, "input[name=password]", password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mises en relation")
    _tab_to(page, "table a")  # the newest case comes first
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text(name)
    screenshot("mise-en-relation-espace")
    _tab_to(page, "button[type=submit]", "Accepter la demande")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("referral-status")).to_have_text("Acceptée")
    _tab_to(page, "#close-message")
    page.keyboard.type("Pièce imprimée ensemble à l’atelier.")
    _tab_to(page, "button[type=submit]", "Clôturer la demande")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("referral-status")).to_have_text("Clôturée — résolue")
    screenshot("mise-en-relation-cloturee")

    # The person opens their private link, without any account.
    page.context.clear_cookies()
    page.goto(follow_url)
    expect(page.get_by_test_id("referral-status")).to_have_text("Clôturée — résolue")
    expect(page.locator("main")).to_contain_text("Pièce imprimée ensemble à l’atelier.")
    screenshot("mise-en-relation-suivi")
