"""The lexicon administrators edit: every change bumps the version and changes the answers."""

import pytest

from maillage.orientation.models import LexiconEntry, LexiconVersion
from maillage.orientation.selectors import lexicon_active, lexicon_version
from maillage.orientation.services import lexicon_entry_delete, lexicon_entry_save
from maillage.orientation.understanding import understand

pytestmark = pytest.mark.django_db


def _codes(text, profil="particulier"):
    return [c.code for c in understand(text, profil, lexicon_active()).categories]


def test_an_entry_changes_the_result_and_bumps_the_version():
    """A new synonym is used at once; deleting it restores the previous answer."""
    assert _codes("mon grimoire") == []
    before = lexicon_version()
    entry = LexiconEntry(categorie_id="loisirs-creations", kind="synonyme", texte="grimoire")
    lexicon_entry_save(entry=entry)
    assert lexicon_version() == before + 1
    assert lexicon_active().version == before + 1
    result = understand("mon grimoire", "particulier", lexicon_active())
    assert result.categories[0].code == "loisirs-creations"
    assert any(s.source.startswith("administrateur") for s in result.categories[0].signals)

    entry.poids = 3
    lexicon_entry_save(entry=entry)
    assert lexicon_version() == before + 2

    lexicon_entry_delete(entries=[entry])
    assert lexicon_version() == before + 3
    assert _codes("mon grimoire") == []
    assert list(LexiconVersion.objects.values_list("numero", flat=True)[:3]) == [
        before + 3,
        before + 2,
        before + 1,
    ]


def test_inactive_entries_are_ignored():
    entry = LexiconEntry(
        categorie_id="loisirs-creations", kind="synonyme", texte="grimoire", actif=False
    )
    lexicon_entry_save(entry=entry)
    assert _codes("mon grimoire") == []


def test_admin_pages_edit_the_lexicon(client, make_user):
    """The back-office form saves through the service, so the version moves."""
    admin = make_user("admin@example.fr", is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get("/admin/orientation/lexiconentry/").status_code == 200
    before = lexicon_version()
    response = client.post(
        "/admin/orientation/lexiconentry/add/",
        {
            "categorie": "loisirs-creations",
            "kind": "exemple",
            "texte": "tricoter avec une appli",
            "poids": "1",
            "actif": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert lexicon_version() == before + 1
    assert LexiconVersion.objects.first().created_by == admin
    assert client.get("/admin/orientation/lexiconversion/").status_code == 200


def test_taxonomy_examples_edited_in_the_admin_are_read():
    """The taxonomy rows come from the database: a new example word is used at once."""
    from maillage.directory.models import Categorie

    assert _codes("mon grimoire") == []
    categorie = Categorie.objects.get(code="loisirs-creations")
    categorie.exemples += "; grimoire"
    categorie.save()
    assert _codes("mon grimoire")[0] == "loisirs-creations"
