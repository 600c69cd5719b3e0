"""Two indicator recomputes never overlap: one snapshot per indicator, commune and date."""

import threading
from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from maillage.observatory.enums import RecomputeStatus
from maillage.observatory.models import Indicateur, RecomputeRun, ValeurIndicateur
from maillage.observatory.services import RecomputeBusy, indicators_recompute
from maillage.territories.models import Commune
from tests.observatory.factories import RecomputeRunFactory
from tests.observatory.test_indicators import place_lieu_at_mairie
from tests.territories.factories import BREST, MORLAIX

pytestmark = pytest.mark.django_db

DAY = date(2026, 4, 1)
DISTANCE = "distance-plus-proche:demarches-administratives"


def pair() -> object:
    return Commune.objects.communes().filter(code__in=[MORLAIX, BREST])


def running(minutes_ago: float = 0) -> RecomputeRun:
    """A run another process started (and maybe died in) `minutes_ago` minutes ago."""
    return RecomputeRunFactory(jour=DAY, minutes_ago=minutes_ago)


def test_a_run_in_progress_blocks_another():
    """While a run is `en_cours`, a second one that does not wait is refused and writes
    nothing."""
    running()
    with pytest.raises(RecomputeBusy, match="déjà en cours"):
        indicators_recompute(communes=pair(), on=DAY, wait_s=0)
    assert not ValeurIndicateur.objects.filter(date=DAY).exists()


def test_the_database_refuses_two_running_rows():
    """The lock is a constraint, not a convention: a second `en_cours` row cannot exist."""
    running()
    with pytest.raises(IntegrityError), transaction.atomic():
        running()


def test_a_crashed_run_is_abandoned_after_the_timeout(settings):
    """A run `en_cours` for longer than the timeout is taken for dead: the next one runs."""
    settings.OBSERVATORY_RECOMPUTE_STALE_S = 600
    dead = running(minutes_ago=11)
    counts = indicators_recompute(communes=pair(), on=DAY, wait_s=0)
    dead.refresh_from_db()
    assert dead.statut == RecomputeStatus.ABANDONNE
    run = RecomputeRun.objects.exclude(pk=dead.pk).get()
    assert run.statut == RecomputeStatus.TERMINE and run.fin is not None
    assert run.resultat == counts and counts["communes"] == 2


def test_a_failed_run_frees_the_lock():
    """An error inside the computation marks the run `echec` and lets the next one run."""

    def explode(done: int, total: int) -> None:
        raise RuntimeError("panne")

    with pytest.raises(RuntimeError, match="panne"):
        indicators_recompute(communes=pair(), on=DAY, progress=explode, wait_s=0)
    assert RecomputeRun.objects.get().statut == RecomputeStatus.ECHEC
    assert not ValeurIndicateur.objects.filter(date=DAY).exists()
    indicators_recompute(communes=pair(), on=DAY, wait_s=0)
    assert ValeurIndicateur.objects.filter(date=DAY).exists()


def test_a_run_after_an_import_replaces_the_days_values():
    """Two runs the same day, with an import between them: one value per indicator and
    commune, the second run's."""
    place_lieu_at_mairie(BREST)
    indicators_recompute(communes=pair(), on=DAY, wait_s=0)
    before = ValeurIndicateur.objects.filter(date=DAY).count()
    assert (
        ValeurIndicateur.objects.get(
            date=DAY, indicateur__code=DISTANCE, commune__code=MORLAIX
        ).valeur
        > 0
    )
    place_lieu_at_mairie(MORLAIX, identifiant="2")
    indicators_recompute(communes=pair(), on=DAY, wait_s=0)
    assert ValeurIndicateur.objects.filter(date=DAY).count() == before
    value = ValeurIndicateur.objects.get(date=DAY, indicateur__code=DISTANCE, commune__code=MORLAIX)
    assert value.valeur == 0.0
    assert RecomputeRun.objects.filter(statut=RecomputeStatus.TERMINE).count() == 2


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent connections: PostgreSQL only"
)
def test_concurrent_runs_on_two_connections_take_turns():
    """Two processes recompute at the same time: the second waits for the first, and each
    (indicator, commune, date) has one value. Threads use their own, committed connections."""
    far = date(2031, 1, 1)
    codes_before = set(Indicateur.objects.values_list("code", flat=True))
    first_inside = threading.Event()
    errors: list[BaseException] = []

    def slow(done: int, total: int) -> None:
        first_inside.set()
        threading.Event().wait(0.3)

    def run(progress) -> None:
        try:
            indicators_recompute(communes=pair(), on=far, progress=progress, wait_s=60)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connection.close()

    def cleanup() -> None:
        ValeurIndicateur.objects.filter(date=far).delete()
        RecomputeRun.objects.filter(jour=far).delete()
        Indicateur.objects.exclude(code__in=codes_before).delete()
        connection.close()

    a = threading.Thread(target=run, args=(slow,))
    b = threading.Thread(target=run, args=(None,))
    try:
        a.start()
        assert first_inside.wait(60)
        b.start()
        a.join(120)
        b.join(120)
        assert not errors, errors
        runs = list(RecomputeRun.objects.filter(jour=far).order_by("debut"))
        assert [r.statut for r in runs] == [RecomputeStatus.TERMINE] * 2
        assert runs[1].debut >= runs[0].fin, "the second run started after the first ended"
        values = ValeurIndicateur.objects.filter(date=far)
        assert values.count() == runs[1].resultat["valeurs"]
        assert values.values("indicateur", "commune").distinct().count() == values.count()
    finally:
        cleaner = threading.Thread(target=cleanup)
        cleaner.start()
        cleaner.join(60)
