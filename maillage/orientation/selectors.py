"""Reads for orientation: the active lexicon, cached per version."""

from __future__ import annotations

import threading

from .models import LexiconEntry, LexiconVersion
from .understanding import Lexicon, build_lexicon, make_term

_lock = threading.Lock()
_cache: dict[int, Lexicon] = {}


def lexicon_version() -> int:
    """The active version number (0 before any administrator change): one indexed read."""
    numero = LexiconVersion.objects.order_by("-numero").values_list("numero", flat=True).first()
    return numero or 0


def lexicon_active() -> Lexicon:
    """The lexicon of the active version, built once per process and version.

    Reading the version number on each call is what invalidates the cache across app
    servers: a change made on one server is seen by the others at their next request.
    """
    version = lexicon_version()
    lexicon = _cache.get(version)
    if lexicon is not None:
        return lexicon
    with _lock:
        lexicon = _cache.get(version)
        if lexicon is None:
            entries = LexiconEntry.objects.filter(actif=True).values_list(
                "categorie_id", "texte", "kind", "poids"
            )
            extra = [
                make_term(str(code), texte, f"administrateur ({kind})", poids)
                for code, texte, kind, poids in entries
            ]
            lexicon = build_lexicon(extra=extra, version=version)
            _cache.clear()
            _cache[version] = lexicon
    return lexicon


def lexicon_cache_clear() -> None:
    with _lock:
        _cache.clear()
