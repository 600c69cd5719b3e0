"""Light protections of the public forms (signalement, mise en relation): a honeypot field,
a minimum time to fill the form, and a per-client hourly limit kept in the cache.

The client is `maillage.core.clients.client_ip` (the real visitor behind the load balancer);
only a hash of its address is kept, in the cache, for at most two hours.
"""

from __future__ import annotations

import time

from django import forms
from django.http import HttpRequest

from .clients import client_ip
from .throttle import Rate, demand_ignore, throttle_hit


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
    """Count one submission of this client in `scope`; True (not counted) once above
    `per_hour` within the last hour. The view's 429 then gets `Retry-After`
    (`maillage.core.throttle.ThrottleMiddleware`)."""
    verdict = throttle_hit(f"form-{scope}", client_ip(request), Rate(per_hour, 3600))
    if verdict.allowed:
        return False
    demand_ignore(request)
    request._maillage_retry_after = verdict.retry_after  # type: ignore[attr-defined]
    return True
