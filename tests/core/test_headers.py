"""Content-Security-Policy and Permissions-Policy on every response, and the code the policy
relies on: no inline script, no style attribute, no JavaScript that parses data as HTML."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import override_settings

from maillage.core.headers import content_security_policy, tile_source

ROOT = Path(__file__).resolve().parents[2] / "maillage"


def directives(header: str) -> dict[str, str]:
    return {part.split()[0]: " ".join(part.split()[1:]) for part in header.split("; ")}


def test_the_policy_allows_the_site_and_its_tile_server_only():
    policy = directives(content_security_policy("https://{s}.tile.example.org/{z}/{x}/{y}.png"))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["font-src"] == "'self'"
    assert policy["img-src"] == "'self' data: https://*.tile.example.org"
    assert policy["connect-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == "'self'"
    assert policy["form-action"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert "unsafe-inline" not in content_security_policy("")
    assert "unsafe-eval" not in content_security_policy("")


def test_tile_sources():
    assert tile_source("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == (
        "https://tile.openstreetmap.org"
    )
    assert tile_source("http://127.0.0.1:9/{z}/{x}/{y}.png") == "http://127.0.0.1:9"
    assert tile_source("https://tiles-{s}.example.org/{z}/{x}/{y}.png") == "https:"
    assert tile_source("") == ""
    assert tile_source("javascript:alert(1)") == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/annuaire/",
        "/communes/29151/",
        "/territoires/pays-de-morlaix/",
        "/orientation/",
        "/comptes/connexion/",
        "/espace/",  # a redirect to the login page
        "/admin/login/",
        "/api/v1/sante",
        "/api/v1/openapi.json",
        "/api/v1/docs",
        "/api/v1/nulle-part",
        "/page-qui-n-existe-pas/",
        "/static/maillage/maillage.css",
    ],
)
def test_every_response_carries_the_csp_and_permissions_policy(client, path):
    response = client.get(path)
    response.close()  # a static file's response holds the file open
    csp = response["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
    assert "img-src 'self' data: https://tile.openstreetmap.org" in csp
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_the_tile_server_setting_is_followed(client):
    with override_settings(MAILLAGE_TILE_URL="https://tuiles.mon-territoire.fr/{z}/{x}/{y}.png"):
        csp = client.get("/")["Content-Security-Policy"]
    assert "img-src 'self' data: https://tuiles.mon-territoire.fr;" in csp


@pytest.mark.django_db
def test_only_django_debug_pages_get_inline_styles_in_development(client):
    with override_settings(DEBUG=True):
        debug_404 = client.get("/page-qui-n-existe-pas/")
        page = client.get("/")
    assert "'unsafe-inline'" in debug_404["Content-Security-Policy"]
    assert "'unsafe-inline'" not in page["Content-Security-Policy"]


TEMPLATES = sorted(ROOT.rglob("templates/**/*.html"))
SCRIPTS = sorted((ROOT / "static" / "maillage").glob("*.js"))


def test_templates_have_no_inline_script_style_attribute_or_event_handler():
    found = []
    for path in TEMPLATES:
        text = path.read_text()
        for match in re.finditer(r"<script\b([^>]*)>(.*?)</script>", text, re.S):
            attributes, body = match.groups()
            if "src=" not in attributes and "application/json" not in attributes and body.strip():
                found.append(f"{path}: <script> en ligne")
        if re.search(r"\sstyle\s*=", text):
            found.append(f"{path}: attribut style=")
        if re.search(r"\son[a-z]+\s*=\s*[\"']", text):
            found.append(f"{path}: gestionnaire d'événement en ligne")
        if "javascript:" in text:
            found.append(f"{path}: lien javascript:")
    assert TEMPLATES and not found, found


def test_javascript_never_parses_data_as_html():
    """Data goes into the page as text nodes: no innerHTML & co., and Leaflet tooltips,
    popups and icons get DOM nodes, never strings of HTML."""
    forbidden = [
        (r"\.(inner|outer)HTML\b", "innerHTML/outerHTML"),
        (r"insertAdjacentHTML", "insertAdjacentHTML"),
        (r"document\.write", "document.write"),
        (r"\beval\s*\(|new Function\s*\(", "eval"),
        (r"\.(bindTooltip|bindPopup|setTooltipContent|setPopupContent)\(\s*[\"'+]", "chaîne HTML"),
        (
            r"\.(bindTooltip|bindPopup|setTooltipContent|setPopupContent)\(\s*[^)]*\+",
            "concaténation",
        ),
        (r"\bhtml\s*:\s*[\"']", "divIcon html en chaîne"),
        (r"setAttribute\(\s*[\"']style", "attribut style"),
    ]
    found = [
        f"{path.name}: {label}"
        for path in SCRIPTS
        for pattern, label in forbidden
        if re.search(pattern, path.read_text())
    ]
    assert SCRIPTS and not found, found
