"""The one rule for a URL that comes from data: only `http(s)` with a host becomes a link.

Imports drop anything else (`javascript:`, `data:`, `vbscript:`, relative paths…) with a
warning on the row; templates pass every data URL through the `http_url` filter, so a value
stored before this rule, or written by hand, still never becomes a script link.
"""

from __future__ import annotations

from urllib.parse import urlsplit

SCHEMES = frozenset({"http", "https"})


def http_url(value: object) -> str:
    """`value` stripped if it is an absolute http(s) URL with a host, else ""."""
    text = str(value or "").strip()
    if not text or any(ord(char) < 33 for char in text):
        return ""
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        return ""
    return text
