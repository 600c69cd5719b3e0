"""Error pages are French pages of the site, not Django's English ones (production settings)."""

import pytest
from django.test import Client
from django.urls import reverse


@pytest.fixture
def production(settings):
    settings.DEBUG = False


@pytest.mark.django_db
def test_a_wrong_address_gets_the_french_404_page(client, production):
    response = client.get("/suivi/un-lien-tronque/")
    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="fr"' in html and "Page non trouvée" in html
    assert "copié en entier" in html and reverse("orientation:profil") in html
    assert "Not Found" not in html


@pytest.mark.django_db
def test_a_form_sent_without_its_csrf_token_says_nothing_was_saved(production):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("directory:search"), {"q": "x"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "Formulaire expiré" in html and "Rien n’a été enregistré" in html
    assert "Forbidden" not in html


@pytest.mark.django_db
def test_a_server_error_gets_the_french_500_page(rf, production):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="fr"' in html and "Erreur inattendue" in html
