"""Reads of the history: an object's revisions, and the hand edits that imports respect."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from ..enums import RevisionAction
from ..models import Lieu, Revision, Service, Structure

if TYPE_CHECKING:
    from maillage.accounts.models import User

Directory = Structure | Lieu | Service


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
