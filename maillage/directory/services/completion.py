"""Services files that complete lieux already imported from another source (data·inclusion).

data·inclusion publishes its structures and their services in two files; the services file
names the structure by its id. Its rows add taxonomy categories to the service of the lieu
imported from the structures file under that id. Thematiques outside the taxonomy (mobilité,
logement…) are out of scope: dropped and counted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from maillage.core.text import fold

from .. import lieux_standard as std
from ..enums import ImportStatus
from ..models import Categorie, SourceRecord
from .indexing import services_reindex

if TYPE_CHECKING:
    from .imports import ImportResult


def _code(value: str, labels: dict[str, str]) -> str | None:
    key = fold(value).removeprefix("numerique ")
    return labels.get(key) or std.LEGACY_SERVICES.get(key)


def services_complete(
    *,
    rows: list[tuple[int, dict[str, Any]]],
    target: str,
    labels: dict[str, str],
    result: ImportResult,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Add the categories of each row to the lieu of source `target` with the row's id."""
    run = result.run
    records = {
        r.identifiant: r
        for r in SourceRecord.objects.filter(source__slug=slugify(target)[:100]).select_related(
            "service"
        )
    }
    categories = {c.code: c for c in Categorie.objects.all()}
    wanted: dict[str, set[str]] = {}
    out_of_scope = 0
    for line, row in rows:
        identifiant = str(row.get("id") or "")
        record = records.get(identifiant)
        if record is None or record.service is None:
            result.errors.append(
                std.RowError(
                    line,
                    "id",
                    identifiant,
                    f"Structure absente de la source « {target} » : services non rattachés.",
                )
            )
            result.rejected += 1
            continue
        codes = set()
        for value in row.get("services") or []:
            code = _code(str(value), labels)
            if code is None:
                out_of_scope += 1
            else:
                codes.add(code)
        wanted.setdefault(identifiant, set()).update(codes)

    touched = []
    with transaction.atomic():
        for identifiant, codes in wanted.items():
            service = records[identifiant].service
            assert service is not None  # noqa: S101 - filtered above
            before = set(service.categories.values_list("code", flat=True))
            missing = codes - before
            if not missing:
                result.unchanged += 1
                continue
            service.categories.add(*(categories[c] for c in sorted(missing)))
            touched.append(service.pk)
            result.updated += 1
            run.modifications.append({"id": identifiant, "champs": ["categories"]})
        run.status = ImportStatus.DONE
        run.finished_at = timezone.now()
        run.counts = {
            "lignes": result.file_rows if result.file_rows is not None else len(rows),
            "crees": 0,
            "modifies": result.updated,
            "inchanges": result.unchanged,
            "rejetes": result.rejected,
            "positions_approximatives": 0,
            "avertissements": 0,
            "lignes_regroupees": result.grouped_rows,
            "valeurs_hors_perimetre": result.ignored_values + out_of_scope,
        }
        run.rapport = [e.as_dict() for e in result.errors]
        run.save()
        services_reindex(touched)
    if progress:
        progress(len(rows), len(rows))
    result.ignored_values += out_of_scope
    return result
