"""The indicator codes of the observatory: which codes Maillage computes, which category a
code is about, and the groups of the indicator selector.

Computed codes are `population` and `<prefix><categorie>` for each prefix below (a
taxonomy category code after the prefix); every other code is an imported indicator. Pure:
no ORM, tested without a database.
"""

from __future__ import annotations

POPULATION = "population"
DISTANCE_PREFIX = "distance-plus-proche:"
LIEUX_PREFIX = "lieux:"
SERVICES_PREFIX = "services:"
DEMAND_PREFIX = "demande:"
COMPUTED_PREFIXES = (DISTANCE_PREFIX, LIEUX_PREFIX, SERVICES_PREFIX, DEMAND_PREFIX)

#: The selector's groups, in the order the pages show them: (key, label).
INDICATOR_GROUPS = (
    ("population", "Population"),
    ("distance", "Distance au lieu le plus proche"),
    ("lieux", "Lieux dans la commune"),
    ("services", "Services dans la commune"),
    ("demande", "Demandes d'orientation"),
    ("importe", "Indicateurs importés"),
)
_GROUP_OF_PREFIX = {
    DISTANCE_PREFIX: "distance",
    LIEUX_PREFIX: "lieux",
    SERVICES_PREFIX: "services",
    DEMAND_PREFIX: "demande",
}
_GROUP_RANK = {key: rank for rank, (key, _) in enumerate(INDICATOR_GROUPS)}


def distance_code(categorie: str) -> str:
    """`distance-plus-proche:<categorie>`: km from a commune to the category's nearest lieu."""
    return f"{DISTANCE_PREFIX}{categorie}"


def lieux_code(categorie: str) -> str:
    """`lieux:<categorie>`: lieux of a commune offering the category."""
    return f"{LIEUX_PREFIX}{categorie}"


def services_code(categorie: str) -> str:
    """`services:<categorie>`: services of the category offered in a commune."""
    return f"{SERVICES_PREFIX}{categorie}"


def demand_code(categorie: str) -> str:
    """`demande:<categorie>`: orientation requests of a commune for the category."""
    return f"{DEMAND_PREFIX}{categorie}"


def is_computed_code(code: str) -> bool:
    """Whether Maillage computes this code (an import may not take it)."""
    return code == POPULATION or code.startswith(COMPUTED_PREFIXES)


def indicateur_group(code: str) -> str:
    """Key of the selector group an indicator code belongs to (see INDICATOR_GROUPS)."""
    if code == POPULATION:
        return "population"
    for prefix, group in _GROUP_OF_PREFIX.items():
        if code.startswith(prefix):
            return group
    return "importe"


def indicateur_group_rank(code: str) -> int:
    """Rank of the code's group in INDICATOR_GROUPS, to sort indicators the pages' way."""
    return _GROUP_RANK[indicateur_group(code)]


def indicateur_categorie(code: str) -> str:
    """The taxonomy category an indicator is about (`lieux:fablab` → `fablab`), or ""."""
    for prefix in COMPUTED_PREFIXES:
        if code.startswith(prefix):
            return code.removeprefix(prefix)
    return ""
