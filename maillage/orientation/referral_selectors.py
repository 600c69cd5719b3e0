"""Reads of the mises en relation: who sees which case, and the k-anonymous statistics."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404

from maillage.accounts.enums import Role
from maillage.accounts.permissions import is_curator, managed_structure_ids

from .enums import ReferralOutcome, ReferralStatus
from .models import Referral

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from maillage.accounts.models import User

    AnyUser = User | AnonymousUser

S = ReferralStatus


def referrals_for(user: AnyUser) -> QuerySet[Referral]:
    """The cases a user may open: those sent to a structure they manage, and those they
    created as a conseiller. Territory administrators get no case here, only statistics."""
    if not user.is_authenticated or not user.is_active:
        return Referral.objects.none()
    structures = managed_structure_ids(user)
    return (
        Referral.objects.filter(Q(structure_id__in=structures) | Q(created_by=user))
        .select_related("service", "structure", "categorie", "commune")
        .defer("commune__contour")
    )


def referrals_created_by(user: AnyUser) -> QuerySet[Referral]:
    """The cases a conseiller created for the people they help, newest first."""
    if not user.is_authenticated or not user.is_active:
        return Referral.objects.none()
    return (
        Referral.objects.filter(created_by=user)
        .select_related("service", "structure")
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class ReferralAccess:
    referral: Referral
    can_act: bool  # a manager of the receiving structure: accept, refuse, close…
    is_creator: bool  # the conseiller who created the case: read and add notes


def access_referral(user: AnyUser, pk: int) -> ReferralAccess:
    """Fetch a case and say what the user may do with it; 404 for anyone else (the case's
    existence is not revealed)."""
    referral = referrals_for(user).filter(pk=pk).first()
    if referral is None:
        raise Http404("Aucune mise en relation à cette adresse.")
    can_act = referral.structure_id in managed_structure_ids(user)
    return ReferralAccess(referral, can_act=can_act, is_creator=referral.created_by_id == user.pk)


def can_read_referral_statistics(user: AnyUser) -> bool:
    return is_curator(user)


def referral_count_new(user: AnyUser) -> int:
    """New cases waiting for one of the user's structures (the space's home link)."""
    ids = managed_structure_ids(user)
    if not ids:
        return 0
    return Referral.objects.filter(structure_id__in=ids, status=S.NOUVELLE).count()


# k-anonymous statistics.

# Coarse columns keep cells large enough to be shown: (label, statuses, outcome or "").
STAT_COLUMNS: list[tuple[str, frozenset[str], str]] = [
    ("En attente de réponse", frozenset({S.NOUVELLE}), ""),
    ("Acceptées ou en cours", frozenset({S.ACCEPTEE, S.EN_COURS}), ""),
    ("Clôturées — résolues", frozenset({S.CLOTUREE}), ReferralOutcome.RESOLUE),
    ("Clôturées — non résolues", frozenset({S.CLOTUREE}), ReferralOutcome.NON_RESOLUE),
    ("Refusées ou réorientées", frozenset({S.REFUSEE, S.REORIENTEE}), ""),
    ("Annulées par la personne", frozenset({S.ANNULEE}), ""),
]


def _column_of(status: str, outcome: str) -> int:
    for i, (_label, statuses, wanted) in enumerate(STAT_COLUMNS):
        if status in statuses and (not wanted or outcome == wanted):
            return i
    raise ValueError(status)


@dataclass(frozen=True)
class Cell:
    """A published count: `value` is None when suppressed."""

    value: int | None
    small: bool = False  # suppressed because below k (else: to protect another cell)

    def label(self, k: int) -> str:
        if self.value is not None:
            return str(self.value)
        return f"moins de {k}" if self.small else "masqué"

    def __str__(self) -> str:
        return self.label(settings.MAILLAGE_REFERRAL_STATS_K)


@dataclass
class StatRow:
    label: str
    cells: list[Cell]
    total: Cell
    median_response: str  # "2,5 jours", or "moins de k réponses"


@dataclass
class StatTable:
    title: str
    rows: list[StatRow]
    column_totals: list[Cell] = field(default_factory=list)
    grand_total: Cell = field(default_factory=lambda: Cell(None))


def _cell(value: int, k: int) -> Cell:
    return Cell(value) if value >= k else Cell(None, small=True)


def k_anonymous_table(
    counts: dict[str, list[int]], *, k: int
) -> tuple[dict[str, tuple[list[Cell], Cell]], list[Cell], Cell]:
    """Suppress every count below k, and every total that would let a hidden count be
    recomputed: a row total is published only when all its cells are, a column total
    only when all the column's cells are, the grand total only when all row totals are.

    `counts` maps a row label to its counts per column; returns the rows (cells, total),
    the column totals and the grand total.
    """
    rows: dict[str, tuple[list[Cell], Cell]] = {}
    width = len(next(iter(counts.values()))) if counts else len(STAT_COLUMNS)
    column_sums = [0] * width
    column_open = [True] * width
    grand = 0
    grand_open = True
    for label, values in counts.items():
        cells = [_cell(v, k) for v in values]
        total_value = sum(values)
        if all(c.value is not None for c in cells):
            total = _cell(total_value, k)
        else:
            total = Cell(None, small=total_value < k)
        rows[label] = (cells, total)
        for i, v in enumerate(values):
            column_sums[i] += v
            column_open[i] = column_open[i] and cells[i].value is not None
        grand += total_value
        grand_open = grand_open and total.value is not None
    column_totals = [
        _cell(s, k) if column_open[i] else Cell(None, small=s < k)
        for i, s in enumerate(column_sums)
    ]
    grand_total = _cell(grand, k) if grand_open else Cell(None, small=grand < k)
    return rows, column_totals, grand_total


def _median_label(durations: list[float], k: int) -> str:
    if len(durations) < k:
        return f"moins de {k} réponses"
    days = statistics.median(durations) / 86400
    if days < 1:
        return f"{days * 24:.0f} h".replace(".", ",")
    return f"{days:.1f} jours".replace(".", ",")


def _scope(user: AnyUser) -> QuerySet[Referral]:
    if user.is_superuser:
        return Referral.objects.all()
    territoires = list(
        user.roles.filter(role=Role.TERRITORY_ADMIN).values_list("territoire_id", flat=True)  # type: ignore[union-attr]
    )
    return Referral.objects.filter(commune__territoires__in=territoires).distinct()


def referral_statistics(user: AnyUser, *, k: int | None = None) -> dict[str, object]:
    """Counts by status and outcome and median response time (creation → first answer of
    the structure), overall, per structure and per category, with k-anonymity: see
    `k_anonymous_table`. Purged referrals count as well: they keep their statuses and dates.
    """
    k = k or settings.MAILLAGE_REFERRAL_STATS_K
    rows = list(
        _scope(user).values_list(
            "pk",
            "status",
            "outcome",
            "structure__nom",
            "categorie__libelle",
            "created_at",
            "first_response_at",
        )
    )
    tables = []
    all_tables_columns_open = [True] * len(STAT_COLUMNS)
    all_tables_rows_open = True
    for title, index in (("Par structure", 3), ("Par catégorie de besoin", 4)):
        counts: dict[str, list[int]] = defaultdict(lambda: [0] * len(STAT_COLUMNS))
        durations: dict[str, list[float]] = defaultdict(list)
        for row in rows:
            label = str(row[index] or "(non renseignée)")
            counts[label][_column_of(row[1], row[2])] += 1
            if row[6] is not None:
                durations[label].append((row[6] - row[5]).total_seconds())
        cells, column_totals, grand_total = k_anonymous_table(dict(sorted(counts.items())), k=k)
        table = StatTable(
            title=title,
            rows=[
                StatRow(label, c, t, _median_label(durations[label], k))
                for label, (c, t) in cells.items()
            ],
            column_totals=column_totals,
            grand_total=grand_total,
        )
        for i, cell in enumerate(column_totals):
            all_tables_columns_open[i] = all_tables_columns_open[i] and cell.value is not None
        all_tables_rows_open = all_tables_rows_open and grand_total.value is not None
        tables.append(table)
    # The overall line equals every table's column totals: publish a number only when
    # no breakdown hides a part of it.
    overall_counts = [0] * len(STAT_COLUMNS)
    for row in rows:
        overall_counts[_column_of(row[1], row[2])] += 1
    overall = [
        _cell(v, k) if all_tables_columns_open[i] else Cell(None, small=v < k)
        for i, v in enumerate(overall_counts)
    ]
    total = len(rows)
    answered = [(r[6] - r[5]).total_seconds() for r in rows if r[6] is not None]
    return {
        "k": k,
        "columns": [label for label, _statuses, _outcome in STAT_COLUMNS],
        "overall": overall,
        "total": _cell(total, k) if all_tables_rows_open else Cell(None, small=total < k),
        "median_response": _median_label(answered, k),
        "tables": tables,
    }


# Reorientation: a simple search among services.


def services_for_reorientation(
    *, referral: Referral, q: str = "", categorie: str = "", commune_code: str = ""
) -> QuerySet:
    from maillage.directory.models import Service

    services = Service.objects.exclude(pk=referral.service_id or 0).select_related("structure")
    if categorie:
        services = services.filter(categories__code=categorie)
    if commune_code:
        services = services.filter(
            Q(lieux__commune__code=commune_code) | Q(communes_desservies__code=commune_code)
        )
    if q:
        services = services.filter(Q(nom__icontains=q) | Q(structure__nom__icontains=q))
    return services.distinct().order_by("nom")[:20]
