import pytest

from maillage.core.text import fold, search_key


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Saint-Pol-de-Léon", "saint pol de leon"),
        ("L'Abergement-Clémenciat", "l abergement clemenciat"),
        ("L’Haÿ-les-Roses", "l hay les roses"),
        ("  SAINT-POL-DE-LÉON ", "saint pol de leon"),
        ("Œuilly", "oeuilly"),
        ("29600", "29600"),
    ],
)
def test_fold_ignores_accents_case_and_separators(raw, expected):
    """Accents, case, hyphens, straight and curly apostrophes do not matter."""
    assert fold(raw) == expected


def test_search_key_expands_saint_abbreviations():
    """`st` and `ste` are read as `saint` and `sainte`, only as whole words."""
    assert search_key("St Pol de Leon") == "saint pol de leon"
    assert search_key("Ste-Marie") == "sainte marie"
    assert search_key("Stenay") == "stenay"
