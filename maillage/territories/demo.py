"""The demo territories file: read and check it (no database here)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib.resources import files


@dataclass(frozen=True)
class DemoTerritoire:
    slug: str
    nom: str
    kind: str
    description: str = ""
    epci: list[str] = field(default_factory=list)
    departements: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    communes: list[str] = field(default_factory=list)


def read_demo_territoires() -> list[DemoTerritoire]:
    text = files("maillage.territories").joinpath("fixtures/demo_territoires.toml").read_text()
    return [DemoTerritoire(**entry) for entry in tomllib.loads(text)["territoire"]]
