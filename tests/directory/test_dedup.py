"""Deduplication across sources: scoring (pure) and merging on import."""

import json

import pytest
from django.contrib.contenttypes.models import ContentType

from maillage.directory import dedup
from maillage.directory.enums import RevisionAction
from maillage.directory.imports.lieux import lieux_import
from maillage.directory.models import DuplicateCandidate, Lieu, Revision, SourceRecord
from maillage.directory.services import duplicate_decide
from tests.directory.factories import LieuRowFactory


def _place(key, nom, adresse, lat=48.5776, lon=-3.8283, pivot=""):
    return dedup.Place(key, nom, adresse, "29600", pivot, lat, lon)


def _verdict(a, b):
    return dedup.decision(dedup.features(a, b))


def test_the_same_place_spelt_differently_is_a_duplicate():
    a = _place("a", "Médiathèque de Morlaix", "Place des Otages")
    b = _place("b", "MEDIATHEQUE MORLAIX", "PL DES OTAGES", lat=48.5778)
    assert _verdict(a, b) == "doublon"


def test_different_house_numbers_or_far_apart_are_distinct():
    a = _place("a", "Espace numérique", "3 rue de Brest")
    assert _verdict(a, _place("b", "Espace numérique", "45 rue de Paris", lat=48.60)) == "distinct"
    assert _verdict(a, _place("c", "Espace numérique", "3 rue de Brest", lat=48.70)) == "distinct"


def test_two_names_at_one_address_go_to_review():
    """A France services inside a médiathèque: a person decides."""
    a = _place("a", "France Services", "4 rue du 11 Novembre")
    b = _place("b", "Médiathèque de Laventie", "4 rue du 11 novembre")
    assert _verdict(a, b) == "a_verifier"


def test_blocking_finds_near_pairs_only():
    left = [_place("a", "x", "y")]
    right = [_place("b", "x", "y", lat=48.578), _place("c", "x", "y", lat=49.5)]
    assert [b.key for _, b in dedup.candidate_pairs(left, right)] == ["b"]


def _row(id, nom, adresse, lat, lon):
    return LieuRowFactory(
        id=id, nom=nom, adresse=adresse, latitude=lat, longitude=lon, date_maj="2024-01-01"
    )


def _import(rows, source):
    return lieux_import(data=json.dumps(rows).encode(), filename="l.json", source_name=source)


@pytest.mark.django_db
def test_a_place_from_two_producers_becomes_one_lieu_with_two_sources():
    _import([_row("1", "Médiathèque de Morlaix", "Place des Otages", 48.5776, -3.8283)], "A")
    result = _import([_row("x9", "MEDIATHEQUE MORLAIX", "PL DES OTAGES", 48.5777, -3.8284)], "B")
    assert result.run.counts["fusionnes"] == 1
    lieu = Lieu.objects.get()
    assert set(lieu.source_records.values_list("source__slug", flat=True)) == {"a", "b"}
    assert lieu.services.count() == 2
    # Re-importing B changes nothing and does not split the place again.
    again = _import([_row("x9", "MEDIATHEQUE MORLAIX", "PL DES OTAGES", 48.5777, -3.8284)], "B")
    assert again.unchanged == 1 and Lieu.objects.count() == 1


@pytest.mark.django_db
def test_uncertain_pairs_wait_in_the_review_queue(admin_user):
    _import([_row("1", "France Services", "4 rue du Mur", 48.5776, -3.8283)], "A")
    result = _import([_row("2", "Médiathèque", "4 rue du Mur", 48.5776, -3.8283)], "B")
    assert result.run.counts["a_verifier"] == 1
    candidate = DuplicateCandidate.objects.get()
    duplicate_decide(candidate=candidate, merge=False, user=admin_user)
    candidate.refresh_from_db()
    assert candidate.status == "distincts" and Lieu.objects.count() == 2
    with pytest.raises(ValueError, match="déjà été traitée"):
        duplicate_decide(candidate=candidate, merge=True, user=admin_user)


@pytest.mark.django_db
def test_review_merge_moves_sources_to_one_lieu(admin_user):
    _import([_row("1", "France Services", "4 rue du Mur", 48.5776, -3.8283)], "A")
    _import([_row("2", "Médiathèque", "4 rue du Mur", 48.5776, -3.8283)], "B")
    duplicate_decide(candidate=DuplicateCandidate.objects.get(), merge=True, user=admin_user)
    assert Lieu.objects.count() == 1
    assert SourceRecord.objects.filter(lieu=Lieu.objects.get()).count() == 2


def _history(lieu):
    return list(
        Revision.objects.filter(
            content_type=ContentType.objects.get_for_model(Lieu), object_id=lieu.pk
        )
    )


@pytest.mark.django_db
def test_an_automatic_merge_is_in_the_history_of_the_kept_lieu_with_its_import():
    _import([_row("1", "Médiathèque de Morlaix", "Place des Otages", 48.5776, -3.8283)], "A")
    result = _import([_row("x9", "MEDIATHEQUE MORLAIX", "PL DES OTAGES", 48.5777, -3.8284)], "B")
    (merge,) = [r for r in _history(Lieu.objects.get()) if r.action == RevisionAction.MERGE]
    assert merge.import_run == result.run and merge.user is None
    merged_in = merge.changes["fusion"][1]
    assert "MEDIATHEQUE MORLAIX" in merged_in and "B (x9)" in merged_in


@pytest.mark.django_db
def test_review_decisions_are_in_the_history_with_the_administrator(admin_user):
    _import([_row("1", "France Services", "4 rue du Mur", 48.5776, -3.8283)], "A")
    _import([_row("2", "Médiathèque", "4 rue du Mur", 48.5776, -3.8283)], "B")
    candidate = DuplicateCandidate.objects.get()
    lieu, autre = candidate.lieu, candidate.autre
    duplicate_decide(candidate=candidate, merge=False, user=admin_user)
    for one, other in ((lieu, autre), (autre, lieu)):
        (separated,) = [r for r in _history(one) if r.action == RevisionAction.SEPARATE]
        assert separated.user == admin_user and other.nom in separated.changes["separation"][1]

    _import([_row("3", "Point numérique", "4 rue du Mur", 48.5776, -3.8283)], "C")
    candidate = DuplicateCandidate.objects.get(status="a_verifier", autre=autre)
    duplicate_decide(candidate=candidate, merge=True, user=admin_user)
    (merge,) = [r for r in _history(autre) if r.action == RevisionAction.MERGE]
    assert merge.user == admin_user and merge.import_run is None
    assert "Point numérique" in merge.changes["fusion"][1] and "C (3)" in merge.changes["fusion"][1]
