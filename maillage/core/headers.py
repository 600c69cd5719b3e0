"""Content-Security-Policy and Permissions-Policy on every response, in development too.

Django 5.2 has no CSP of its own. The policy allows what the site is made of and nothing
else: scripts, styles and fonts from the site itself (no inline script, no `style=`
attribute: JavaScript that sets `element.style` is not concerned), images from the site, the
DSFR's `data:` icons and the configured tile server (`MAILLAGE_TILE_URL`), requests to the
site only; no framing, no plugins, forms and `<base>` to the site only.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Browser features the site never uses: refused to its pages and to anything they embed.
PERMISSIONS_POLICY = ", ".join(
    [
        "accelerometer=()",
        "camera=()",
        "display-capture=()",
        "geolocation=()",
        "gyroscope=()",
        "magnetometer=()",
        "microphone=()",
        "midi=()",
        "payment=()",
        "usb=()",
        "fullscreen=(self)",
    ]
)

# Django's technical pages (DEBUG only: the yellow 500 page, the debug 404) carry their own
# inline styles and script; they are recognised by this tag of their template.
TECHNICAL_PAGE_MARK = b'<meta name="robots" content="NONE,NOARCHIVE">'


def tile_source(tile_url: str) -> str:
    """The CSP source of a Leaflet tile URL template: `https://{s}.tile.example.org/{z}/…`
    → `https://*.tile.example.org`; a template with a placeholder elsewhere in the host
    falls back to its scheme (`https:`); no tiles, no source."""
    if not tile_url:
        return ""
    parts = urlsplit(tile_url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return ""
    host = parts.netloc
    if host.startswith("{s}."):
        host = "*." + host[4:]
    if "{" in host or "}" in host:
        return f"{parts.scheme}:"
    return f"{parts.scheme}://{host}"


@lru_cache(maxsize=8)
def content_security_policy(tile_url: str, report_uri: str = "", relaxed: bool = False) -> str:
    """The policy for the given settings; `relaxed` adds 'unsafe-inline' to scripts and
    styles, for Django's own debug pages only."""
    inline = " 'unsafe-inline'" if relaxed else ""
    images = " ".join(filter(None, ["'self'", "data:", tile_source(tile_url)]))
    directives = [
        "default-src 'self'",
        f"script-src 'self'{inline}",
        f"style-src 'self'{inline}",
        f"img-src {images}",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    if report_uri:
        directives.append(f"report-uri {report_uri}")
    return "; ".join(directives)


def _technical_page(response: HttpResponse) -> bool:
    if not settings.DEBUG or response.status_code < 400 or getattr(response, "streaming", False):
        return False
    return TECHNICAL_PAGE_MARK in response.content[:2000]


class SecurityHeadersMiddleware:
    """Adds the CSP and Permissions-Policy headers to every response that has none yet."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Content-Security-Policy"):
            response["Content-Security-Policy"] = content_security_policy(
                settings.MAILLAGE_TILE_URL,
                settings.MAILLAGE_CSP_REPORT_URI,
                relaxed=_technical_page(response),
            )
        if not response.has_header("Permissions-Policy"):
            response["Permissions-Policy"] = PERMISSIONS_POLICY
        return response
