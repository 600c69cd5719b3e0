"""Light protections of the public forms (signalement, mise en relation): a honeypot field,
a minimum time to fill the form, and a per-client hourly limit kept in the cache.

The client is `maillage.core.clients.client_ip` (the real visitor behind the load balancer);
only a hash of its address is kept, in the cache, for at most two hours.
"""

from __future__ import annotations

import math
import time

from django import forms
from django.http import HttpRequest, QueryDict

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


def automation_refusal(form: forms.Form, *, min_seconds: float) -> str:
    """Why this valid form is refused as automated, in French, or "" when it is accepted.

    Fails closed: a missing or unreadable `started` is refused like a too-fast one. The
    person is told that nothing was sent (never a false « envoyé »); the form keeps what they
    typed and a readable `started`, so sending it again after reading works.
    """
    data = form.cleaned_data
    if data.get("website"):
        return (
            "Rien n'a été envoyé : le champ « Laissez ce champ vide » est rempli (peut-être par "
            "votre navigateur). Videz-le puis envoyez à nouveau."
        )
    try:
        started: float | None = float(data.get("started") or "")
    except ValueError:
        started = None
    if started is None or not math.isfinite(started):
        _restart(form)
        return (
            "Rien n'a été envoyé : le formulaire est incomplet ou a été modifié. Vérifiez vos "
            "réponses puis envoyez à nouveau."
        )
    if time.time() - started < min_seconds:
        return (
            "Rien n'a été envoyé : le formulaire est revenu plus vite qu'une personne ne le "
            "remplit. Relisez vos réponses puis envoyez à nouveau."
        )
    return ""


def _restart(form: forms.Form) -> None:
    """Give the re-shown form a fresh `started` (bound data is immutable)."""
    data = QueryDict(mutable=True)
    data.update(form.data)
    data[form.add_prefix("started")] = form_started_now()
    form.data = data


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
