"""The history of directory objects: every change by a person or an import becomes a Revision.

Field-level before/after values are kept as JSON (`{field: [before, after]}`). Imports record
through the two `revision_import_*` hooks, called at the upsert point of `imports.py`, so the
import code itself stays about reading files.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from maillage.observatory.services import indicators_recompute_request

from ..enums import Placement, RevisionAction
from ..models import ImportRun, Lieu, Revision, Service, Structure

if TYPE_CHECKING:
    from maillage.accounts.models import User

Directory = Structure | Lieu | Service


def _json(value: Any) -> Any:
    """A JSON-serialisable picture of a field value, readable in the history."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, str | int | float | bool | dict) or value is None:
        return value
    return str(value)


def _m2m(value: Iterable[models.Model]) -> list[str]:
    return sorted(str(item) for item in value)


def snapshot(obj: Directory, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of `fields` (many-to-many as sorted labels)."""
    values: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            values[name] = _m2m(getattr(obj, name).all()) if obj.pk else []
        else:
            values[name] = _json(getattr(obj, name))
    return values


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def revision_build(
    *,
    obj: Directory,
    action: RevisionAction,
    changes: dict[str, list[Any]] | None = None,
    user: User | None = None,
    import_run: ImportRun | None = None,
) -> Revision:
    """A history row, unsaved: a person's edit saves it at once, an import saves all of its
    rows together."""
    return Revision(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=obj.pk,
        objet=str(obj)[:300],
        action=action,
        changes=changes or {},
        user=user,
        import_run=import_run,
    )


#: Fields whose change moves the observatory's counts and distances.
INDICATOR_FIELDS: dict[type, set[str]] = {
    Lieu: {"latitude", "longitude", "commune"},
    Service: {"categories", "lieux"},
}


@transaction.atomic
def directory_object_update(
    *, obj: Directory, user: User, data: Mapping[str, Any]
) -> dict[str, list[Any]]:
    """Write a person's edit of a structure, lieu or service and record what changed.

    `data` maps field names to new values (a list or queryset for many-to-many fields). The
    object is re-read from the database so "before" is what was stored, not what a bound
    form already put on the instance. Returns the changes (empty: nothing was written).
    """
    model = type(obj)
    current = model.objects.select_for_update().get(pk=obj.pk)
    before = snapshot(current, data.keys())
    plain = {}
    relations = {}
    for name, value in data.items():
        if current._meta.get_field(name).many_to_many:
            relations[name] = list(value)
        else:
            plain[name] = value
    for name, value in plain.items():
        setattr(current, name, value)
    if isinstance(current, Lieu) and (
        current.latitude != before.get("latitude") or current.longitude != before.get("longitude")
    ):
        # A person placed the lieu: its position is no longer the mairie's approximation.
        before["placement"] = current.placement
        current.placement = Placement.SOURCE
        plain["placement"] = Placement.SOURCE
    current.full_clean()
    after = {name: _json(getattr(current, name)) for name in plain}
    after.update({name: _m2m(items) for name, items in relations.items()})
    changes = changes_between(before, after)
    if not changes:
        return {}
    current.save()
    for name, items in relations.items():
        getattr(current, name).set(items)
    revision_build(obj=current, action=RevisionAction.UPDATE, changes=changes, user=user).save()
    if changes.keys() & INDICATOR_FIELDS.get(model, set()):
        indicators_recompute_request()
    if isinstance(current, Service):
        from .indexing import services_reindex

        services_reindex([current.pk])
    elif isinstance(current, Lieu | Structure):
        from .indexing import services_reindex

        services_reindex(list(current.services.values_list("pk", flat=True)))
    return changes


def _readable(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    return str(value)


def revisions_of(obj: Directory, limit: int = 50) -> list[Revision]:
    """The history of one object, newest first, with who or which import changed it.

    Each revision gets `rows`: (field's French name, before, after) as readable text."""
    revisions = list(
        Revision.objects.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
            object_id=obj.pk,
        ).select_related("user", "import_run__source")[:limit]
    )
    labels: dict[str, str] = {"fusion": "Lieu fusionné", "separation": "Séparé de"}
    for field in obj._meta.get_fields():
        labels[field.name] = str(getattr(field, "verbose_name", field.name))
    for revision in revisions:
        revision.rows = [  # type: ignore[attr-defined]
            (labels.get(name, name), _readable(values[0]), _readable(values[1]))
            for name, values in revision.changes.items()
        ]
    return revisions


# Manual edits win over newer imports (docs/directory.md, « Modifications à la main »).


def objects_edited_by_hand(models_: Iterable[type[models.Model]]) -> set[tuple[int, int]]:
    """(content type id, object id) of every object of these models a person has edited.

    One query for a whole import: people edit a handful of objects, imports touch thousands.
    """
    types = [ContentType.objects.get_for_model(m, for_concrete_model=True) for m in models_]
    return set(
        Revision.objects.filter(
            content_type__in=types,
            action=RevisionAction.UPDATE,
            user__isnull=False,
            import_run__isnull=True,
        ).values_list("content_type_id", "object_id")
    )


def fields_edited_by_hand(obj: Directory) -> dict[str, Revision]:
    """Field → the person's revision, for each field whose latest change was made by hand
    (after the last import that set it: a later import's change of the field would be the
    latest)."""
    latest: dict[str, Revision] = {}
    for revision in (
        Revision.objects.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
            object_id=obj.pk,
        )
        .select_related("user")
        .order_by("created_at", "pk")
    ):
        for name in revision.changes:
            latest[name] = revision
    return {
        name: revision
        for name, revision in latest.items()
        if revision.action == RevisionAction.UPDATE
        and revision.user_id is not None
        and revision.import_run_id is None
    }


def editor_role(user: User | None, structure_id: int | None) -> str:
    """What the editor was, never who: the import report is read by other people."""
    if user is None:
        return "une personne"
    from maillage.accounts.enums import Role

    roles = list(user.roles.values_list("role", "structure_id"))
    if any(r == Role.STRUCTURE_MANAGER and s == structure_id for r, s in roles):
        return "le gestionnaire de la structure"
    if user.is_superuser:
        return "un administrateur"
    if any(r == Role.TERRITORY_ADMIN for r, _ in roles):
        return "un administrateur territorial"
    if any(r == Role.STRUCTURE_MANAGER for r, _ in roles):
        return "un gestionnaire de structure"
    return "une personne"


# Hooks called by `lieux_import` at its upsert point.


def revision_import_created(run: ImportRun, *objects: Directory) -> list[Revision]:
    """The history rows saying that an import created these objects (unsaved: the import
    writes them all at once)."""
    return [
        revision_build(obj=obj, action=RevisionAction.CREATE, import_run=run) for obj in objects
    ]


def revision_import_update(
    run: ImportRun,
    lieu: Lieu,
    lieu_values: Mapping[str, Any],
    service: Service | None = None,
    service_values: Mapping[str, Any] | None = None,
) -> list[Revision]:
    """The history rows of what a newer file changes, made before the import writes it on
    the objects (unsaved, as above)."""
    pairs: list[tuple[Directory, Mapping[str, Any]]] = [(lieu, lieu_values)]
    if service is not None and service_values is not None:
        pairs.append((service, service_values))
    revisions = []
    for obj, values in pairs:
        changes = {
            name: [_json(getattr(obj, name)), _json(value)]
            for name, value in values.items()
            if getattr(obj, name) != value
        }
        if changes:
            revisions.append(
                revision_build(
                    obj=obj, action=RevisionAction.IMPORT, changes=changes, import_run=run
                )
            )
    return revisions
