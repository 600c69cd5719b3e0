"""Shared by the views of the management space (/espace/), whichever app they belong to."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from maillage.accounts.models import User


def espace_user(request: HttpRequest) -> User:
    """The signed-in user: LoginRequiredMiddleware guarantees one on every non-public view."""
    assert isinstance(request.user, User)  # noqa: S101
    return request.user


def espace_breadcrumb(current: str, *links: tuple[str, str]) -> dict[str, Any]:
    """DSFR breadcrumb data: « Mon espace », then (url, title) links, then `current`."""
    return {
        "links": [{"url": reverse("espace:home"), "title": "Mon espace"}]
        + [{"url": url, "title": title} for url, title in links],
        "current": current,
    }
