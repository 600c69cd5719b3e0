"""Writes on the directory: the taxonomy and the import of lieux files."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from maillage.core.geometry import haversine_km
from maillage.core.text import fold, search_key
from maillage.observatory.services import indicators_recompute_request
from maillage.territories.enums import CommuneType
from maillage.territories.models import Commune

from .. import lieux_standard as std
from .. import tabular
from ..enums import Frais, ImportStatus, Modalite, Placement
from ..mapping import Mapping, apply_mapping
from ..models import (
    Categorie,
    ColumnMapping,
    ImportRun,
    Lieu,
    Revision,
    Service,
    Source,
    SourceRecord,
    Structure,
)
from ..schema_check import schema_validate
from .completion import services_complete
from .history import (
    editor_role,
    fields_edited_by_hand,
    objects_edited_by_hand,
    revision_import_created,
    revision_import_update,
)
from .indexing import services_reindex
from .merging import lieux_deduplicate

Progress = Callable[[int, int], None]

_FRAIS = {
    "Gratuit": Frais.GRATUIT,
    "Gratuit sous condition": Frais.SOUS_CONDITIONS,
    "Payant": Frais.PAYANT,
}


def taxonomie_rows() -> list[dict[str, str]]:
    text = files("maillage.directory").joinpath("data/taxonomie.csv").read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


@transaction.atomic
def taxonomie_load() -> int:
    """Create or update the categories of the canonical taxonomy; idempotent."""
    rows = taxonomie_rows()
    Categorie.objects.bulk_create(
        [Categorie(**row) for row in rows],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["libelle", "famille", "description", "exemples"],
    )
    return len(rows)


_RESOLVER_FIELDS = (
    "pk",
    "code",
    "type",
    "nom",
    "search_name",
    "codes_postaux",
    "parent_id",
    "departement_id",
    "bbox_min_lon",
    "bbox_min_lat",
    "bbox_max_lon",
    "bbox_max_lat",
    "mairie_latitude",
    "mairie_longitude",
    "latitude",
    "longitude",
    "population",
)


class CommuneResolver:
    """Finds the commune (type COM) of a lieu from its INSEE code, postal code and name.

    In order: the INSEE code (an arrondissement's or a commune déléguée's leads to its
    commune); the postal code when it names one commune; the name among the communes of
    that postal code; the name in the département (CEDEX codes, merged communes).

    The reference is read as plain rows (about 37 000): building a model instance for each
    took most of the time of a small import. Instances are made only for the communes a file
    actually names.
    """

    def __init__(self) -> None:
        rows = Commune.objects.values_list(*_RESOLVER_FIELDS, "departement__code")
        self._rows: dict[int, tuple[Any, ...]] = {}
        self._departement: dict[int, str] = {}
        self._instances: dict[int, Commune] = {}
        self.by_code: dict[str, int] = {}
        self.by_postal: dict[str, set[int]] = {}
        self.by_name: dict[tuple[str, str], set[int]] = {}
        self._by_departement: dict[str, list[int]] = {}
        all_rows = list(rows)
        for row in all_rows:
            if row[2] == CommuneType.COMMUNE:
                self._rows[row[0]] = row[:-1]
                self._departement[row[0]] = row[-1] or ""
                self._by_departement.setdefault(row[-1] or "", []).append(row[0])
        for row in all_rows:
            pk, code, _type, _nom, search_name, codes_postaux, parent_id = row[:7]
            target = pk if pk in self._rows else parent_id
            if target not in self._rows:
                continue
            self.by_code.setdefault(code, target)
            for postal in codes_postaux or ():
                self.by_postal.setdefault(postal, set()).add(target)
            self.by_name.setdefault((row[-1] or "", search_name), set()).add(target)

    def _commune(self, pk: int) -> Commune:
        found = self._instances.get(pk)
        if found is None:
            found = Commune(**dict(zip(_RESOLVER_FIELDS, self._rows[pk], strict=True)))
            self._instances[pk] = found
        return found

    def resolve(
        self, record: std.LieuRecord, departements_covered: list[str] | None = None
    ) -> Commune | None:
        """`departements_covered`: where to look a name up when the postal code is missing."""
        departements = _departements_of(record.code_postal)
        if not record.code_postal and departements_covered:
            departements = tuple(departements_covered)
        by_code = self.by_code.get(record.code_insee)
        # Trust the INSEE code only when the postal code agrees with it: some files carry
        # the code of a namesake (Mont-Dore in Puy-de-Dôme for Mont-Dore in New Caledonia).
        if by_code is not None:
            commune = self._commune(by_code)
            if (
                not record.code_postal
                or record.code_postal in commune.codes_postaux
                or self._departement[by_code] in departements
            ):
                return commune
        candidates = [self._commune(pk) for pk in self.by_postal.get(record.code_postal, ())]
        if len(candidates) == 1:
            return candidates[0]
        # "MARSEILLE 11", "Paris 5e": the arrondissement number is not part of the name.
        name = search_key(re.sub(r"\s+\d+(er|e|eme)?$", "", record.commune_nom, flags=re.I))
        if not name:
            return None
        for commune in candidates:
            if commune.search_name == name:
                return commune
        matches: set[int] = set()
        for code in departements:
            matches |= self.by_name.get((code, name), set())
        if len(matches) == 1:
            return self._commune(next(iter(matches)))
        return self._from_point(record, candidates, departements)

    def main_commune(self, code_postal: str) -> tuple[Commune, list[Commune]] | None:
        """The most populated commune of a postal code shared by several, and the others."""
        candidates = [self._commune(pk) for pk in self.by_postal.get(code_postal, ())]
        if len(candidates) < 2:
            return None
        candidates.sort(key=lambda c: (-(c.population or 0), c.nom))
        return candidates[0], candidates[1:]

    def _from_point(
        self, record: std.LieuRecord, candidates: list[Commune], departements: tuple[str, ...]
    ) -> Commune | None:
        """Last resort for lieux-dits and former names: the commune around the point."""
        if record.latitude is None or record.longitude is None:
            return None
        pool = candidates or [
            self._commune(pk) for code in departements for pk in self._by_departement.get(code, ())
        ]
        lat, lon = record.latitude, record.longitude
        around = [
            c
            for c in pool
            if c.bbox is not None
            and c.bbox_min_lon <= lon <= c.bbox_max_lon  # type: ignore[operator]
            and c.bbox_min_lat <= lat <= c.bbox_max_lat  # type: ignore[operator]
        ]
        if not around:
            return None
        return min(
            around, key=lambda c: haversine_km(lat, lon, c.latitude or lat, c.longitude or lon)
        )


def _departements_of(code_postal: str) -> tuple[str, ...]:
    """Département codes a postal code may belong to ("20xxx" is Corsica: 2A or 2B)."""
    if code_postal.startswith("97"):
        return (code_postal[:3],)
    if code_postal.startswith("20"):
        return ("2A", "2B")
    return (code_postal[:2],)


@dataclass
class ImportResult:
    run: ImportRun
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    approximate: int = 0
    errors: list[std.RowError] = field(default_factory=list)
    touched_services: list[int] = field(default_factory=list)
    # History rows, written together at the end of the import (one statement per thousand).
    revisions: list[Revision] = field(default_factory=list)
    file_rows: int | None = None
    ignored_values: int = 0
    grouped_rows: int = 0
    skipped_rows: int = 0
    projected: int = 0
    # Errors found by frictionless against the official schema (CSV files of the standard);
    # None when the schema file is absent, -1 when the check does not apply.
    schema_errors: int | None = -1
    # (content type id, object id) of the lieux and services a person has edited, and the
    # number of fields a newer file did not overwrite because of it.
    edited_by_hand: set[tuple[int, int]] = field(default_factory=set)
    kept_fields: int = 0


def _services_by_label() -> dict[str, str]:
    """Folded taxonomy labels and codes → codes (a mapping translates values to codes)."""
    labels = {}
    for code, label in Categorie.objects.values_list("code", "libelle"):
        labels[fold(label)] = code
        labels[fold(code)] = code
    return labels


def _mapping_of(source: Source) -> tuple[Mapping | None, ColumnMapping | None]:
    saved = ColumnMapping.objects.filter(source=source).first()
    if saved is None:
        return None, None
    return (
        Mapping.from_dict(
            {"colonnes": saved.colonnes, "valeurs": saved.valeurs, "options": saved.options}
        ),
        saved,
    )


def _read(
    data: bytes, filename: str, mapping: Mapping | None, result: ImportResult
) -> list[tuple[int, dict[str, object]]]:
    """Rows of the standard: read directly, or through the producer's column mapping."""
    if mapping is None:
        rows = list(std.read_rows(data, filename))
        if tabular.detect_kind(data, filename) == "csv":
            checked = schema_validate(data, Path(settings.LIEUX_SCHEMA_PATH))
            if checked is None:
                result.schema_errors = None
            else:
                result.errors.extend(checked[0])
                result.schema_errors = checked[1]
        return rows
    options = mapping.options
    table = tabular.read_table(
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
    if run is None:
        source, _ = Source.objects.get_or_create(
            slug=slugify(source_name)[:100] or "source", defaults={"nom": source_name}
        )
        run = ImportRun.objects.create(
            source=source,
            fichier=filename,
            status=ImportStatus.RUNNING,
            progress_at=timezone.now(),
        )
    else:
        source = run.source
        run.status = ImportStatus.RUNNING
        run.progress_at = timezone.now()
        run.save(update_fields=["status", "progress_at"])
    result = ImportResult(run=run)
    try:
        saved = None
        if mapping is None:
            mapping, saved = _mapping_of(source)
        if saved is not None:
            run.mapping = saved
        rows = _read(data, filename, mapping, result)
    except std.FileFormatError as exc:
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
    categories = {c.code: c for c in Categorie.objects.all()}
    resolver = CommuneResolver()
    departements_covered = mapping.options.get("departements") if mapping else None
    records: list[tuple[std.LieuRecord, Commune]] = []
    seen: set[str] = set()
    for line, row in rows:
        record, errors = std.normalize_row(line, row, labels)
        result.errors.extend(errors)
        if record is None:
            result.rejected += 1
            continue
        if record.source_id in seen:
            # Some producers use the SIRET as id for every lieu of a structure: tell the
            # lieux apart by name and postal code, which stays stable from one file to
            # the next.
            original = record.source_id
            record.source_id = f"{original}~{slugify(record.nom)[:80]}-{record.code_postal}"
            if record.source_id in seen:
                result.errors.append(
                    std.RowError(line, "id", original, "Lieu en double dans le fichier : ignoré.")
                )
                result.rejected += 1
                continue
            result.errors.append(
                std.RowError(
                    line,
                    "id",
                    original,
                    "Identifiant déjà pris par un autre lieu du fichier : le lieu est repéré "
                    "par son identifiant, son nom et son code postal.",
                    blocking=False,
                )
            )
        commune = resolver.resolve(record, departements_covered)
        if commune is None and mapping is not None and mapping.options.get("commune_principale"):
            commune = _main_commune(record, resolver, result)
        if commune is None:
            message = (
                "Commune introuvable avec ce code postal et ce nom : corrigez-les ou "
                "ajoutez le code INSEE."
            )
            if record.code_postal.startswith(("986", "987", "988")):
                message = (
                    "Les collectivités du Pacifique (Nouvelle-Calédonie, Polynésie française, "
                    "Wallis-et-Futuna) ne figurent pas dans le référentiel des communes : "
                    "lieu non importé."
                )
            result.errors.append(
                std.RowError(
                    line, "commune", f"{record.code_postal} {record.commune_nom}".strip(), message
                )
            )
            result.rejected += 1
            continue
        seen.add(record.source_id)
        records.append((record, commune))

    existing = {
        r.identifiant: r
        for r in SourceRecord.objects.filter(source=source).select_related("lieu", "service")
    }
    result.edited_by_hand = objects_edited_by_hand([Lieu, Service])
    with transaction.atomic():
        for done, (record, commune) in enumerate(records, start=1):
            _upsert(record, commune, source, existing.get(record.source_id), categories, result)
            if progress and (done % 200 == 0 or done == len(records)):
                progress(done, len(records))
        Revision.objects.bulk_create(result.revisions, batch_size=1000)
        run.status = ImportStatus.DONE
        run.finished_at = timezone.now()
        run.counts = {
            "lignes": len(rows) if result.file_rows is None else result.file_rows,
            "crees": result.created,
            "modifies": result.updated,
            "inchanges": result.unchanged,
            "rejetes": result.rejected,
            "positions_approximatives": result.approximate,
            "avertissements": sum(not e.blocking for e in result.errors),
        }
        if result.kept_fields:
            run.counts["champs_conserves"] = result.kept_fields
        if result.schema_errors is None:
            run.counts["schema_national"] = "absent : validation frictionless non faite"
        elif result.schema_errors >= 0:
            run.counts["erreurs_schema_national"] = result.schema_errors
        if mapping is not None:
            run.counts["lignes_regroupees"] = result.grouped_rows
            run.counts["valeurs_hors_perimetre"] = result.ignored_values
            if result.skipped_rows:
                run.counts["lignes_ignorees"] = result.skipped_rows
            if result.projected:
                run.counts["coordonnees_lambert93"] = result.projected
        dedup_counts = lieux_deduplicate(
            lieu_ids=[r.lieu_id for r in SourceRecord.objects.filter(source=source)]
            if result.created or result.updated
            else [],
            import_run=run,
        )
        run.counts.update(dedup_counts)
        run.rapport = [e.as_dict() for e in result.errors]
        # The run is saved whole: its progress must say "all done" as it commits, else the
        # page would read 0 % on a finished run until the worker's last update.
        run.progress_done = run.progress_total = run.counts["lignes"]
        run.progress_at = run.finished_at
        run.save()
        services_reindex(result.touched_services)
        if result.created or result.updated:
            indicators_recompute_request()
    if result.created and connection.vendor == "postgresql":
        # After a bulk load the planner's statistics are stale until autovacuum runs; a
        # search planned on them can be a hundred times slower (measured in make bench).
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE directory_lieu, directory_service, directory_service_lieux, "
                "directory_service_categories, directory_service_fts"
            )
    return result


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
        std.RowError(
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


def _lieu_values(record: std.LieuRecord, commune: Commune, result: ImportResult) -> dict[str, Any]:
    bbox = commune.bbox
    latitude, longitude, status = std.place(record.latitude, record.longitude, bbox)
    placement = Placement.SOURCE
    if status == "inversees":
        placement = Placement.SWAPPED
        result.errors.append(
            std.RowError(
                record.line,
                "latitude",
                f"{record.latitude}, {record.longitude}",
                "Latitude et longitude inversées : remises dans l'ordre.",
                blocking=False,
            )
        )
    elif status in ("absentes", "hors_commune"):
        placement = Placement.MAIRIE
        latitude = commune.mairie_latitude or commune.latitude
        longitude = commune.mairie_longitude or commune.longitude
        result.approximate += 1
        if status == "hors_commune":
            result.errors.append(
                std.RowError(
                    record.line,
                    "latitude",
                    f"{record.latitude}, {record.longitude}",
                    f"Coordonnées hors de la commune {commune.nom} : lieu placé à la mairie, "
                    "position approximative.",
                    blocking=False,
                )
            )
    return {
        "nom": record.nom[:300],
        "adresse": record.adresse[:300],
        "complement_adresse": record.complement_adresse[:300],
        "code_postal": record.code_postal,
        "commune": commune,
        "latitude": latitude,
        "longitude": longitude,
        "placement": placement,
        "horaires": record.horaires[:1000],
        "telephone": record.telephone[:40],
        "courriels": record.courriels,
        "sites_web": record.sites_web,
        "presentation_resume": record.presentation_resume,
        "presentation_detail": record.presentation_detail,
        "fiche_acces_libre": record.fiche_acces_libre[:500],
        "prise_rdv": record.prise_rdv[:500],
        "itinerant": record.itinerant,
        "modalites_acces": record.modalites_acces,
        "prise_en_charge": record.prise_en_charge,
        "dispositifs": record.dispositifs,
        "formations_labels": record.formations_labels,
        "date_maj": record.date_maj,
    }


def _service_values(record: std.LieuRecord) -> dict[str, Any]:
    modalites = [Modalite.ITINERANT if record.itinerant else Modalite.PRESENTIEL]
    if "À distance" in record.modalites_accompagnement:
        modalites.append(Modalite.A_DISTANCE)
    return {
        "nom": f"Médiation numérique — {record.nom}"[:300],
        "description": record.presentation_resume,
        "publics": record.publics,
        "modalites": [str(m) for m in modalites],
        "modalites_accompagnement": record.modalites_accompagnement,
        "frais": [str(_FRAIS[f]) for f in record.frais if f in _FRAIS],
    }


_FIELD_LABELS = {
    "nom": "nom",
    "adresse": "adresse",
    "telephone": "téléphone",
    "horaires": "horaires",
    "courriels": "courriels",
    "sites_web": "sites internet",
    "latitude": "position",
    "longitude": "position",
    "categories": "catégories",
}


def _keep_hand_edits(
    record: std.LieuRecord,
    obj: Lieu | Service,
    values: dict[str, Any],
    result: ImportResult,
    categories: list[str] | None = None,
) -> bool:
    """Drop from `values` the fields a person changed by hand since the last import that set
    them, with a report line for each one the file would have changed. For a service, also
    says whether its categories are kept."""
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    if (ct.pk, obj.pk) not in result.edited_by_hand:
        return False
    edited = fields_edited_by_hand(obj)
    moved = edited.get("latitude") or edited.get("longitude")
    if moved is not None:
        # A point placed by hand is kept whole, with its origin.
        for name in ("latitude", "longitude", "placement"):
            edited.setdefault(name, moved)
    structure_id = obj.structure_id
    keep_categories = False
    for name, revision in edited.items():
        if name == "categories" and categories is not None:
            current = set(obj.categories.values_list("code", flat=True))  # type: ignore[union-attr]
            keep_categories = True
            if current == set(categories):
                continue
            file_value: Any = ", ".join(categories)
        elif name in values:
            file_value = values.pop(name)
            if getattr(obj, name) == file_value or name == "placement":
                continue
        else:
            continue
        when = timezone.localtime(revision.created_at).strftime("%d/%m/%Y")
        shown = ", ".join(map(str, file_value)) if isinstance(file_value, list) else file_value
        result.kept_fields += 1
        result.errors.append(
            std.RowError(
                record.line,
                _FIELD_LABELS.get(name, name),
                str(shown),
                f"conservée : modifiée à la main le {when} par "
                f"{editor_role(revision.user, structure_id)}, valeur du fichier : "
                f"{shown or '(vide)'}",
                blocking=False,
            )
        )
    return keep_categories


def _upsert(
    record: std.LieuRecord,
    commune: Commune,
    source: Source,
    existing: SourceRecord | None,
    categories: dict[str, Categorie],
    result: ImportResult,
) -> None:
    fingerprint = record.fingerprint()
    if existing is not None and existing.fingerprint == fingerprint:
        result.unchanged += 1
        return
    lieu_values = _lieu_values(record, commune, result)
    service_values = _service_values(record)
    if existing is None:
        structure = Structure.objects.create(
            nom=record.nom[:300],
            pivot=record.pivot,
            typologie=record.typologie,
            structure_parente=record.structure_parente[:300],
            courriels=record.courriels,
            telephone=record.telephone[:40],
        )
        lieu = Lieu.objects.create(structure=structure, **lieu_values)
        service = Service.objects.create(structure=structure, **service_values)
        service.lieux.add(lieu)
        service.communes_desservies.add(commune)
        service.categories.set([categories[c] for c in record.categories if c in categories])
        result.touched_services.append(service.pk)
        SourceRecord.objects.create(
            source=source,
            identifiant=record.source_id,
            lieu=lieu,
            service=service,
            fingerprint=fingerprint,
            date_maj=record.date_maj,
        )
        result.revisions += revision_import_created(result.run, structure, lieu, service)
        result.created += 1
        return

    lieu = existing.lieu
    keep_categories = _keep_hand_edits(record, lieu, lieu_values, result)
    if existing.service is not None:
        keep_categories = _keep_hand_edits(
            record, existing.service, service_values, result, categories=record.categories
        )
    result.revisions += revision_import_update(
        result.run, lieu, lieu_values, existing.service, service_values
    )
    changed = [name for name, value in lieu_values.items() if getattr(lieu, name) != value]
    for name, value in lieu_values.items():
        setattr(lieu, name, value)
    lieu.save()
    current = existing.service
    if current is not None:
        changed += [n for n, v in service_values.items() if getattr(current, n) != v]
        for name, value in service_values.items():
            setattr(current, name, value)
        current.save()
        before = set(current.categories.values_list("code", flat=True))
        if before != set(record.categories) and not keep_categories:
            changed.append("categories")
            current.categories.set([categories[c] for c in record.categories if c in categories])
    if current is not None:
        result.touched_services.append(current.pk)
    existing.fingerprint = fingerprint
    existing.date_maj = record.date_maj
    existing.last_changed = timezone.now()
    existing.save(update_fields=["fingerprint", "date_maj", "last_changed"])
    result.updated += 1
    result.run.modifications.append({"id": record.source_id, "champs": sorted(set(changed))})
