"""Services files that complete lieux already imported from another source (data·inclusion).

data·inclusion publishes its structures and their services in two files; the services file
names the structure by its id. Its rows add taxonomy categories to the service of the lieu
imported from the structures file under that id. Thematiques outside the taxonomy (mobilité,
logement…) are out of scope: dropped and counted.

Like every import, a completion goes through the change pipeline (history row with the
import, full-text index, listeners such as the observatory's recompute), and a service whose
categories a person edited by hand keeps them (a report line says so).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from maillage.core.text import fold

from ..changes import ChangeOrigin, directory_changed, m2m_value
from ..enums import ImportStatus, RevisionAction
from ..models import Categorie, Service, SourceRecord
from ..selectors.history import editor_role, fields_edited_by_hand, objects_edited_by_hand
from . import standard as std
from .errors import RowError

if TYPE_CHECKING:
    from .result import ImportResult


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
    wanted, first_line, out_of_scope = _wanted(rows, records, target, labels, result)
    categories = {c.code: c for c in Categorie.objects.all()}
    touched: list[Service] = []
    changes: list[dict[str, list[Any]]] = []
    with transaction.atomic():
        edited = objects_edited_by_hand([Service])
        for identifiant, codes in wanted.items():
            service = records[identifiant].service
            assert service is not None  # noqa: S101 - filtered by _wanted
            before = set(service.categories.values_list("code", flat=True))
            missing = codes - before
            line = first_line[identifiant]
            if not missing or _kept_by_hand(service, edited, sorted(codes | before), line, result):
                result.unchanged += 1
                continue
            labels_before = m2m_value(service.categories.all())
            service.categories.add(*(categories[c] for c in sorted(missing)))
            touched.append(service)
            changes.append({"categories": [labels_before, m2m_value(service.categories.all())]})
            result.updated += 1
            run.modifications.append({"id": identifiant, "champs": ["categories"]})
        run.status = ImportStatus.DONE
        run.finished_at = timezone.now()
        run.counts = _counts(len(rows), out_of_scope, result)
        run.rapport = [e.as_dict() for e in result.errors]
        run.save()
        directory_changed(
            objs=touched,
            action=RevisionAction.IMPORT,
            changes=changes,
            import_run=run,
            origin=ChangeOrigin.COMPLETION,
        )
    if progress:
        progress(len(rows), len(rows))
    result.ignored_values += out_of_scope
    return result


def _wanted(
    rows: list[tuple[int, dict[str, Any]]],
    records: dict[str, SourceRecord],
    target: str,
    labels: dict[str, str],
    result: ImportResult,
) -> tuple[dict[str, set[str]], dict[str, int], int]:
    """The taxonomy codes each known id asks for, the first line of each id, and the
    number of values out of the taxonomy; rows of an unknown id are rejected."""
    wanted: dict[str, set[str]] = {}
    first_line: dict[str, int] = {}
    out_of_scope = 0
    for line, row in rows:
        identifiant = str(row.get("id") or "")
        record = records.get(identifiant)
        if record is None or record.service is None:
            result.errors.append(
                RowError(
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
        first_line.setdefault(identifiant, line)
    return wanted, first_line, out_of_scope


def _counts(rows: int, out_of_scope: int, result: ImportResult) -> dict[str, object]:
    counts: dict[str, object] = {
        "lignes": result.file_rows if result.file_rows is not None else rows,
        "crees": 0,
        "modifies": result.updated,
        "inchanges": result.unchanged,
        "rejetes": result.rejected,
        "positions_approximatives": 0,
        "avertissements": 0,
        "lignes_regroupees": result.grouped_rows,
        "valeurs_hors_perimetre": result.ignored_values + out_of_scope,
    }
    if result.kept_fields:
        counts["champs_conserves"] = result.kept_fields
    return counts


def _kept_by_hand(
    service: Service,
    edited: set[tuple[int, int]],
    wanted: list[str],
    line: int,
    result: ImportResult,
) -> bool:
    """A person chose this service's categories since the last import that set them: the
    completion leaves them, with a report line (as a newer lieux file would)."""
    ct = ContentType.objects.get_for_model(Service)
    if (ct.pk, service.pk) not in edited:
        return False
    revision = fields_edited_by_hand(service).get("categories")
    if revision is None:
        return False
    when = timezone.localtime(revision.created_at).strftime("%d/%m/%Y")
    shown = ", ".join(wanted)
    result.kept_fields += 1
    result.errors.append(
        RowError(
            line,
            "catégories",
            shown,
            f"conservée : modifiée à la main le {when} par "
            f"{editor_role(revision.user, service.structure_id)}, valeur du fichier : {shown}",
            blocking=False,
        )
    )
    return True
