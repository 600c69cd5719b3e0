"""Matching services to a need on a small hand-built directory around Morlaix's mairie,
and the same answer through the API and the command."""

import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from maillage.core.geometry import haversine_km
from maillage.directory.models import Lieu
from maillage.orientation.engine import OrientationError, orientation_answer
from maillage.territories.models import Commune

from .factories import ServiceFactory

pytestmark = pytest.mark.django_db

MORLAIX = "29151"
TODAY = date(2026, 11, 27)


@pytest.fixture
def mairie():
    commune = Commune.objects.communes().get(code=MORLAIX)
    return commune, commune.mairie_latitude, commune.mairie_longitude


def _service(
    mairie,
    nom,
    km_north,
    codes,
    *,
    frais=("gratuit",),
    modalites=("presentiel",),
    publics=(),
    horaires="Mo-Fr 09:00-17:00",
    date_maj=date(2026, 6, 1),
):
    """A service at a lieu `km_north` kilometres due north of the mairie."""
    return ServiceFactory(
        nom=nom,
        categories=codes,
        frais=list(frais),
        modalites=list(modalites),
        publics=list(publics),
        structure__courriels=[],
        lieu=km_north,
        lieu__commune=mairie[0],
        lieu__adresse="1 rue du Test",
        lieu__horaires=horaires,
        lieu__date_maj=date_maj,
    )


@pytest.fixture
def directory(mairie):
    return {
        "proche": _service(mairie, "Aide proche", 2, ["demarches-administratives"]),
        "moyen": _service(
            mairie,
            "Aide moyenne",
            8,
            ["demarches-administratives"],
            frais=("payant",),
            horaires="Mo-Sa 09:00-12:00",
        ),
        "loin": _service(mairie, "Aide lointaine", 30, ["demarches-administratives"]),
        "distance": _service(
            mairie,
            "Aide par téléphone",
            250,
            ["demarches-administratives"],
            modalites=("presentiel", "a_distance"),
        ),
        "entreprise": _service(
            mairie,
            "Site web pour les pros",
            5,
            ["presence-en-ligne"],
            publics=("Entreprises", "Artisans"),
        ),
    }


def _answer(besoin="faire ma declaration d'impots en ligne", **kwargs):
    kwargs.setdefault("commune", MORLAIX)
    return orientation_answer(besoin=besoin, today=TODAY, **kwargs).model_dump()


def _names(answer):
    return [r["service"]["nom"] for r in answer["resultats"]]


def test_results_are_ranked_by_fit_and_distance_with_reasons(directory, mairie):
    """Within the radius, the nearer service comes first; each result says why."""
    answer = _answer(profil="particulier")
    assert answer["categories"][0]["code"] == "demarches-administratives"
    assert _names(answer) == ["Aide proche", "Aide moyenne"]
    first = answer["resultats"][0]
    _, lat, lon = mairie
    assert first["distance_km"] == pytest.approx(2.0, abs=0.05)
    lieu = Lieu.objects.get(pk=first["lieu"]["id"])
    assert first["distance_km"] == pytest.approx(
        haversine_km(lat, lon, lieu.latitude, lieu.longitude), abs=0.01
    )
    assert "à 2,0 km" in first["raisons"]
    assert "gratuit" in first["raisons"]
    assert "propose : Aide aux démarches administratives" in first["raisons"]
    assert "payant" in answer["resultats"][1]["raisons"]
    assert answer["proches"] == 2
    assert "2 service(s) à moins de 15,0 km de Morlaix" in answer["message"]


def test_constraints_filter_and_explain(directory):
    """Gratuit removes paying services; a requested day keeps those open that day."""
    assert _names(_answer(contraintes={"gratuit": True})) == ["Aide proche"]
    saturday = _answer(contraintes={"jour": "samedi"})
    assert _names(saturday) == ["Aide moyenne"]
    assert "ouvert le samedi" in saturday["resultats"][0]["raisons"]
    wide = _answer(contraintes={"rayon_km": 40})
    assert _names(wide) == ["Aide proche", "Aide moyenne", "Aide lointaine"]


def test_remote_services_when_asked(directory):
    """Asking for à distance brings services that work remotely, wherever they are."""
    answer = _answer(contraintes={"modalite": "a_distance"})
    assert _names(answer) == ["Aide par téléphone"]
    assert answer["resultats"][0]["situation"] == "a_distance"
    assert "accompagnement à distance possible" in answer["resultats"][0]["raisons"]


def test_profile_fit_is_a_reason(directory):
    """A business asking about its website gets the service that addresses businesses."""
    answer = _answer("mon site il marche pas", profil="entreprise")
    assert answer["categories"][0]["code"] == "presence-en-ligne"
    assert _names(answer) == ["Site web pour les pros"]
    assert "accompagne les entreprises" in answer["resultats"][0]["raisons"]


