"""A person's edit of a structure, lieu or service (management space), through the pipeline.

Everything after the write — the history row, the full-text index, the listeners such as the
observatory's recompute — is `changes.directory_changed`'s work; the history is read by
`selectors.history`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction

from ..changes import (
    ChangeOrigin,
    Directory,
    changes_between,
    directory_changed,
    json_value,
    m2m_value,
    snapshot,
)
from ..enums import Placement, RevisionAction
from ..models import Lieu

if TYPE_CHECKING:
    from maillage.accounts.models import User


@transaction.atomic
def directory_object_update(
    *,
    obj: Directory,
    user: User,
    data: Mapping[str, Any],
    origin: ChangeOrigin = ChangeOrigin.ESPACE,
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
    after = {name: json_value(getattr(current, name)) for name in plain}
    after.update({name: m2m_value(items) for name, items in relations.items()})
    changes = changes_between(before, after)
    if not changes:
        return {}
    current.save()
    for name, items in relations.items():
        getattr(current, name).set(items)
    directory_changed(
        obj=current, action=RevisionAction.UPDATE, changes=changes, user=user, origin=origin
    )
    return changes
