"""The directory's one change pipeline: every write of a structure, a lieu or a service ends here.

Whoever writes — the management space, the Django admin, an import, a completion import, a
merge or a separation of duplicates, the demo loader — calls `directory_changed` once the
objects are written (before, for a deletion), inside its transaction. It

1. records the history (one `Revision` per object: who or which import, what changed);
2. rewrites the full-text entries of the services the change touches (a service, the services
   of a lieu or of a structure; a deleted service leaves the index, a deleted lieu leaves its
   services' text);
3. tells the listeners once the transaction commits (`transaction.on_commit`).

Apps above the directory react through a listener rather than being called from here (the
directory imports no app above it): the observatory registers its recompute request in
`ObservatoryConfig.ready()` with `register_directory_listener`, and decides from the change's
fields whether its indicators moved.

An import writes thousands of objects and may merge hundreds of duplicates: inside
`directory_changes_batched()`, the history and the index are written at each call as usual,
but the listeners hear of the whole batch once, as one `DirectoryChange`.
"""

from __future__ import annotations

import datetime
import enum
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from .enums import RevisionAction
from .indexing import services_reindex, services_unindex
from .models import ImportRun, Lieu, Revision, Service, Structure

if TYPE_CHECKING:
    from maillage.accounts.models import User

logger = logging.getLogger(__name__)

Directory = Structure | Lieu | Service
Changes = Mapping[str, list[Any]]


class ChangeOrigin(enum.StrEnum):
    """Who wrote: the listeners may treat a person's edit and a file differently."""

    ESPACE = "espace"  # a manager or a curator, in the management space
    ADMIN = "admin"  # the Django admin
    IMPORT = "import"  # a lieux file
    COMPLETION = "completion"  # a services file completing lieux already imported
    MERGE = "fusion"  # two duplicates merged (review queue or deduplication)
    SEPARATION = "separation"  # a pair of the review queue declared distinct
    DEMO = "demo"  # the demo directory (`load_demo_annuaire`)


@dataclass(frozen=True)
class ChangedObject:
    """One object of a change. `fields` holds the changed fields; a creation or a deletion
    changes every field of the object (many-to-many included)."""

    model: str  # "structure", "lieu" or "service"
    pk: int
    action: RevisionAction
    fields: frozenset[str]


@dataclass(frozen=True)
class DirectoryChange:
    """What one write (or one batch of writes) changed in the directory, as listeners see it."""

    origin: ChangeOrigin
    objects: tuple[ChangedObject, ...]
    user_id: int | None = None
    import_run_id: int | None = None

    def fields_of(self, model: str) -> frozenset[str]:
        """Every field changed on objects of this model ("lieu", "service", "structure")."""
        found: set[str] = set()
        for item in self.objects:
            if item.model == model:
                found |= item.fields
        return frozenset(found)

    def pks_of(self, model: str) -> frozenset[int]:
        return frozenset(item.pk for item in self.objects if item.model == model)


DirectoryListener = Callable[[DirectoryChange], None]
_listeners: list[DirectoryListener] = []


def register_directory_listener(fn: DirectoryListener) -> DirectoryListener:
    """Call `fn(change)` after each committed change of the directory (usable as a decorator;
    registering the same function twice has no effect). A listener that raises is logged
    and does not stop the others."""
    if fn not in _listeners:
        _listeners.append(fn)
    return fn


def unregister_directory_listener(fn: DirectoryListener) -> None:
    if fn in _listeners:
        _listeners.remove(fn)


def directory_listeners() -> list[DirectoryListener]:
    return list(_listeners)


def _deliver(change: DirectoryChange) -> None:
    for listener in list(_listeners):
        try:
            listener(change)
        except Exception:
            logger.exception("directory listener %s failed", getattr(listener, "__name__", "?"))


# --- Values as the history keeps them ------------------------------------------------------


