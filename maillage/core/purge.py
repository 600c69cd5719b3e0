"""Personal data retention: each app registers a purge step, one command runs them all.

A step receives `wet_run` and returns how many records it blanked (or would blank in a dry
run). Steps never log personal data themselves, only counts.
"""

from __future__ import annotations

from collections.abc import Callable

PurgeStep = Callable[[bool], int]

_STEPS: dict[str, PurgeStep] = {}


def register_purge_step(name: str) -> Callable[[PurgeStep], PurgeStep]:
    """Decorator: `@register_purge_step("signalements")` on `def purge(wet_run: bool) -> int`."""

    def decorate(step: PurgeStep) -> PurgeStep:
        _STEPS[name] = step
        return step

    return decorate


def purge_steps() -> dict[str, PurgeStep]:
    return dict(_STEPS)
