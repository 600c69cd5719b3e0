"""Text normalisation for search: accents, case, hyphens, apostrophes, French abbreviations,
plurals, and the edit distance that typo tolerance uses (directory search, orientation)."""

from __future__ import annotations

import re
import unicodedata

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")

# Abbreviations people type for the saints that start a quarter of French commune names.
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


def fold(text: str) -> str:
    """Lower-case ASCII with accents removed and every separator turned into one space.

    >>> fold("L'Abergement-Clémenciat")
    'l abergement clemenciat'
    """
    text = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return _NON_ALNUM.sub(" ", text.lower()).strip()


def search_key(text: str) -> str:
    """`fold` plus expansion of st/ste: the form stored for names and used for queries.

    >>> search_key("St-Pol-de-Léon")
    'saint pol de leon'
    """
    return " ".join(_ABBREVIATIONS.get(token, token) for token in fold(text).split())


def stem(word: str) -> str:
    """A light French stemming: plural and feminine endings only, enough for search."""
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix, replacement in (("eaux", "eau"), ("aux", "al"), ("ees", "e"), ("es", "e")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + replacement
    if word.endswith(("s", "x")) and not word.endswith("ss"):
        return word[:-1]
    return word


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of neighbours costs 1), or limit + 1 as
    soon as it is certain to exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]
