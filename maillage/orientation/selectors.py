"""Reads for orientation: the active lexicon, cached per version."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import Sum

from maillage.directory import opening_hours
from maillage.directory.models import Categorie, Lieu, Structure

from .answer import ResultatOut
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


def fiche_contacts(resultats: Sequence[ResultatOut]) -> dict[int, dict[str, Any]]:
    """{service id: contact details} for the fiche d'orientation: address, phone, e-mail,
    website and readable opening hours of the lieu shown, else of the structure."""
    lieu_ids = [r.lieu.id for r in resultats if r.lieu]
    lieux: dict[int, dict[str, Any]] = {
        row["pk"]: dict(row)
        for row in Lieu.objects.filter(pk__in=lieu_ids).values(
            "pk", "complement_adresse", "telephone", "courriels", "sites_web", "prise_rdv"
        )
    }
    structures: dict[int, dict[str, Any]] = {
        row["pk"]: dict(row)
        for row in Structure.objects.filter(pk__in=[r.structure.id for r in resultats]).values(
            "pk", "telephone", "courriels", "site_web"
        )
    }
    contacts: dict[int, dict[str, Any]] = {}
    for item in resultats:
        lieu: dict[str, Any] = lieux.get(item.lieu.id, {}) if item.lieu else {}
        structure: dict[str, Any] = structures.get(item.structure.id, {})
        horaires = item.lieu.horaires if item.lieu else ""
        week = opening_hours.parse(horaires) if horaires else None
        courriels = list(lieu.get("courriels") or []) or list(structure.get("courriels") or [])
        sites = list(lieu.get("sites_web") or []) or (
            [structure["site_web"]] if structure.get("site_web") else []
        )
        contacts[item.service.id] = {
            "complement_adresse": lieu.get("complement_adresse", ""),
            "telephone": lieu.get("telephone") or structure.get("telephone", ""),
            "courriels": courriels,
            "sites_web": sites,
            "prise_rdv": lieu.get("prise_rdv", ""),
            "horaires": week.table() if week and any(week.days) else None,
            "horaires_texte": horaires,
        }
    return contacts


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
