"""One place published by several producers: automatic merges and the review queue."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from .. import dedup
from ..changes import ChangeOrigin, directory_changed
from ..enums import Placement, RevisionAction
from ..models import DuplicateCandidate, ImportRun, Lieu, Service, SourceRecord

# Fields a merge may fill on the kept lieu from the removed one.
_FILLED = ("horaires", "telephone", "fiche_acces_libre", "prise_rdv", "latitude", "longitude")


def _place(lieu: Lieu) -> dedup.Place:
    return dedup.Place(
        key=str(lieu.pk),
        nom=lieu.nom,
        adresse=lieu.adresse,
        code_postal=lieu.code_postal,
        pivot=lieu.structure.pivot,
        latitude=None if lieu.placement == Placement.MAIRIE else lieu.latitude,
        longitude=None if lieu.placement == Placement.MAIRIE else lieu.longitude,
    )


def lieux_deduplicate(
    *, lieu_ids: list[int], import_run: ImportRun | None = None
) -> dict[str, int]:
    """Compare these lieux with the lieux of other sources nearby: merge the sure pairs,
    queue the uncertain ones for review. Returns the counts. `import_run`: the import that
    asked, named in the history of each merge."""
    if not lieu_ids:
        return {"fusionnes": 0, "a_verifier": 0}
    new = list(Lieu.objects.filter(pk__in=lieu_ids).select_related("structure"))
    sources_of = _sources_by_lieu([lieu.pk for lieu in new])
    lats = [lieu.latitude for lieu in new]
    lons = [lieu.longitude for lieu in new]
    others = list(
        Lieu.objects.exclude(pk__in=lieu_ids)
        .filter(
            latitude__range=(min(lats) - 0.02, max(lats) + 0.02),
            longitude__range=(min(lons) - 0.03, max(lons) + 0.03),
        )
        .select_related("structure")
    )
    sources_of.update(_sources_by_lieu([lieu.pk for lieu in others]))
    by_key = {str(lieu.pk): lieu for lieu in [*new, *others]}
    merged = queued = 0
    decided = set(
        DuplicateCandidate.objects.exclude(status=DuplicateCandidate.Status.PENDING).values_list(
            "lieu_id", "autre_id"
        )
    )
    removed: set[int] = set()
    for a, b in dedup.candidate_pairs([_place(x) for x in new], [_place(x) for x in others]):
        lieu, autre = by_key[a.key], by_key[b.key]
        lieu_pk, autre_pk = int(a.key), int(b.key)
        if lieu_pk in removed:
            continue  # already merged into another place during this pass
        if sources_of.get(lieu_pk, set()) & sources_of.get(autre_pk, set()):
            continue  # one source does not publish the same place twice on purpose
        if (autre_pk, lieu_pk) in decided or (lieu_pk, autre_pk) in decided:
            continue
        features = dedup.features(a, b)
        verdict = dedup.decision(features)
        if verdict == "doublon":
            lieu_merge(keep=autre, remove=lieu, import_run=import_run)
            removed.add(lieu_pk)
            merged += 1
        elif verdict == "a_verifier":
            DuplicateCandidate.objects.get_or_create(
                lieu=lieu, autre=autre, defaults={"score": dedup.score(features)}
            )
            queued += 1
    return {"fusionnes": merged, "a_verifier": queued}


def _sources_by_lieu(ids: list[int]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for lieu_id, source_id in SourceRecord.objects.filter(lieu_id__in=ids).values_list(
        "lieu_id", "source_id"
    ):
        found.setdefault(lieu_id, set()).add(source_id)
    return found


def _describe(lieu: Lieu) -> str:
    sources = sorted(
        {
            f"{record.source.nom} ({record.identifiant})"
            for record in SourceRecord.objects.filter(lieu=lieu).select_related("source")
        }
    )
    text = f"{lieu.nom}, {lieu.adresse} {lieu.code_postal} (lieu n° {lieu.pk})"
    return f"{text} — sources : {', '.join(sources)}" if sources else text


@transaction.atomic
def lieu_merge(
    *, keep: Lieu, remove: Lieu, user: Any = None, import_run: ImportRun | None = None
) -> Lieu:
    """One place, two sources: `remove`'s records and services move to `keep`.

    The history of `keep` says which lieu and sources came in, and who merged them (the
    administrator of the review queue, or the import whose deduplication did)."""
    merged_in = _describe(remove)
    before = {name: getattr(keep, name) for name in _FILLED}
    SourceRecord.objects.filter(lieu=remove).update(lieu=keep)
    for service in Service.objects.filter(lieux=remove):
        service.lieux.add(keep)
        service.lieux.remove(remove)
    for field_name in ("horaires", "telephone", "fiche_acces_libre", "prise_rdv"):
        if not getattr(keep, field_name) and getattr(remove, field_name):
            setattr(keep, field_name, getattr(remove, field_name))
    if keep.placement == Placement.MAIRIE and remove.placement != Placement.MAIRIE:
        keep.latitude, keep.longitude = remove.latitude, remove.longitude
        keep.placement = remove.placement
    keep.save()
    changes: dict[str, list[Any]] = {"fusion": [None, merged_in]}
    changes.update(
        {
            name: [value, getattr(keep, name)]
            for name, value in before.items()
            if getattr(keep, name) != value
        }
    )
    directory_changed(
        obj=keep,
        action=RevisionAction.MERGE,
        changes=changes,
        user=user,
        import_run=import_run,
        origin=ChangeOrigin.MERGE,
    )
    DuplicateCandidate.objects.filter(lieu=remove).delete()
    DuplicateCandidate.objects.filter(autre=remove).delete()
    # The removed lieu's own history ends with its deletion, naming the lieu it went into.
    directory_changed(
        obj=remove,
        action=RevisionAction.DELETE,
        changes={"fusion": [None, _describe(keep)]},
        user=user,
        import_run=import_run,
        origin=ChangeOrigin.MERGE,
    )
    remove.delete()
    return keep


@transaction.atomic
def duplicate_decide(*, candidate: DuplicateCandidate, merge: bool, user: Any) -> None:
    """An administrator's decision on a pair of the review queue."""
    if candidate.status != DuplicateCandidate.Status.PENDING:
        raise ValueError("Cette paire a déjà été traitée.")
    candidate.decided_by = user
    candidate.decided_at = timezone.now()
    if merge:
        lieu_merge(keep=candidate.autre, remove=candidate.lieu, user=user)
        return
    candidate.status = DuplicateCandidate.Status.SEPARATE
    candidate.save(update_fields=["status", "decided_by", "decided_at"])
    for lieu, other in ((candidate.lieu, candidate.autre), (candidate.autre, candidate.lieu)):
        directory_changed(
            obj=lieu,
            action=RevisionAction.SEPARATE,
            changes={"separation": [None, _describe(other)]},
            user=user,
            origin=ChangeOrigin.SEPARATION,
        )
