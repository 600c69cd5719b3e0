"""`demande:<categorie>`: the orientation requests per commune, published under k-anonymity."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings

from maillage.directory.models import Categorie
from maillage.orientation.selectors import demand_counts

from ..codes import DEMAND_PREFIX, demand_code
from ..models import Indicateur, ValeurIndicateur
from .values import computed_indicateur

SOURCE_DEMAND = "Maillage (demandes d'orientation, comptages anonymes)"


def demand_window(day: date, months: int) -> tuple[date, date]:
    """The first and last days of the `months` calendar months that end before `day`'s month:
    on 2 March 2026 with 12 months, 1 March 2025 to 28 February 2026."""
    until = day.replace(day=1) - timedelta(days=1)
    index = until.year * 12 + until.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1), until


def demand_values(pks: list[int], day: date) -> tuple[list[Indicateur], list[ValeurIndicateur]]:
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
        code: computed_indicateur(
            demand_code(code),
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
        code__in=[demand_code(code) for code in codes]
    )
    return [*indicateurs.values(), *stale], values
