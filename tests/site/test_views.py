"""The public site's own pages: home and accessibility statement."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_lists_the_territories_with_key_figures(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in ["Pays de Morlaix", "Pays de Lorient", "Pays de Verdun", "Nouvelle-Aquitaine"]:
        assert name in html
    assert 'lang="fr"' in html
    assert "Contenu" in html  # skip link


def test_accessibility_statement_and_footer_link(client):
    """The statement has its own page; every page's footer links to it by its URL name."""
    response = client.get(reverse("site:accessibility"))
    assert response.status_code == 200
    assert reverse("site:accessibility") == "/accessibilite/"
    assert reverse("site:home") == "/"
    assert 'href="/accessibilite/"' in client.get("/").content.decode()
