"""Login lock after repeated failures, per account and per address.

After `MAILLAGE_LOGIN_FAILURES_PER_ACCOUNT` failed logins on one e-mail address within
`MAILLAGE_LOGIN_FAILURE_WINDOW_S` seconds, that account is locked for `MAILLAGE_LOGIN_LOCK_S`
seconds whatever the client; after `MAILLAGE_LOGIN_FAILURES_PER_ADDRESS` failures from one
client (`client_ip`), on any accounts, that client is locked. During a lock even the right
password does not log in. The lock is keyed on the address typed, whether an account has it
or not, and its message is the same: it tells nobody which addresses have an account.
Counters live in the throttle cache (Redis in production, shared by every app server), under
hashes only.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.http import HttpRequest

from maillage.core.clients import client_ip


def _cache() -> BaseCache:
    return caches[settings.MAILLAGE_THROTTLE_CACHE]


def _key(kind: str, ident: str) -> str:
    return f"login:{kind}:" + hashlib.sha256(ident.encode()).hexdigest()[:32]


def _idents(request: HttpRequest, email: str) -> list[tuple[str, str, int]]:
    """(kind, identity, failures allowed) of the two locks."""
    return [
        ("account", email.strip().lower(), settings.MAILLAGE_LOGIN_FAILURES_PER_ACCOUNT),
        ("address", client_ip(request), settings.MAILLAGE_LOGIN_FAILURES_PER_ADDRESS),
    ]


def login_locked(request: HttpRequest, email: str) -> int:
    """Seconds before this account or this client may try again; 0 when not locked."""
    now = time.time()
    deadlines = _cache().get_many(
        [_key(f"{kind}-lock", i) for kind, i, _ in _idents(request, email)]
    )
    remaining = max((float(d) - now for d in deadlines.values()), default=0.0)
    return max(0, int(remaining + 0.999))


def login_failure_record(request: HttpRequest, email: str) -> None:
    """One more failure for the account and for the client; locks whichever reaches its limit."""
    cache = _cache()
    window, lock = settings.MAILLAGE_LOGIN_FAILURE_WINDOW_S, settings.MAILLAGE_LOGIN_LOCK_S
    for kind, ident, allowed in _idents(request, email):
        counter = _key(f"{kind}-failures", ident)
        cache.add(counter, 0, window)
        try:
            failures = int(cache.incr(counter))
        except ValueError:  # expired between add and incr
            cache.add(counter, 1, window)
            failures = 1
        if failures >= allowed:
            cache.set(_key(f"{kind}-lock", ident), time.time() + lock, lock)
            cache.delete(counter)


def login_success_record(request: HttpRequest, email: str) -> None:
    """A successful login forgets the account's failures (not the client's)."""
    _cache().delete(_key("account-failures", email.strip().lower()))


def lock_message(seconds: int) -> str:
    minutes = max(1, (seconds + 59) // 60)
    return (
        "Trop de tentatives de connexion : la connexion est bloquée pendant "
        f"{minutes} minute{'s' if minutes > 1 else ''}. Réessayez plus tard ; si vous avez "
        "oublié votre mot de passe, contactez l'administrateur de votre territoire."
    )
