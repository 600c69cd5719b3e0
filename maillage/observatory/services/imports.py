"""Indicators imported from a CSV file: one value per commune code, a line-by-line report."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from maillage.directory.imports import FileFormatError, RowError
from maillage.directory.imports.reader import Table, read_table
from maillage.territories.enums import CommuneType
from maillage.territories.models import Commune

from ..codes import is_computed_code
from ..enums import IndicateurOrigine
from ..models import Indicateur, ValeurIndicateur
from .values import BATCH_SIZE, median_store

#: Column names tried, in this order, when the commune or value column is not given.
COMMUNE_COLUMNS = ("code_insee", "codgeo", "code_commune", "insee_com", "insee", "commune", "code")
VALUE_COLUMNS = ("valeur", "value", "taux", "indice")


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


def _communes_known(codes: set[str]) -> dict[str, int]:
    """INSEE code → commune pk, the full commune (COM) first when codes are shared."""
    # Spreadsheets drop the leading zero of the codes of départements 01 to 09.
    wanted = codes | {c.zfill(5) for c in codes if c.isdigit()}
    known: dict[str, int] = {}
    for insee, commune_pk, kind in Commune.objects.filter(code__in=wanted).values_list(
        "code", "pk", "type"
    ):
        if insee not in known or kind == CommuneType.COMMUNE:
            known[insee] = commune_pk
    return known


def _rows_check(
    table: Table, commune_column: str, value_column: str
) -> tuple[dict[int, float], list[RowError]]:
    """The good lines (commune pk → value) and a report of each bad one."""
    known = _communes_known({str(row.get(commune_column) or "").strip() for _, row in table.rows})
    errors: list[RowError] = []
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
            errors.append(RowError(line, commune_column, insee, message))
            continue
        if pk in seen:
            message = f"Commune déjà présente ligne {seen[pk]} : cette ligne est ignorée."
            errors.append(RowError(line, commune_column, insee, message))
            continue
        value = _parse_value(raw_value)
        if value is None:
            message = (
                "Valeur vide."
                if not raw_value.strip()
                else "Valeur non numérique (attendu un nombre, virgule décimale acceptée)."
            )
            errors.append(RowError(line, value_column, raw_value, message))
            continue
        seen[pk] = line
        good[pk] = value
    return good, errors


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
    if is_computed_code(code):
        raise FileFormatError(
            f"Le code « {code} » est réservé aux indicateurs calculés par Maillage : "
            "choisissez-en un autre."
        )
    table = read_table(data, filename)
    commune_column = _pick_column(table.columns, colonne_commune, COMMUNE_COLUMNS, "des communes")
    value_column = _pick_column(table.columns, colonne_valeur, VALUE_COLUMNS, "des valeurs")
    good, errors = _rows_check(table, commune_column, value_column)
    if not good:
        raise FileFormatError(
            "Aucune ligne valide dans le fichier : rien n'a été importé. "
            + " ; ".join(f"ligne {e.line} : {e.message}" for e in errors[:5])
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
        median_store(indicateur, on)
    return IndicateurImportResult(indicateur=indicateur, loaded=len(good), errors=errors)
