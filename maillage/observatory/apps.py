from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from maillage.directory.changes import DirectoryChange

#: The directory's fields the indicators read (counts per category, distances): only a
#: change of one of them queues a recompute. A creation or a deletion changes every field.
INDICATOR_FIELDS: dict[str, frozenset[str]] = {
    "lieu": frozenset({"latitude", "longitude", "commune"}),
    "service": frozenset({"categories", "lieux"}),
}


def moves_indicators(change: DirectoryChange) -> bool:
    return any(change.fields_of(model) & fields for model, fields in INDICATOR_FIELDS.items())


def recompute_on_directory_change(change: DirectoryChange) -> None:
    """Directory listener: queue a recompute (coalesced, see `indicators_recompute_request`)
    when the committed change moved what the indicators read."""
    if moves_indicators(change):
        from .services import indicators_recompute_request

        indicators_recompute_request()


class ObservatoryConfig(AppConfig):
    name = "maillage.observatory"
    label = "observatory"
    verbose_name = "Observatoire"

    def ready(self) -> None:
        from maillage.directory.changes import register_directory_listener

        register_directory_listener(recompute_on_directory_change)
