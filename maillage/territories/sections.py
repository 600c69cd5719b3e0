"""Sections of the commune page contributed by apps above territories (the observatory's
indicators…), so that territories never imports them: the way `core/purge.py` collects
purge steps.

An app registers a section in a module named `commune_sections` at its top level;
`TerritoriesConfig.ready()` imports that module of every installed app (Django's
`autodiscover_modules`, as the admin finds `admin.py`), so no app config has to know the
others. A section is a function of the commune returning `{"template": str, "context":
dict}` (the template is rendered with `commune` and that context) or None to show nothing.
Sections appear in the order of INSTALLED_APPS, then of registration.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Commune

CommuneSection = Callable[["Commune"], "dict[str, Any] | None"]

#: The module each app may provide to register its sections.
MODULE = "commune_sections"

_sections: dict[str, CommuneSection] = {}


def register_commune_section(name: str) -> Callable[[CommuneSection], CommuneSection]:
    """Decorator: `fn(commune)` is the commune page's section `name` (registering a name
    again replaces the previous function, so a module imported twice counts once)."""

    def register(fn: CommuneSection) -> CommuneSection:
        _sections[name] = fn
        return fn

    return register


def commune_sections(commune: Commune) -> list[dict[str, Any]]:
    """The commune's sections, each `{"name", "template", "context"}`, skipping those whose
    function returned None."""
    found = []
    for name, section in _sections.items():
        part = section(commune)
        if part is not None:
            found.append({"name": name, "template": part["template"], "context": part["context"]})
    return found
