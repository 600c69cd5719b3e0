"""Listeners of the indicator recompute: apps above the observatory (the roadmap's computed
indicators…) register a function here and `indicators_recompute` calls it with the
snapshot's day once the new values are committed, the way `core/purge.py` collects purge
steps, so that the observatory never imports them."""

from __future__ import annotations

import datetime
from collections.abc import Callable

RecomputeListener = Callable[[datetime.date], None]

_listeners: list[RecomputeListener] = []


def register_recompute_listener(fn: RecomputeListener) -> RecomputeListener:
    """Register `fn(day)` to run after each recompute (usable as a decorator). Registering
    the same function twice (a module imported again) keeps one registration."""
    if fn not in _listeners:
        _listeners.append(fn)
    return fn


def recompute_listeners() -> list[RecomputeListener]:
    """The registered listeners, in registration order (a copy: callers cannot change it)."""
    return list(_listeners)
