"""Only an absolute http(s) URL from data becomes a link."""

import pytest

from maillage.core.weburl import http_url


@pytest.mark.parametrize(
    "value",
    [
        "https://www.morlaix.fr/",
        "http://exemple.fr/rdv?x=1",
        "  https://exemple.fr  ",
        "HTTPS://A.FR",
    ],
)
def test_http_and_https_urls_are_kept(value):
    assert http_url(value) == value.strip()


@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(document.cookie)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//evil.example/x",
        "/chemin/relatif",
        "www.morlaix.fr",
        "https://",
        "http://[::1",
        "",
        None,
    ],
)
def test_anything_else_is_dropped(value):
    assert http_url(value) == ""
