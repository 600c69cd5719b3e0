"""`lieux_import`: a lieux file into the directory — read, validate, upsert, deduplicate.

The steps, each a function below: record the run (`_run_start`); read the file once, through
the producer's column mapping or as the national standard with its schema check (`_rows`);
validate every row and find its commune (`_records`); write the valid rows in one
transaction, hand what changed to the change pipeline and deduplicate (`_write`).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from maillage.core.text import fold
from maillage.territories.models import Commune

from ..changes import ChangeOrigin, directory_changed, directory_changes_batched
from ..enums import ImportStatus, RevisionAction
from ..models import Categorie, ColumnMapping, ImportRun, Lieu, Service, Source, SourceRecord
from ..selectors.history import objects_edited_by_hand
from ..services.merging import lieux_deduplicate
from . import standard as std
from .communes import CommuneResolver
from .completion import services_complete
from .errors import FileFormatError, RowError
from .mapping import Mapping, apply_mapping
from .reader import read_table
from .result import ImportResult, Progress
from .schema_check import schema_validate
from .upsert import lieu_upsert

Rows = list[tuple[int, dict[str, object]]]


def lieux_import(
    *,
    data: bytes,
    filename: str,
    source_name: str,
    progress: Progress | None = None,
    run: ImportRun | None = None,
    mapping: Mapping | None = None,
) -> ImportResult:
    """Import a lieux file: validate every row, upsert the valid ones in one transaction.

    Re-importing the same file changes nothing (upsert by source and source id, with a
    fingerprint of the content); a newer file updates what changed and records which
    fields did. A file that cannot be read as a whole raises `FileFormatError` and writes
    nothing but the failed run. `run`, when given, is the run a background import was
    queued as (its source wins over `source_name`); otherwise a new run is recorded.

    `mapping` reads a producer's own CSV, XLSX or JSON; without it, the column mapping saved
    for the source (if any) is used, else the file must follow the national standard. A
    mapping that does not fit the file raises `MappingError` (a `FileFormatError`) before
    anything is written.
    """
    run = _run_start(run, source_name, filename)
    source = run.source
    result = ImportResult(run=run)
    try:
        if mapping is None:
            mapping = _saved_mapping(run)
        rows = _rows(data, filename, mapping, result)
    except FileFormatError as exc:
        run.status = ImportStatus.FAILED
        run.message = str(exc)
        run.finished_at = timezone.now()
        run.save()
        raise
    labels = _services_by_label()
    if mapping is not None and mapping.options.get("completer_source"):
        return services_complete(
            rows=rows,
            target=str(mapping.options["completer_source"]),
            labels=labels,
            result=result,
            progress=progress,
        )
    records = _records(rows, labels, mapping, result)
    _write(records, source, rows, mapping, result, progress)
    if result.created and connection.vendor == "postgresql":
        # After a bulk load the planner's statistics are stale until autovacuum runs; a
        # search planned on them can be a hundred times slower (measured in make bench).
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE directory_lieu, directory_service, directory_service_lieux, "
                "directory_service_categories, directory_service_fts"
            )
    return result


def _run_start(run: ImportRun | None, source_name: str, filename: str) -> ImportRun:
    if run is None:
        source, _ = Source.objects.get_or_create(
            slug=slugify(source_name)[:100] or "source", defaults={"nom": source_name}
        )
        return ImportRun.objects.create(
            source=source,
            fichier=filename,
            status=ImportStatus.RUNNING,
            progress_at=timezone.now(),
        )
    run.status = ImportStatus.RUNNING
    run.progress_at = timezone.now()
    run.save(update_fields=["status", "progress_at"])
    return run


def _saved_mapping(run: ImportRun) -> Mapping | None:
    """The column mapping saved for the run's source, noted on the run; None without one."""
    saved = ColumnMapping.objects.filter(source=run.source).first()
    if saved is None:
        return None
    run.mapping = saved
    return Mapping.from_dict(
        {"colonnes": saved.colonnes, "valeurs": saved.valeurs, "options": saved.options}
    )


