"""Recompute listeners: apps above the observatory hear of each new snapshot, after commit,
and one failing listener never fails the recompute."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest
from django.utils import timezone

from maillage.observatory import listeners
from maillage.observatory.enums import RecomputeStatus
from maillage.observatory.listeners import recompute_listeners, register_recompute_listener
from maillage.observatory.models import RecomputeRun, ValeurIndicateur
from maillage.observatory.services import indicators_recompute
from maillage.territories.models import Commune
from tests.observatory.factories import RecomputeRunFactory
from tests.territories.factories import BREST, MORLAIX

DAY = date(2026, 4, 1)


@pytest.fixture(autouse=True)
def registry(monkeypatch):
    """Each test starts with no listener and leaves none behind."""
    monkeypatch.setattr(listeners, "_listeners", [])


def pair():
    return Commune.objects.communes().filter(code__in=[MORLAIX, BREST])


def test_register_is_a_decorator_keeping_order_and_one_registration_per_function():
    heard: list[date] = []

    @register_recompute_listener
    def first(day: date) -> None:
        heard.append(day)

    def second(day: date) -> None:
        pass

    assert register_recompute_listener(second) is second
    register_recompute_listener(first)  # a module imported twice registers once
    assert recompute_listeners() == [first, second]
    recompute_listeners().clear()  # a copy: the registry is not changed from outside
    assert recompute_listeners() == [first, second]


@pytest.mark.django_db
def test_listeners_hear_the_day_once_the_values_are_committed(django_capture_on_commit_callbacks):
    """Inside the caller's transaction nothing is heard; at its commit every listener gets
    the snapshot's day and can read the new values."""
    heard: list[tuple[date, int]] = []
    register_recompute_listener(
        lambda day: heard.append((day, ValeurIndicateur.objects.filter(date=day).count()))
    )
    with django_capture_on_commit_callbacks() as callbacks:
        counts = indicators_recompute(communes=pair(), on=DAY)
    assert heard == []
    for callback in callbacks:
        callback()
    assert heard == [(DAY, counts["valeurs"])]


@pytest.mark.django_db
def test_a_failing_listener_is_logged_and_the_others_still_run(
    django_capture_on_commit_callbacks, caplog
):
    heard: list[date] = []

    @register_recompute_listener
    def broken(day: date) -> None:
        raise RuntimeError("feuille de route indisponible")

    register_recompute_listener(heard.append)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        counts = indicators_recompute(communes=pair(), on=DAY)
    assert counts["communes"] == 2
    assert heard == [DAY]
    assert RecomputeRun.objects.get().statut == RecomputeStatus.TERMINE
    failure = next(r for r in caplog.records if r.name == "maillage.observatory.services.recompute")
    assert "broken" in failure.getMessage() and failure.exc_info is not None


@pytest.mark.django_db
def test_no_listener_runs_when_nothing_was_computed(django_capture_on_commit_callbacks):
    """A recompute found already up to date, or one that failed, tells nobody."""
    heard: list[date] = []
    register_recompute_listener(heard.append)
    RecomputeRunFactory(complet=True, jour=DAY)

    def explode(done: int, total: int) -> None:
        raise RuntimeError("panne")

    with django_capture_on_commit_callbacks(execute=True):
        skipped = indicators_recompute(on=DAY, requested_at=timezone.now() - timedelta(hours=1))
        with pytest.raises(RuntimeError):
            indicators_recompute(communes=pair(), on=DAY, progress=explode)
    assert skipped["deja_a_jour"] == 1
    assert heard == []
