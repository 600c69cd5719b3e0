"""Writes of orientation: the lexicon (every change creates a new version number) and the
anonymous demand counters read by the observatory."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from maillage.accounts.models import User
from maillage.directory.models import Categorie
from maillage.territories.models import Commune

from .enums import DemandChannel, Profil
from .models import LexiconEntry, LexiconVersion, OrientationDemand


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


def record_demand(
    *,
    categorie: str | None,
    commune_code: str,
    profil: str,
    channel: str,
    day: date | None = None,
) -> OrientationDemand | None:
    """Count one orientation request for the observatory's `demande:<categorie>` indicators.

    Call it once per successful answer, after `engine.orientation_answer(...)` returned
    `answer` (never when it raised `OrientationError`), with its top category:

        record_demand(categorie=answer.categorie_principale, commune_code=answer.commune.code,
                      profil=answer.profil, channel="web")

    - `categorie`: the code of the best understood category (None: nothing understood);
    - `commune_code`: the INSEE code of the commune asked about (type COM);
    - `profil`: one of `Profil` (`particulier`, `entreprise`…);
    - `channel`: one of `DemandChannel` (`api`, `web`; the CLI does not count);
    - `day`: today by default.

    Only that category is kept, with the day (no time), the commune, the profile and the
    channel, by incrementing a counter: no text of the need, nothing about the person.
    Returns the counter, or None when nothing is counted (no category understood, unknown
    commune, profile, channel or category).
    """
    if not categorie or channel not in DemandChannel.values or profil not in Profil.values:
        return None
    code = categorie
    commune_id = (
        Commune.objects.communes().filter(code=commune_code).values_list("pk", flat=True).first()
    )
    if commune_id is None or not Categorie.objects.filter(code=code).exists():
        return None
    key = {
        "jour": day or timezone.localdate(),
        "commune_id": commune_id,
        "profil": profil,
        "categorie_id": code,
        "canal": channel,
    }
    # An atomic increment: two requests at the same time never lose a count. The first of
    # the day creates the row; if a concurrent request created it first, increment it.
    for _attempt in range(2):
        with transaction.atomic():
            if OrientationDemand.objects.filter(**key).update(nombre=F("nombre") + 1):
                return OrientationDemand.objects.get(**key)
            try:
                with transaction.atomic():
                    return OrientationDemand.objects.create(**key, nombre=1)
            except IntegrityError:
                continue
    return None
