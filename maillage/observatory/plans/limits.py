"""The planner's limits and the messages that state them, in one place: the page's form,
the API, the command line and `plan_compute` read them here. Pure: no ORM."""

from __future__ import annotations

#: `--territoire france` plans on every commune when no territory has that slug.
FRANCE = "france"

# Candidate sites: the mairies, the communes' centres, or a list typed by the user.
CANDIDATES_MAIRIES = "mairies"
CANDIDATES_COMMUNES = "communes"
#: The page's choice for « the communes listed below » (the API takes the list itself).
CANDIDATES_LIST = "liste"

METHOD_GREEDY = "glouton"
METHOD_EXACT = "exact"
MODE_FIXED = "fixe"
MODE_ITINERANT = "itinerant"

MIN_RADIUS_KM = 0.1  # the page's smallest radius; the API and the command take any > 0
MAX_RADIUS_KM = 200.0

#: The page and the API answer synchronously: these limits keep a request within seconds.
SYNC_MAX_SITES = 50
SYNC_EXACT_TIME_LIMIT_S = 20.0
#: The page's default time for the exact method.
PAGE_EXACT_TIME_S = 10
#: `maillage plan --limite-s` by default, and `plan_compute`'s own default.
CLI_EXACT_TIME_LIMIT_S = 300.0
DEFAULT_EXACT_TIME_LIMIT_S = 60.0

#: The page is a GET form (results can be bookmarked): a list of candidates travels in the
#: address, which servers cap at about 4,000 characters.
LISTED_CANDIDATES_MAX_CHARS = 3000
#: Unknown communes named in the API's and command's message, then in the page's.
UNKNOWN_SHOWN = 20
PAGE_UNKNOWN_SHOWN = 10
PAGE_AMBIGUOUS_SHOWN = 5


# --- Messages ----------------------------------------------------------------------------

SITES_NOT_POSITIVE = "Le nombre de sites doit être un entier strictement positif."
RADIUS_NOT_POSITIVE = "Le rayon doit être un nombre de kilomètres strictement positif."
RADIUS_TOO_LARGE = f"Le rayon ne peut dépasser {MAX_RADIUS_KM:.0f} km."
RADIUS_TOO_SMALL = "Le rayon doit être d'au moins 0,1 km."
PAGE_SITES_TOO_MANY = f"Au plus {SYNC_MAX_SITES} sites par calcul sur cette page."
PAGE_TIME_TOO_LONG = f"Le temps maximal ne peut dépasser {SYNC_EXACT_TIME_LIMIT_S:.0f} s."
NO_LISTED_CANDIDATE = "Aucune commune candidate dans la liste donnée."
NO_POPULATION = (
    "Ce territoire n'a aucune commune dont la population est connue : le planificateur ne "
    "peut rien calculer."
)
LIST_TOO_LONG = (
    "La liste dépasse %(limit_value)s caractères : pour plus de communes, donnez leurs codes "
    "INSEE (plus courts que les noms), ou utilisez l'API (POST /api/v1/plans) ou la commande "
    "« maillage plan --candidats »."
)


def sites_too_many(max_sites: int) -> str:
    return (
        f"Au plus {max_sites} sites par calcul ici ; la ligne de commande `maillage plan` "
        "accepte davantage."
    )


def sites_over_candidates(candidates: int) -> str:
    return (
        f"Le territoire n'offre que {candidates} emplacements candidats : demandez au plus "
        f"{candidates} sites."
    )


def categorie_unknown(code: str) -> str:
    return f"Catégorie inconnue : « {code} »."


def territoire_unknown(slug: str) -> str:
    return f"Territoire inconnu : « {slug} »."


def candidate_ambiguous(name: str, matches: list[str]) -> str:
    """A name two communes of the territory bear: the user must give the INSEE code."""
    return (
        f"« {name} » désigne plusieurs communes du territoire : {', '.join(matches)}. "
        "Donnez le code INSEE de celle que vous voulez."
    )


def candidates_unknown(unknown: list[str]) -> str:
    """The API's and the command's message for listed communes it cannot place."""
    shown = ", ".join(unknown[:UNKNOWN_SHOWN]) + ("…" if len(unknown) > UNKNOWN_SHOWN else "")
    return f"Communes candidates inconnues dans ce territoire ou sans position : {shown}."


def page_candidates_unknown(unknown: list[str], territoire: str) -> str:
    """The page's message for listed communes it cannot find, quoted one by one."""
    shown = ", ".join(f"« {item} »" for item in unknown[:PAGE_UNKNOWN_SHOWN])
    extra = len(unknown) - PAGE_UNKNOWN_SHOWN
    more = f" et {extra} autres" if extra > 0 else ""
    return (
        f"Communes introuvables dans {territoire} : {shown}{more}. "
        "Vérifiez l'orthographe ou donnez le code INSEE."
    )
