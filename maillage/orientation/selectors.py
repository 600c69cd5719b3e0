"""Reads for orientation: the active lexicon, cached per version."""

from __future__ import annotations

import threading
from datetime import date

from django.db.models import Sum

from maillage.directory.models import Categorie

from .models import LexiconEntry, LexiconVersion, OrientationDemand
from .understanding import Lexicon, build_lexicon, make_term

_lock = threading.Lock()
_cache: dict[tuple[int, int], Lexicon] = {}


def lexicon_version() -> int:
    """The active version number (0 before any administrator change): one indexed read."""
    numero = LexiconVersion.objects.order_by("-numero").values_list("numero", flat=True).first()
    return numero or 0


def lexicon_active() -> Lexicon:
    """The lexicon of the active version, built once per process and version.

    Reading the version number (and the few taxonomy rows, whose examples administrators
    may edit too) on each call is what invalidates the cache across app servers: a change
    made on one server is seen by the others at their next request.
    """
    version = lexicon_version()
    rows = [
        {key: str(value) for key, value in row.items()}
        for row in Categorie.objects.order_by("code").values(
            "code", "libelle", "famille", "description", "exemples"
        )
    ]
    key = (version, hash(tuple(tuple(row.values()) for row in rows)))
    lexicon = _cache.get(key)
    if lexicon is not None:
        return lexicon
    with _lock:
        lexicon = _cache.get(key)
        if lexicon is None:
            entries = LexiconEntry.objects.filter(actif=True).values_list(
                "categorie_id", "texte", "kind", "poids"
            )
            extra = [
                make_term(str(code), texte, f"administrateur ({kind})", poids)
                for code, texte, kind, poids in entries
            ]
            # An empty table (before `load_reference`) falls back to the shipped taxonomy.
            lexicon = build_lexicon(rows or None, extra=extra, version=version)
            _cache.clear()
            _cache[key] = lexicon
    return lexicon


def lexicon_cache_clear() -> None:
    with _lock:
        _cache.clear()


def demand_counts(*, since: date, until: date) -> dict[tuple[int, str], int]:
    """Orientation requests per (commune pk, top category code) between two days included,
    all profiles and channels summed. Raw counts: the caller applies the k ≥ 5 rule."""
    rows = (
        OrientationDemand.objects.filter(jour__gte=since, jour__lte=until)
        .values_list("commune_id", "categorie_id")
        .annotate(total=Sum("nombre"))
        .order_by()
    )
    return {(commune_id, code): int(total) for commune_id, code, total in rows}