def test_nothing_near_says_so_and_proposes_remote_and_nearest(directory):
    """With nothing in the radius: a message, remote services, then the nearest beyond."""
    answer = _answer(contraintes={"rayon_km": 1})
    assert answer["message"].startswith("Aucun service à moins de 1,0 km de Morlaix")
    assert answer["proches"] == 0
    situations = [(r["service"]["nom"], r["situation"]) for r in answer["resultats"]]
    assert situations[0] == ("Aide par téléphone", "a_distance")
    assert ("Aide proche", "hors_rayon") in situations
    beyond = [r for r in answer["resultats"] if r["situation"] == "hors_rayon"]
    assert [r["distance_km"] for r in beyond] == sorted(r["distance_km"] for r in beyond)
    assert "au-delà de votre rayon de 1,0 km" in beyond[0]["raisons"]


def test_api_and_command_give_the_same_json(client, directory):
    """One function builds the answer: the API and `maillage orient --json` agree."""
    body = {"besoin": "jvoudrai de l'aide pour ma declaration dimpot", "profil": "particulier"}
    response = client.post(
        "/api/v1/orientations", {**body, "commune": MORLAIX}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    out = io.StringIO()
    call_command(
        "orient", body["besoin"], commune=MORLAIX, profil="particulier", json=True, stdout=out
    )
    assert json.loads(out.getvalue()) == response.json()
    assert response.json()["resultats"], "the directory has services for this need"


@pytest.mark.parametrize(
    ("payload", "status", "words"),
    [
        ({"besoin": ""}, 422, "Décrivez votre besoin"),
        ({"besoin": "   "}, 422, "Décrivez votre besoin"),
        ({"besoin": "imprimer " * 1200}, 422, "trop longue"),
        ({"besoin": "imprimer", "commune": "99999"}, 422, "Commune inconnue"),
        ({"besoin": "imprimer", "commune": "<b>x</b>"}, 422, "Commune inconnue"),
        ({"besoin": "imprimer", "profil": "martien"}, 422, "Profil inconnu"),
        ({"besoin": "imprimer", "contraintes": {"rayon_km": -3}}, 422, "rayon"),
        ({"besoin": "imprimer", "contraintes": {"modalite": "télépathie"}}, 422, "Modalité"),
        ({"besoin": "imprimer", "contraintes": {"jour": "jeudredi"}}, 422, "Jour inconnu"),
    ],
)
def test_bad_input_gets_a_french_message(client, payload, status, words):
    """Unusable input is refused with a clear French message, never a server error."""
    response = client.post(
        "/api/v1/orientations",
        {"commune": MORLAIX, **payload},
        content_type="application/json",
    )
    assert response.status_code == status
    assert words in response.json()["detail"]


@pytest.mark.parametrize("besoin", ["😀🙏😀", "<script>alert('x')</script>", "?!?!"])
def test_text_without_a_need_is_answered_not_refused(client, besoin):
    """Emoji, markup or punctuation only: an answer that asks for a few words."""
    response = client.post(
        "/api/v1/orientations",
        {"besoin": besoin, "commune": MORLAIX},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["categories"] == [] and body["resultats"] == []
    assert "Nous n'avons pas reconnu de besoin" in body["message"]
    assert "<script>" not in body["besoin"]


def test_malformed_body_is_a_422(client):
    """A body that is not the expected JSON is refused by the schema, in French."""
    response = client.post("/api/v1/orientations", "pas du json", content_type="application/json")
    assert response.status_code in (400, 422)
    response = client.post(
        "/api/v1/orientations", {"besoin": "imprimer"}, content_type="application/json"
    )
    assert response.status_code == 422


def test_command_reports_errors_in_french():
    """The command fails with the same message as the API."""
    with pytest.raises(CommandError, match="Commune inconnue"):
        call_command("orient", "imprimer", commune="00000", json=True, stdout=io.StringIO())
    with pytest.raises(OrientationError):
        _answer("imprimer", commune="")


def test_openapi_documents_the_orientation_endpoint(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/orientations" in schema["paths"]
    props = schema["components"]["schemas"]["OrientationOut"]["properties"]
    assert {"categories", "resultats", "message"} <= set(props)
    result = schema["components"]["schemas"]["ResultatOut"]["properties"]
    assert {"service", "structure", "lieu", "distance_km", "score", "raisons"} <= set(result)


def test_query_count_does_not_grow_with_the_directory(
    directory, mairie, django_assert_max_num_queries
):
    """A bounded number of queries, however many services are near."""
    for index in range(20):
        _service(mairie, f"Autre aide {index}", 1 + index / 10, ["demarches-administratives"])
    with django_assert_max_num_queries(9):
        answer = _answer()
    assert len(answer["resultats"]) == 10


def test_category_suggestions_while_typing(client):
    """The understanding alone, for suggestions: no commune, same categories as the answer."""
    response = client.get(
        "/api/v1/orientations/categories",
        {"besoin": "mon site il marche p", "profil": "entreprise"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body[0]["code"] == "presence-en-ligne"
    assert body[0]["explication"]
    assert client.get("/api/v1/orientations/categories", {"besoin": ""}).json() == []
    bad = client.get("/api/v1/orientations/categories", {"besoin": "x", "profil": "chat"})
    assert bad.status_code == 422
