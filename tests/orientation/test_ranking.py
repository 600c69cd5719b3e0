"""Ranking, without a database: constraints, distance decay, reasons in plain French."""

from datetime import date

from maillage.orientation.ranking import Candidate, Constraints, km, open_on, rank

TODAY = date(2026, 11, 27)


def _candidate(pk, distance, **extra):
    values = {
        "service_id": pk,
        "service_nom": f"S{pk}",
        "structure_id": pk,
        "structure_nom": f"St{pk}",
        "categories": {"cybersecurite": ("Cybersécurité", "entreprise")},
        "publics": [],
        "modalites": ["presentiel"],
        "frais": ["gratuit"],
        "distance_km": distance,
        "horaires": "Mo-Fr 09:00-12:00",
        "date_maj": date(2026, 1, 1),
    }
    return Candidate(**(values | extra))


def test_km_is_written_the_french_way():
    assert km(3.24) == "3,2 km"
    assert km(0.42) == "420 m"


def test_open_on_a_day():
    assert open_on("Mo-Fr 09:00-12:00", "lundi") is True
    assert open_on("Mo-Fr 09:00-12:00", "samedi") is False
    assert open_on("", "samedi") is None


def test_nearer_ranks_first_and_distance_decays():
    """Same fit, same freshness: the nearer service scores higher."""
    ranked = rank(
        [_candidate(1, 9.0), _candidate(2, 1.0)],
        {"cybersecurite": 0.9},
        "entreprise",
        Constraints(),
        TODAY,
    )
    assert [r.candidate.service_id for r in ranked] == [2, 1]
    assert ranked[0].score > ranked[1].score
    assert "à 1,0 km" in ranked[0].raisons


def test_hard_constraints_remove_services():
    paying = _candidate(1, 1.0, frais=["payant"])
    closed_saturday = _candidate(2, 1.0)
    assert (
        rank([paying], {"cybersecurite": 1}, "entreprise", Constraints(gratuit=True), TODAY) == []
    )
    assert (
        rank(
            [closed_saturday], {"cybersecurite": 1}, "entreprise", Constraints(jour="samedi"), TODAY
        )
        == []
    )
    assert (
        rank(
            [_candidate(3, 1.0)],
            {"cybersecurite": 1},
            "entreprise",
            Constraints(accessible=True),
            TODAY,
        )
        == []
    )


def test_reasons_name_the_profile_and_stale_data():
    pro = _candidate(1, 2.0, publics=["TPE", "Artisans"], date_maj=date(2020, 5, 1))
    (ranked,) = rank([pro], {"cybersecurite": 1}, "entreprise", Constraints(), TODAY)
    assert "accompagne les entreprises" in ranked.raisons
    assert "informations à vérifier (mises à jour en 2020)" in ranked.raisons


def test_a_service_outside_the_need_is_not_proposed():
    other = _candidate(1, 1.0, categories={"financement": ("Financements", "entreprise")})
    assert rank([other], {"cybersecurite": 1}, "entreprise", Constraints(), TODAY) == []
