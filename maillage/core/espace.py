"""Shared by the views of the management space (/espace/), whichever app they belong to."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.urls import reverse

if TYPE_CHECKING:  # core imports no app above it; the user model is read from the settings
    from maillage.accounts.models import User


def espace_user(request: HttpRequest) -> User:
    """The signed-in user: LoginRequiredMiddleware guarantees one on every non-public view."""
    user = request.user
    assert isinstance(user, get_user_model())  # noqa: S101
    return user


def espace_breadcrumb(current: str, *links: tuple[str, str]) -> dict[str, Any]:
    """DSFR breadcrumb data: « Mon espace », then (url, title) links, then `current`."""
    return {
        "links": [{"url": reverse("espace:home"), "title": "Mon espace"}]
        + [{"url": url, "title": title} for url, title in links],
        "current": current,
    }
