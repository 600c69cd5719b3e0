"""Writes on the orientation lexicon: every change creates a new version number."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max

from maillage.accounts.models import User

from .models import LexiconEntry, LexiconVersion


def lexicon_version_bump(*, resume: str, user: User | None = None) -> LexiconVersion:
    """Record a change of the lexicon under the next version number."""
    with transaction.atomic():
        # Lock-free but safe: `numero` is unique, a concurrent bump fails and is retried once.
        for _attempt in range(2):
            last = LexiconVersion.objects.aggregate(m=Max("numero"))["m"] or 0
            try:
                with transaction.atomic():
                    return LexiconVersion.objects.create(
                        numero=last + 1, resume=resume[:300], created_by=user
                    )
            except IntegrityError:  # a concurrent bump took the number: take the next
                continue
        raise RuntimeError("Impossible d'enregistrer une nouvelle version du lexique.")


@transaction.atomic
def lexicon_entry_save(*, entry: LexiconEntry, user: User | None = None) -> LexiconVersion:
    """Create or change an entry and bump the version."""
    created = entry.pk is None
    entry.texte = entry.texte.strip()
    entry.full_clean()
    entry.save()
    verb = "ajout" if created else "modification"
    return lexicon_version_bump(
        resume=f"{verb} : « {entry.texte} » → {entry.categorie_id} ({entry.kind})", user=user
    )


@transaction.atomic
def lexicon_entry_delete(*, entries: list[LexiconEntry], user: User | None = None) -> int:
    """Delete entries and bump the version once."""
    if not entries:
        return 0
    names = ", ".join(f"« {e.texte} »" for e in entries[:5])
    LexiconEntry.objects.filter(pk__in=[e.pk for e in entries]).delete()
    lexicon_version_bump(resume=f"suppression : {names}", user=user)
    return len(entries)
