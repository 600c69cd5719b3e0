"""Understanding a need: free text and a profile → ranked categories that explain themselves."""

import pytest

from maillage.orientation import understanding
from maillage.orientation.understanding import build_lexicon, understand


@pytest.fixture(scope="module")
def lexicon():
    return build_lexicon()


def _top(lexicon, text, profil="particulier"):
    return [c.code for c in understand(text, profil, lexicon).categories]


@pytest.mark.parametrize(
    ("text", "profil", "expected"),
    [
        ("jvoudrai aprendre a utiliser mon ordi", "particulier", "outils-numeriques-quotidien"),
        ("ma becane est morte jai pas les moyens", "particulier", "materiel-solidaire"),
        ("mon site il marche pas", "entreprise", "presence-en-ligne"),
        ("DECLARATION D'IMPOTS EN LIGNE", "particulier", "demarches-administratives"),
        ("declaration dimpots", "particulier", "demarches-administratives"),
        ("arnaque par sms", "particulier", "usage-securise"),
        ("imprimer un document", "particulier", "acces-internet-materiel"),
        ("recruter un alternant", "entreprise", "recrutement-talents"),
        ("budget participatif", "collectivite", "participation-citoyenne"),
        ("impression 3D d'un prototype", "porteur_de_projet", "prototypage-fabrication"),
    ],
)
def test_characteristic_phrasings(lexicon, text, profil, expected):
    """Typos, SMS spellings, missing accents, capitals and glued elisions are understood."""
    assert _top(lexicon, text, profil)[0] == expected


def test_typo_is_corrected_and_reported(lexicon):
    """A mistyped word is read as the nearest lexicon word, and the correction is said."""
    result = understand("nos fichiers bloques par un rensomware", "entreprise", lexicon)
    assert result.categories[0].code == "cybersecurite"
    assert result.corrections


def test_profile_prior_decides_between_families(lexicon):
    """The same words lead a citizen to inclusion and a business to its own family."""
    assert _top(lexicon, "on a pirate mon compte", "particulier")[0] == "usage-securise"
    assert _top(lexicon, "on a pirate nos ordinateurs", "entreprise")[0] == "cybersecurite"
    assert _top(lexicon, "faire les demarches en ligne", "particulier")[0] == (
        "demarches-administratives"
    )
    assert _top(lexicon, "faire les demarches en ligne", "collectivite")[0] == (
        "dematerialisation-services"
    )


def test_every_category_explains_itself(lexicon):
    """Each category carries the words that led to it; scores are in [0, 1], best first."""
    result = understand("je veux creer un site internet pour ma boutique", "entreprise", lexicon)
    scores = [c.score for c in result.categories]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 1 for s in scores)
    for category in result.categories:
        assert category.signals
        assert all(s.mot and s.terme for s in category.signals)
    assert any(s.maniere == "profil" for s in result.categories[0].signals)


@pytest.mark.parametrize("text", ["", "   ", "😀😀🙏", "???", "<script>alert(1)</script>"])
def test_nothing_to_understand(lexicon, text):
    """Text without any meaningful word gives no category rather than a guess."""
    assert understand(text, "particulier", lexicon).categories == []


def test_long_text_is_bounded(lexicon):
    """10,000 characters are read up to the limit, quickly, without error."""
    text = "imprimer un document " * 500
    result = understand(text, "particulier", lexicon)
    assert result.categories[0].code == "acces-internet-materiel"
    assert len(understanding.words(text)) <= understanding.MAX_CHARS


def test_deterministic(lexicon):
    """The same need always gives the same answer."""
    first = understand("former mes salaries a excel", "entreprise", lexicon)
    second = understand("former mes salaries a excel", "entreprise", lexicon)
    assert [(c.code, c.score) for c in first.categories] == [
        (c.code, c.score) for c in second.categories
    ]


def test_keyword_baseline_matches_example_words_only():
    """The evaluation baseline only sees the taxonomy's example words, exactly."""
    rows = understanding.taxonomy_rows()
    assert understanding.keyword_baseline("Pronote ne marche pas", rows)[0] == (
        "parentalite-education"
    )
    assert understanding.keyword_baseline("jvoudrai un ordi", rows) == []


def test_shipped_lexicon_speaks_taxonomy_codes():
    """Every code of the shipped lexicon exists; every category has its own words."""
    codes = {row["code"] for row in understanding.taxonomy_rows()}
    shipped = {code for code in understanding.shipped_entries() if not code.startswith("_")}
    assert shipped == codes


def test_evaluation_set_covers_every_category_and_profile():
    """The labelled set of `make bench` is large and varied enough to mean something."""
    from benchmarks.orientation_eval import cases

    data = cases()
    assert len(data) >= 150
    assert {code for _, code, _ in data} == {r["code"] for r in understanding.taxonomy_rows()}
    assert {profil for profil, _, _ in data} == {
        "particulier",
        "entreprise",
        "association",
        "collectivite",
        "porteur_de_projet",
        "professionnel",
    }


def test_a_ticked_category_is_understood_for_certain(lexicon):
    """A code ticked in the list counts `CHOSEN_POINTS` whatever the text and the profile,
    with a signal saying so; an unknown code is ignored."""
    alone = understand("", "particulier", lexicon, chosen=["donnees-ia", "pas-une-categorie"])
    (category,) = alone.categories
    assert category.code == "donnees-ia"
    assert category.raw == understanding.CHOSEN_POINTS
    assert [(s.maniere, s.source) for s in category.signals] == [("choisie", "liste")]
    with_text = understand(
        "mon site il marche pas", "entreprise", lexicon, chosen=["cybersecurite"]
    )
    # Ticked without a word of it in the text, it comes first; the text's reading follows.
    assert [c.code for c in with_text.categories[:2]] == ["cybersecurite", "presence-en-ligne"]
    plain = understand("mon site il marche pas", "entreprise", lexicon)
    site = next(c for c in with_text.categories if c.code == "presence-en-ligne")
    assert site.raw == plain.categories[0].raw  # the text's categories keep their points
