"""The in-memory commune index, on a hand-made sample (no database)."""

from maillage.territories.search_index import CommuneIndex, Entry

SAMPLE = [
    Entry(1, "29151", "COM", "morlaix", ("29600",), 14559),
    Entry(2, "29207", "COM", "plourin les morlaix", ("29600",), 4457),
    Entry(3, "29259", "COM", "saint pol de leon", ("29250",), 6596),
    Entry(4, "97418", "COM", "sainte marie", ("97438",), 34000),
    Entry(5, "35294", "COM", "sainte marie", ("35600",), 2300),
    Entry(6, "69383", "ARM", "lyon 3e arrondissement", ("69003",), 105000),
    Entry(7, "69123", "COM", "lyon", ("69001", "69003"), 520000),
    Entry(8, "29999", "COMD", "morlaix vieux", ("29600",), 10),
]
TYPES = ("COM", "ARM")


def _codes(query, limit=10, types=TYPES):
    return [e.code for e in CommuneIndex(SAMPLE).search(query, types=types, limit=limit)]


def test_exact_name_then_prefix_then_inner_words():
    assert _codes("morlaix") == ["29151", "29207"]


def test_every_word_must_match():
    assert _codes("saint pol") == ["29259"]
    assert _codes("saint lyon") == []


def test_homonyms_are_ordered_by_population():
    assert _codes("sainte marie") == ["97418", "35294"]


def test_postal_code_exact_and_prefix():
    assert _codes("29600") == ["29151", "29207"]
    assert _codes("2925") == ["29259"]


def test_digits_also_match_names_and_insee_codes():
    """Query "lyon 3" finds the 3rd arrondissement by its name; an INSEE code finds its commune."""
    assert _codes("lyon 3") == ["69383"]
    assert _codes("29259") == ["29259"]


def test_types_filter_and_limit():
    assert "29999" not in _codes("morlaix")
    assert "29999" in _codes("morlaix", types=("COMD",))
    assert len(_codes("a", limit=2)) == 2


def test_nothing_for_empty_or_unknown_queries():
    assert _codes("") == []
    assert _codes("zzz") == []
