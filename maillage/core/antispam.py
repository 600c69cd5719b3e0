"""Light protections of the public forms (signalement, mise en relation): a honeypot field,
a minimum time to fill the form, and a per-address hourly limit kept in the cache.

Only a hash of the client's address is kept, in the cache, for an hour.
"""

from __future__ import annotations

import hashlib
import time

from django import forms
from django.core.cache import cache
from django.http import HttpRequest


class HoneypotMixin(forms.Form):
    """`website` is a trap left empty by people; `started` records when the form was shown."""

    website = forms.CharField(
        label="Laissez ce champ vide",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(widget=forms.HiddenInput, required=False)


def form_started_now() -> str:
    """The `started` value of a freshly rendered form."""
    return f"{time.time():.0f}"


def looks_automated(cleaned_data: dict, *, min_seconds: float) -> bool:
    """The honeypot is filled, or the form came back faster than a person types."""
    try:
        started = float(cleaned_data.get("started") or 0)
    except ValueError:
        started = 0
    return bool(cleaned_data.get("website")) or time.time() - started < min_seconds


def rate_limited(request: HttpRequest, *, scope: str, per_hour: int) -> bool:
    """Count one submission of this address in `scope`; True once above `per_hour`."""
    address = request.META.get("REMOTE_ADDR", "")
    key = f"{scope}:" + hashlib.sha256(address.encode()).hexdigest()[:32]
    cache.add(key, 0, 3600)
    try:
        return cache.incr(key) > per_hour
    except ValueError:  # expired between add and incr
        cache.add(key, 1, 3600)
        return False