def json_value(value: Any) -> Any:
    """A JSON-serialisable picture of a field value, readable in the history."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, str | int | float | bool | dict) or value is None:
        return value
    return str(value)


def m2m_value(items: Iterable[models.Model]) -> list[str]:
    return sorted(str(item) for item in items)


def snapshot(obj: Directory, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of `fields` (many-to-many as sorted labels)."""
    values: dict[str, Any] = {}
    for name in fields:
        if obj._meta.get_field(name).many_to_many:
            values[name] = m2m_value(getattr(obj, name).all()) if obj.pk else []
        else:
            values[name] = json_value(getattr(obj, name))
    return values


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields whose value differs."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def changes_to(obj: Directory, values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [current, new]} for the plain fields `values` would change on `obj` (computed
    before writing them: an import knows the new values, the object still has the old)."""
    return {
        name: [json_value(getattr(obj, name)), json_value(value)]
        for name, value in values.items()
        if getattr(obj, name) != value
    }


def _all_fields(model: type[models.Model]) -> frozenset[str]:
    return frozenset(
        f.name
        for f in model._meta.get_fields()
        if (f.concrete or f.many_to_many)
        and not f.auto_created
        and f.name not in ("id", "updated_at")
    )


# --- The pipeline --------------------------------------------------------------------------


@dataclass
class _Batch:
    origin: ChangeOrigin
    user_id: int | None
    import_run_id: int | None
    objects: list[ChangedObject] = field(default_factory=list)


_local = threading.local()


@contextmanager
def directory_changes_batched(
    *, origin: ChangeOrigin, user: User | None = None, import_run: ImportRun | None = None
) -> Iterator[None]:
    """Listeners hear of every `directory_changed` made inside this block once, as one change
    (the history and the index are written at each call as usual). Use it inside the
    transaction of a bulk write; a change of a savepoint rolled back inside the block is
    still reported (listeners re-read what they need)."""
    if getattr(_local, "batch", None) is not None:
        yield  # already batching: the outer batch reports everything
        return
    batch = _Batch(
        origin=origin,
        user_id=user.pk if user is not None else None,
        import_run_id=import_run.pk if import_run is not None else None,
    )
    _local.batch = batch
    try:
        yield
    finally:
        _local.batch = None
    if batch.objects:
        change = DirectoryChange(
            origin=batch.origin,
            objects=tuple(batch.objects),
            user_id=batch.user_id,
            import_run_id=batch.import_run_id,
        )
        transaction.on_commit(lambda: _deliver(change))


def directory_changed(
    *,
    obj: Directory | None = None,
    objs: Sequence[Directory] | None = None,
    action: RevisionAction,
    changes: Changes | Sequence[Changes] | None = None,
    user: User | None = None,
    import_run: ImportRun | None = None,
    origin: ChangeOrigin,
) -> DirectoryChange:
    """Record, reindex and announce a change of `obj` (or of each of `objs`).

    Call it once the objects are written, in the writer's transaction — except for a
    deletion (`RevisionAction.DELETE`), called just before deleting, while the objects and
    their relations are still there. `changes` is `{field: [before, after]}` for `obj`, the
    same for every object of `objs`, or a list with one mapping per object of `objs`. For
    an update (`UPDATE`, `IMPORT`), an object without changes records nothing.
    """
    targets = _targets(obj, objs, changes)
    if action in (RevisionAction.UPDATE, RevisionAction.IMPORT):
        targets = [(target, diff) for target, diff in targets if diff]
    if not targets:
        return DirectoryChange(origin=origin, objects=())
    Revision.objects.bulk_create(
        [
            _revision(target, action, diff, user=user, import_run=import_run)
            for target, diff in targets
        ],
        batch_size=1000,
    )
    changed = [_changed_object(target, action, diff) for target, diff in targets]
    if action == RevisionAction.DELETE:
        changed += _reindex_before_deletion([target for target, _ in targets])
    else:
        services_reindex(_services_of([target for target, _ in targets]))
    change = DirectoryChange(
        origin=origin,
        objects=tuple(changed),
        user_id=user.pk if user is not None else None,
        import_run_id=import_run.pk if import_run is not None else None,
    )
    batch: _Batch | None = getattr(_local, "batch", None)
    if batch is not None:
        batch.objects.extend(change.objects)
    else:
        transaction.on_commit(lambda: _deliver(change))
    return change


def _targets(
    obj: Directory | None,
    objs: Sequence[Directory] | None,
    changes: Changes | Sequence[Changes] | None,
) -> list[tuple[Directory, dict[str, list[Any]]]]:
    if (obj is None) == (objs is None):
        raise TypeError("directory_changed: give `obj` or `objs`, not both.")
    items = [obj] if obj is not None else list(objs or [])
    if changes is None or isinstance(changes, Mapping):
        return [(item, dict(changes or {})) for item in items]
    if len(changes) != len(items):
        raise ValueError("directory_changed: one mapping of changes per object.")
    return [(item, dict(diff)) for item, diff in zip(items, changes, strict=True)]


def _revision(
    obj: Directory,
    action: RevisionAction,
    changes: dict[str, list[Any]],
    *,
    user: User | None,
    import_run: ImportRun | None,
) -> Revision:
    return Revision(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=obj.pk,
        objet=str(obj)[:300],
        action=action,
        changes=changes,
        user=user,
        import_run=import_run,
    )


def _changed_object(
    obj: Directory, action: RevisionAction, changes: Mapping[str, list[Any]]
) -> ChangedObject:
    if action in (RevisionAction.CREATE, RevisionAction.DELETE):
        fields = _all_fields(type(obj))
    else:
        fields = frozenset(changes)
    return ChangedObject(
        model=obj._meta.model_name or "", pk=int(obj.pk), action=action, fields=fields
    )


def _ids(objs: Iterable[Directory], model: type[models.Model]) -> list[int]:
    return [int(o.pk) for o in objs if isinstance(o, model)]


def _services_of(objs: Sequence[Directory]) -> list[int]:
    """The services whose indexed text these objects are part of."""
    from .selectors import ids_subquery

    found = set(_ids(objs, Service))
    lieux = set(_ids(objs, Lieu))
    structures = set(_ids(objs, Structure))
    if lieux:
        found.update(
            Service.lieux.through.objects.filter(lieu_id__in=ids_subquery(lieux)).values_list(
                "service_id", flat=True
            )
        )
    if structures:
        found.update(
            Service.objects.filter(structure_id__in=ids_subquery(structures)).values_list(
                "pk", flat=True
            )
        )
    return sorted(found)


def _reindex_before_deletion(objs: Sequence[Directory]) -> list[ChangedObject]:
    """Index the directory as it will be once these objects (and what cascades from them)
    are deleted; returns the cascaded objects, deleted with them."""
    structures = set(_ids(objs, Structure))
    doomed_lieux = set(_ids(objs, Lieu)) | set(
        Lieu.objects.filter(structure_id__in=structures).values_list("pk", flat=True)
    )
    doomed_services = set(_ids(objs, Service)) | set(
        Service.objects.filter(structure_id__in=structures).values_list("pk", flat=True)
    )
    attached = set(
        Service.lieux.through.objects.filter(lieu_id__in=sorted(doomed_lieux)).values_list(
            "service_id", flat=True
        )
    )
    services_unindex(sorted(doomed_services))
    services_reindex(sorted(attached - doomed_services), without_lieux=doomed_lieux)
    given = {(type(o), int(o.pk)) for o in objs}
    cascaded = [
        ChangedObject(model, pk, RevisionAction.DELETE, _all_fields(cls))
        for cls, model, pks in ((Lieu, "lieu", doomed_lieux), (Service, "service", doomed_services))
        for pk in sorted(pks)
        if (cls, pk) not in given
    ]
    return cascaded
