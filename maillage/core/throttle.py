"""Per-client throttles: one cache-backed counter behind the API, the costly pages and forms.

A *scope* names what is limited (`api`, `orientation`, `login`…); its rate is written
`COUNT/PERIOD` (`30/min`, `10/h`, `1000/d`) in `settings.MAILLAGE_THROTTLE_RATES`; `off`
switches a scope off. The counter is a sliding window approximated from two fixed windows
(the current one counts fully, the previous one in proportion of its time still inside the
window): two atomic `incr` on the cache, the same on the local-memory cache and on Redis.
A refused call is not counted: a client that waits `Retry-After` seconds gets through.

Clients are told apart by `maillage.core.clients.client_ip`; only a hash of the address is
used in the cache keys.

Where it applies:
- the API (`ClientThrottle`, a django-ninja throttle: `NinjaAPI(throttle=api_throttles())`);
- pages and forms named in `settings.MAILLAGE_THROTTLED_VIEWS` (`ThrottleMiddleware`, which
  answers a French DSFR page with status 429 and `Retry-After`);
- app code through `throttle_hit` / `rate_limited` (`maillage.core.antispam`).

Demand statistics must not count what a throttle refused nor a client repeating itself:
`demand_ignore(request)`, `demand_counts(request)` and `repeated_call(...)` are the helpers.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from ninja.throttling import BaseThrottle

from .clients import client_ip

PERIODS = {
    "s": 1,
    "sec": 1,
    "m": 60,
    "min": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    def __str__(self) -> str:
        return f"{self.count}/{self.seconds}s"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds to wait before the next call gets through (refusals only)


def rate_parse(text: str | None) -> Rate | None:
    """`30/min`, `10/h`, `5/15min`, `100/d` → Rate; `off`, `0` or empty → None (no limit).
    Raises ValueError on anything else."""
    if text is None:
        return None
    text = text.strip().lower()
    if text in {"", "0", "off", "none", "non"}:
        return None
    try:
        count_text, period = text.split("/", 1)
        count = int(count_text)
    except ValueError:
        raise ValueError(
            f"débit illisible : {text!r} (attendu : NOMBRE/PÉRIODE, ex. 30/min)"
        ) from None
    digits = ""
    while period and period[0].isdigit():
        digits, period = digits + period[0], period[1:]
    if period not in PERIODS or count <= 0:
        raise ValueError(f"débit illisible : {text!r} (périodes : s, min, h, d)")
    return Rate(count=count, seconds=int(digits or 1) * PERIODS[period])


def scope_rate(scope: str) -> Rate | None:
    """The configured rate of `scope`; a scope missing from the settings is not limited."""
    return rate_parse(settings.MAILLAGE_THROTTLE_RATES.get(scope))


def _cache() -> BaseCache:
    return caches[getattr(settings, "MAILLAGE_THROTTLE_CACHE", "default")]


def _ident_hash(ident: str) -> str:
    return hashlib.sha256(ident.encode()).hexdigest()[:32]


def _incr(cache: BaseCache, key: str, ttl: int, delta: int = 1) -> int:
    cache.add(key, 0, ttl)
    try:
        return int(cache.incr(key, delta))
    except ValueError:  # expired between add and incr
        cache.add(key, delta, ttl)
        return delta


def throttle_hit(scope: str, ident: str, rate: Rate | None, *, now: float | None = None) -> Verdict:
    """Count one call of `ident` in `scope` if `rate` allows it; refused calls are not counted."""
    if rate is None:
        return Verdict(allowed=True)
    now = time.time() if now is None else now
    window = int(now // rate.seconds)
    elapsed = (now % rate.seconds) / rate.seconds  # share of the current window gone by
    base = f"throttle:{scope}:{_ident_hash(ident)}:"
    cache = _cache()
    previous = int(cache.get(f"{base}{window - 1}") or 0)
    current = _incr(cache, f"{base}{window}", 2 * rate.seconds)
    estimate = previous * (1 - elapsed) + current
    if estimate <= rate.count:
        return Verdict(allowed=True)
    try:
        cache.decr(f"{base}{window}")  # refused: not counted
    except ValueError:
        pass
    current -= 1
    # When does previous·(1 - t) + current + 1 fall to the rate? Within this window if the
    # previous one fades enough, else once this one has become the previous one.
    if previous and current + 1 <= rate.count:
        fraction = 1 - (rate.count - current - 1) / previous
        wait = (fraction - elapsed) * rate.seconds
    else:
        wait = (1 - elapsed) * rate.seconds + rate.seconds * max(
            0.0, 1 - (rate.count - 1) / max(current, 1)
        )
    return Verdict(allowed=False, retry_after=max(1, math.ceil(wait)))


def throttle_reset(scope: str, ident: str, rate: Rate, *, now: float | None = None) -> None:
    now = time.time() if now is None else now
    window = int(now // rate.seconds)
    base = f"throttle:{scope}:{_ident_hash(ident)}:"
    _cache().delete_many([f"{base}{window - 1}", f"{base}{window}"])


def request_throttle(request: HttpRequest, scope: str) -> Verdict:
    """Count this request against its client's `scope` limit (settings' rate)."""
    verdict = throttle_hit(scope, client_ip(request), scope_rate(scope))
    if not verdict.allowed:
        demand_ignore(request)
        request._maillage_retry_after = verdict.retry_after  # type: ignore[attr-defined]
    return verdict


def retry_message(seconds: int) -> str:
    return f"Trop de requêtes : réessayez dans {seconds} secondes."


# Demand statistics: what a throttle refused or a client repeated is no new demand.


def demand_ignore(request: HttpRequest) -> None:
    """Mark `request` as not to be counted in demand statistics (throttled, repeated)."""
    request._maillage_not_demand = True  # type: ignore[attr-defined]


def demand_counts(request: HttpRequest) -> bool:
    """False once `demand_ignore` was called on `request`."""
    return not getattr(request, "_maillage_not_demand", False)


def repeated_call(
    request: HttpRequest, *, scope: str, fingerprint: Iterable[object], seconds: int = 3600
) -> bool:
    """True when this client already made this call (same `fingerprint`, e.g. the need, the
    commune and the profile) in `scope` within `seconds`; the first call returns False. A
    repeated call is also marked `demand_ignore`."""
    digest = hashlib.sha256(
        "\x1f".join([client_ip(request), *map(str, fingerprint)]).encode()
    ).hexdigest()[:32]
    first = _cache().add(f"repeat:{scope}:{digest}", 1, seconds)
    if not first:
        demand_ignore(request)
    return not first


# The API: a django-ninja throttle, keyed by client_ip.

_api_wait: ContextVar[int] = ContextVar("maillage_api_wait", default=0)


class ClientThrottle(BaseThrottle):
    """django-ninja throttle of `scope` (rate from the settings) keyed by `client_ip`.
    `methods` restricts it to some HTTP methods (`{"POST"}` for the costly writes)."""

    def __init__(self, scope: str, *, methods: Iterable[str] | None = None) -> None:
        self.scope = scope
        self.methods = {m.upper() for m in methods} if methods else None

    def get_ident(self, request: HttpRequest) -> str | None:
        return client_ip(request)

    def allow_request(self, request: HttpRequest) -> bool:
        if self.methods is not None and request.method not in self.methods:
            return True
        verdict = request_throttle(request, self.scope)
        # One throttle object serves concurrent requests: the wait is kept per context.
        _api_wait.set(verdict.retry_after)
        return verdict.allowed

    def wait(self) -> float | None:
        return _api_wait.get() or None


def api_throttles() -> list[BaseThrottle]:
    """The API's default throttles: every call (`api`), and the writes that compute
    (`api_write`: POST, PUT, PATCH, DELETE). An endpoint with its own `throttle=` replaces
    this list in ninja: pass `[*api_throttles(), ClientThrottle("plans")]` to add to it."""
    return [
        ClientThrottle("api"),
        ClientThrottle("api_write", methods={"POST", "PUT", "PATCH", "DELETE"}),
    ]


# Pages and forms: a middleware, driven by settings.MAILLAGE_THROTTLED_VIEWS.


def _throttled_views() -> dict[str, tuple[str, frozenset[str]]]:
    """`{"view:name": "scope"}` or `{"view:name": "scope POST"}` → (scope, methods)."""
    views: dict[str, tuple[str, frozenset[str]]] = {}
    for name, spec in settings.MAILLAGE_THROTTLED_VIEWS.items():
        scope, *methods = spec.split()
        views[name] = (scope, frozenset(m.upper() for m in methods))
    return views


def throttled_page(request: HttpRequest, retry_after: int) -> HttpResponse:
    response = TemplateResponse(
        request,
        "core/throttled.html",
        {"title": "Trop de requêtes", "retry_after": retry_after},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


class ThrottleMiddleware:
    """Throttles the views named in `MAILLAGE_THROTTLED_VIEWS` per client; over the limit, a
    French page (429, `Retry-After`). Also gives `Retry-After` to any 429 a view answered
    itself after `request_throttle` or `rate_limited` refused it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        retry_after = getattr(request, "_maillage_retry_after", None)
        if response.status_code == 429 and retry_after and not response.has_header("Retry-After"):
            response["Retry-After"] = str(retry_after)
        return response

    def process_view(
        self, request: HttpRequest, view: Callable, args: tuple, kwargs: dict
    ) -> HttpResponse | None:
        match = request.resolver_match
        entry = _throttled_views().get(match.view_name) if match else None
        if entry is None:
            return None
        scope, methods = entry
        if methods and request.method not in methods:
            return None
        verdict = request_throttle(request, scope)
        if verdict.allowed:
            return None
        return throttled_page(request, verdict.retry_after)
