"""The canonical taxonomy of need and service categories, as shipped (pure module, no ORM).

`data/taxonomie.csv` is the embedded copy of `../shared/taxonomie.csv` (a test checks that it
follows the contract). This is the one reader of that file: the loader
(`services.taxonomy.taxonomie_load`) and the orientation's understanding read it here.
"""

from __future__ import annotations

import csv
from importlib.resources import files


def taxonomie_rows() -> list[dict[str, str]]:
    """One dict per category: code, libelle, famille, description, exemples."""
    text = files("maillage.directory").joinpath("data/taxonomie.csv").read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))