def _rows(data: bytes, filename: str, mapping: Mapping | None, result: ImportResult) -> Rows:
    """Rows of the standard: read directly, or through the producer's column mapping. The
    file is read once (`reader.read_table`); the schema check validates that table."""
    if mapping is None:
        table = std.read_standard(data, filename)
        rows = std.rows_of(table)
        if table.kind == "csv":
            checked = schema_validate(table, Path(settings.LIEUX_SCHEMA_PATH))
            if checked is None:
                result.schema_errors = None
            else:
                result.errors.extend(checked[0])
                result.schema_errors = checked[1]
        return rows
    options = mapping.options
    table = read_table(
        data,
        filename,
        encoding=options.get("encodage"),
        separator=options.get("separateur"),
        sheet=options.get("feuille"),
        records_path=options.get("chemin_enregistrements"),
        names=options.get("colonnes_sans_entete"),
    )
    mapping.check_columns(table.columns)
    mapped = apply_mapping(mapping, table.rows)
    result.file_rows = len(table.rows)
    result.ignored_values = mapped.ignored_values
    result.grouped_rows = mapped.grouped_rows
    result.skipped_rows = mapped.skipped_rows
    result.projected = mapped.projected
    result.errors.extend(mapped.warnings)
    return mapped.rows


def _services_by_label() -> dict[str, str]:
    """Folded taxonomy labels and codes → codes (a mapping translates values to codes)."""
    labels = {}
    for code, label in Categorie.objects.values_list("code", "libelle"):
        labels[fold(label)] = code
        labels[fold(code)] = code
    return labels


def _records(
    rows: Rows, labels: dict[str, str], mapping: Mapping | None, result: ImportResult
) -> list[tuple[std.LieuRecord, Commune]]:
    """The valid rows with their commune; the others are reported and counted rejected."""
    resolver = CommuneResolver()
    options = mapping.options if mapping is not None else {}
    records: list[tuple[std.LieuRecord, Commune]] = []
    seen: set[str] = set()
    for line, row in rows:
        record, errors = std.normalize_row(line, row, labels)
        result.errors.extend(errors)
        if record is None or not _identified(record, seen, result):
            result.rejected += 1
            continue
        commune = resolver.resolve(record, options.get("departements"))
        if commune is None and options.get("commune_principale"):
            commune = _main_commune(record, resolver, result)
        if commune is None:
            _commune_missing(record, result)
            result.rejected += 1
            continue
        seen.add(record.source_id)
        records.append((record, commune))
    return records


def _identified(record: std.LieuRecord, seen: set[str], result: ImportResult) -> bool:
    """Whether the record's id is free in the file (made unique when it can be)."""
    if record.source_id not in seen:
        return True
    # Some producers use the SIRET as id for every lieu of a structure: tell the lieux apart
    # by name and postal code, which stays stable from one file to the next.
    original = record.source_id
    record.source_id = f"{original}~{slugify(record.nom)[:80]}-{record.code_postal}"
    if record.source_id in seen:
        result.errors.append(
            RowError(record.line, "id", original, "Lieu en double dans le fichier : ignoré.")
        )
        return False
    result.errors.append(
        RowError(
            record.line,
            "id",
            original,
            "Identifiant déjà pris par un autre lieu du fichier : le lieu est repéré "
            "par son identifiant, son nom et son code postal.",
            blocking=False,
        )
    )
    return True


def _commune_missing(record: std.LieuRecord, result: ImportResult) -> None:
    message = (
        "Commune introuvable avec ce code postal et ce nom : corrigez-les ou ajoutez le code INSEE."
    )
    if record.code_postal.startswith(("986", "987", "988")):
        message = (
            "Les collectivités du Pacifique (Nouvelle-Calédonie, Polynésie française, "
            "Wallis-et-Futuna) ne figurent pas dans le référentiel des communes : "
            "lieu non importé."
        )
    value = f"{record.code_postal} {record.commune_nom}".strip()
    result.errors.append(RowError(record.line, "commune", value, message))


