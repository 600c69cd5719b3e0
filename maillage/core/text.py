"""Text normalisation for search: accents, case, hyphens, apostrophes and French abbreviations."""

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
