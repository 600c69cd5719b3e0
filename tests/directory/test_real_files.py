"""Importing the real files of ../shared/data, one per generation of the national standard.

Expected figures (rows, created, rejected) are documented in docs/directory.md; a second
import of the same file changes nothing.
"""

from pathlib import Path

import pytest

from maillage.directory.models import Lieu
from maillage.directory.services import lieux_import

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parents[3] / "shared" / "data"

# (file, generation, rows, created, rejected)
FILES = [
    ("lamednum-standard-mediation-num/exemple-valide.csv", "v1.0.2 CSV", 1, 1, 0),
    ("lamednum-standard-mediation-num/v0.1.1/exemple-valide.csv", "v0.1.1 CSV", 1, 1, 0),
    (
        "anct-client-application/v0-original/"
        "20230711-charente-lieux-de-mediation-numeriques-nouvelle-aquitaine.json",
        "v0.1 JSON ';'",
        188,
        188,
        0,
    ),
    (
        "anct-client-application/"
        "20230711-charente-lieux-de-mediation-numeriques-nouvelle-aquitaine.json",
        "migration v1 JSON '|'",
        188,
        188,
        0,
    ),
    (
        "anct-client-application/lieux-de-mediation-numerique.cnfs.json",
        "2022 JSON ', '",
        2733,
        2730,
        3,
    ),
    (
        "anct-client-application/lieux-de-mediation-numerique.back.json",
        "2022 JSON, ids répétés",
        398,
        396,
        2,
    ),
    (
        "anct-client-application/"
        "20240320-nouvelle-caledonie-lieux-de-mediation-numeriques-nouvelle-caledonie.json",
        "v1, hors référentiel",
        90,
        0,
        90,
    ),
]


@pytest.mark.parametrize(("path", "generation", "rows", "created", "rejected"), FILES)
def test_real_file_imports_with_documented_counts_twice(path, generation, rows, created, rejected):
    file = DATA / path
    if not file.exists():
        pytest.skip(f"{file} absent (../shared/data non disponible)")
    data = file.read_bytes()
    first = lieux_import(data=data, filename=file.name, source_name=generation)
    assert first.run.counts["lignes"] == rows
    assert (first.created, first.rejected) == (created, rejected)
    assert all(e.message for e in first.errors)
    lieux = Lieu.objects.count()
    second = lieux_import(data=data, filename=file.name, source_name=generation)
    assert (second.created, second.updated, second.unchanged) == (0, 0, created)
    assert Lieu.objects.count() == lieux
