"""The indicator codes and the planner's limits: pure modules, no database."""

import pytest

from maillage.observatory import codes
from maillage.observatory.plans import limits


@pytest.mark.parametrize(
    ("code", "group", "categorie", "computed"),
    [
        ("population", "population", "", True),
        ("distance-plus-proche:fablab", "distance", "fablab", True),
        ("lieux:fablab", "lieux", "fablab", True),
        ("services:culture-numerique", "services", "culture-numerique", True),
        ("demande:demarches-administratives", "demande", "demarches-administratives", True),
        ("thd", "importe", "", False),
        ("populations", "importe", "", False),
    ],
)
def test_each_code_has_its_group_category_and_origin(code, group, categorie, computed):
    assert codes.indicateur_group(code) == group
    assert codes.indicateur_categorie(code) == categorie
    assert codes.is_computed_code(code) is computed


def test_builders_and_group_order():
    """The code builders give the prefixes; groups sort as the selector lists them."""
    assert codes.distance_code("x") == "distance-plus-proche:x"
    assert codes.lieux_code("x") == "lieux:x"
    assert codes.services_code("x") == "services:x"
    assert codes.demand_code("x") == "demande:x"
    ranked = sorted(["thd", "demande:x", "lieux:x", "population"], key=codes.indicateur_group_rank)
    assert ranked == ["population", "lieux:x", "demande:x", "thd"]
    assert [key for key, _ in codes.INDICATOR_GROUPS][-1] == "importe"


def test_planner_messages_state_the_limits():
    """The messages name the limits they enforce, from the one module that holds them."""
    assert limits.RADIUS_TOO_LARGE == "Le rayon ne peut dépasser 200 km."
    assert f"Au plus {limits.SYNC_MAX_SITES} sites" in limits.PAGE_SITES_TOO_MANY
    assert "20 s" in limits.PAGE_TIME_TOO_LONG
    unknown = [f"commune {n}" for n in range(25)]
    assert limits.candidates_unknown(unknown).endswith("commune 19….")
    page = limits.page_candidates_unknown(unknown, "Pays de Morlaix")
    assert "« commune 9 » et 15 autres" in page
    assert limits.candidate_ambiguous("Plouguerneau", ["A (1)", "B (2)"]) == (
        "« Plouguerneau » désigne plusieurs communes du territoire : A (1), B (2). "
        "Donnez le code INSEE de celle que vous voulez."
    )
