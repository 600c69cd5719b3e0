"""The API answers every error in JSON with a French message, never an HTML page or a
traceback, in production and in development settings alike."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

BODY = {"besoin": "apprendre à utiliser ma tablette", "profil": "particulier", "commune": "29151"}


def post(client, body: str | bytes):
    return client.post("/api/v1/orientations", body, content_type="application/json")


def assert_json_error(response, status: int) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    detail = response.json()["detail"]
    assert "Traceback" not in response.content.decode()
    return detail


@pytest.mark.parametrize("debug", [False, True], ids=["prod", "dev"])
def test_a_body_over_the_upload_limit_gets_413(client, debug):
    big = json.dumps({**BODY, "besoin": "x" * 3_000_000})
    with override_settings(DEBUG=debug):
        detail = assert_json_error(post(client, big), 413)
    assert detail == "Corps de la requête trop volumineux : la limite est de 2,5 Mo."


@pytest.mark.parametrize("debug", [False, True], ids=["prod", "dev"])
def test_malformed_json_gets_a_french_400(client, debug):
    with override_settings(DEBUG=debug):
        detail = assert_json_error(post(client, '{"besoin": '), 400)
    assert detail.startswith("Corps de la requête illisible : JSON invalide (ligne 1")


@pytest.mark.parametrize("debug", [False, True], ids=["prod", "dev"])
def test_deeply_nested_json_gets_a_french_400(client, debug):
    nested = '{"besoin": ' * 100_000 + '"x"' + "}" * 100_000
    with override_settings(DEBUG=debug):
        detail = assert_json_error(post(client, nested), 400)
    assert "imbriqué trop profondément" in detail


def test_a_body_that_is_not_utf8_gets_a_french_400(client):
    detail = assert_json_error(post(client, b'{"besoin": "\xff\xfe"}'), 400)
    assert "UTF-8" in detail


@pytest.mark.parametrize("debug", [False, True], ids=["prod", "dev"])
def test_unknown_paths_and_methods_are_json(client, debug):
    with override_settings(DEBUG=debug):
        assert assert_json_error(client.get("/api/v1/nulle-part"), 404) == "Ressource introuvable."
        response = client.delete("/api/v1/sante")
        assert assert_json_error(response, 405).startswith("Méthode non autorisée")
        assert "GET" in response["Allow"]


@pytest.mark.parametrize("debug", [False, True], ids=["prod", "dev"])
def test_a_crash_in_an_endpoint_is_a_json_500_without_traceback(client, debug, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom: secret detail")

    monkeypatch.setattr("maillage.core.api.connection.cursor", broken)
    client.raise_request_exception = False
    with override_settings(DEBUG=debug):
        response = client.get("/api/v1/sante")
    detail = assert_json_error(response, 500)
    assert detail == "Erreur interne du serveur : réessayez plus tard."
    assert "boom" not in response.content.decode()


def test_the_docs_page_still_answers_html(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "cdn.jsdelivr" not in response.content.decode()  # served locally (CSP)


def test_html_errors_elsewhere_are_left_alone(client):
    response = client.get("/page-qui-n-existe-pas/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