def _main_commune(
    record: std.LieuRecord, resolver: CommuneResolver, result: ImportResult
) -> Commune | None:
    """A postal code several communes share, and no name to choose: the most populated one,
    flagged approximate (its mairie's point) with a warning naming the others."""
    found = resolver.main_commune(record.code_postal)
    if found is None:
        return None
    commune, others = found
    record.latitude = record.longitude = None
    names = ", ".join(c.nom for c in others[:5]) + (" …" if len(others) > 5 else "")
    result.errors.append(
        RowError(
            record.line,
            "commune",
            f"{record.code_postal} {record.commune_nom}".strip(),
            f"Code postal partagé par {len(others) + 1} communes : lieu placé à {commune.nom}, "
            f"la plus peuplée (autres : {names}), position approximative à sa mairie. "
            "Vérifiez la commune.",
            blocking=False,
        )
    )
    return commune


def _write(
    records: list[tuple[std.LieuRecord, Commune]],
    source: Source,
    rows: Rows,
    mapping: Mapping | None,
    result: ImportResult,
    progress: Progress | None,
) -> None:
    """Upsert the valid rows, record the changes, deduplicate and close the run, in one
    transaction: a run is never seen "terminé" without its rows, nor its rows without it."""
    run = result.run
    categories = {c.code: c for c in Categorie.objects.all()}
    existing = {
        r.identifiant: r
        for r in SourceRecord.objects.filter(source=source).select_related("lieu", "service")
    }
    result.edited_by_hand = objects_edited_by_hand([Lieu, Service])
    with (
        transaction.atomic(),
        directory_changes_batched(origin=ChangeOrigin.IMPORT, import_run=run),
    ):
        for done, (record, commune) in enumerate(records, start=1):
            lieu_upsert(record, commune, source, existing.get(record.source_id), categories, result)
            if progress and (done % 200 == 0 or done == len(records)):
                progress(done, len(records))
        _changes_record(result)
        run.status = ImportStatus.DONE
        run.finished_at = timezone.now()
        run.counts = _counts(rows, mapping, result)
        run.counts.update(
            lieux_deduplicate(
                lieu_ids=[r.lieu_id for r in SourceRecord.objects.filter(source=source)]
                if result.created or result.updated
                else [],
                import_run=run,
            )
        )
        run.rapport = [e.as_dict() for e in result.errors]
        # The run is saved whole: its progress must say "all done" as it commits, else the
        # page would read 0 % on a finished run until the worker's last update.
        run.progress_done = run.progress_total = run.counts["lignes"]
        run.progress_at = run.finished_at
        run.save()


def _changes_record(result: ImportResult) -> None:
    """The import's creations and updates through the change pipeline (history rows, full
    text, listeners)."""
    run = result.run
    if result.created_objects:
        directory_changed(
            objs=result.created_objects,
            action=RevisionAction.CREATE,
            import_run=run,
            origin=ChangeOrigin.IMPORT,
        )
    if result.updated_objects:
        directory_changed(
            objs=result.updated_objects,
            action=RevisionAction.IMPORT,
            changes=result.updated_changes,
            import_run=run,
            origin=ChangeOrigin.IMPORT,
        )


def _counts(rows: Rows, mapping: Mapping | None, result: ImportResult) -> dict[str, object]:
    counts: dict[str, object] = {
        "lignes": len(rows) if result.file_rows is None else result.file_rows,
        "crees": result.created,
        "modifies": result.updated,
        "inchanges": result.unchanged,
        "rejetes": result.rejected,
        "positions_approximatives": result.approximate,
        "avertissements": sum(not e.blocking for e in result.errors),
    }
    if result.kept_fields:
        counts["champs_conserves"] = result.kept_fields
    if result.schema_errors is None:
        counts["schema_national"] = "absent : validation frictionless non faite"
    elif result.schema_errors >= 0:
        counts["erreurs_schema_national"] = result.schema_errors
    if mapping is not None:
        counts["lignes_regroupees"] = result.grouped_rows
        counts["valeurs_hors_perimetre"] = result.ignored_values
        if result.skipped_rows:
            counts["lignes_ignorees"] = result.skipped_rows
        if result.projected:
            counts["coordonnees_lambert93"] = result.projected
    return counts
