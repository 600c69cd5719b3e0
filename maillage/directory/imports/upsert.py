"""Writing one valid row of a file: create its structure, lieu and service, or update them.

The history rows, the full-text index and the listeners are the change pipeline's, called
once for the whole import (`lieux.lieux_import`): here the objects and what changed on them
are handed to the `ImportResult`. Fields a person edited by hand since the last import that
set them are kept, with a report line (docs/directory.md, « Modifications à la main »).
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from maillage.territories.models import Commune

from ..changes import changes_to, m2m_value
from ..enums import Frais, Modalite, Placement
from ..models import Categorie, Lieu, Service, Source, SourceRecord, Structure
from ..selectors.history import editor_role, fields_edited_by_hand
from .errors import RowError
from .result import ImportResult
from .standard import LieuRecord, place

_FRAIS = {
    "Gratuit": Frais.GRATUIT,
    "Gratuit sous condition": Frais.SOUS_CONDITIONS,
    "Payant": Frais.PAYANT,
}


def lieu_values_of(record: LieuRecord, commune: Commune, result: ImportResult) -> dict[str, Any]:
    bbox = commune.bbox
    latitude, longitude, status = place(record.latitude, record.longitude, bbox)
    placement = Placement.SOURCE
    if status == "inversees":
        placement = Placement.SWAPPED
        result.errors.append(
            RowError(
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
                RowError(
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


def service_values_of(record: LieuRecord) -> dict[str, Any]:
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
    record: LieuRecord,
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
            RowError(
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


def lieu_upsert(
    record: LieuRecord,
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
    lieu_values = lieu_values_of(record, commune, result)
    service_values = service_values_of(record)
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
        SourceRecord.objects.create(
            source=source,
            identifiant=record.source_id,
            lieu=lieu,
            service=service,
            fingerprint=fingerprint,
            date_maj=record.date_maj,
        )
        result.created_objects += [structure, lieu, service]
        result.created += 1
        return

    lieu = existing.lieu
    keep_categories = _keep_hand_edits(record, lieu, lieu_values, result)
    if existing.service is not None:
        keep_categories = _keep_hand_edits(
            record, existing.service, service_values, result, categories=record.categories
        )
    lieu_changes = changes_to(lieu, lieu_values)
    changed = list(lieu_changes)
    for name, value in lieu_values.items():
        setattr(lieu, name, value)
    lieu.save()
    result.update(lieu, lieu_changes)
    current = existing.service
    if current is not None:
        service_changes = changes_to(current, service_values)
        for name, value in service_values.items():
            setattr(current, name, value)
        current.save()
        before = set(current.categories.values_list("code", flat=True))
        if before != set(record.categories) and not keep_categories:
            wanted = [categories[c] for c in record.categories if c in categories]
            service_changes["categories"] = [
                m2m_value(current.categories.all()),
                m2m_value(wanted),
            ]
            current.categories.set(wanted)
        changed += list(service_changes)
        result.update(current, service_changes)
    existing.fingerprint = fingerprint
    existing.date_maj = record.date_maj
    existing.last_changed = timezone.now()
    existing.save(update_fields=["fingerprint", "date_maj", "last_changed"])
    result.updated += 1
    result.run.modifications.append({"id": record.source_id, "champs": sorted(set(changed))})
