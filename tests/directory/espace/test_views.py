"""The management space: who edits what, the history, reports and their retention."""

import json
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from maillage.accounts.enums import Role
from maillage.accounts.services import role_grant
from maillage.directory.enums import RevisionAction, SignalementStatus
from maillage.directory.imports.lieux import lieux_import
from maillage.directory.models import Lieu, Revision, Signalement
from tests.directory.factories import LieuRowFactory

pytestmark = pytest.mark.django_db


def _row(id_, nom, **extra):
    return LieuRowFactory(id=id_, nom=nom, frais_a_charge="Gratuit", **extra)


@pytest.fixture
def lieux():
    rows = [_row("a", "Espace numérique de Morlaix"), _row("b", "Fablab de Morlaix")]
    lieux_import(data=json.dumps(rows).encode(), filename="l.json", source_name="Réseau test")
    return Lieu.objects.get(nom__startswith="Espace"), Lieu.objects.get(nom__startswith="Fablab")


@pytest.fixture
def manager(make_user, lieux):
    user = make_user("gestion@example.fr")
    role_grant(user=user, role=Role.STRUCTURE_MANAGER, structure=lieux[0].structure)
    return user


@pytest.fixture
def admin(make_user):
    return make_user("admin@example.fr", is_superuser=True, is_staff=True)


def _lieu_post(lieu, **changes):
    data = {
        "nom": lieu.nom,
        "adresse": lieu.adresse,
        "complement_adresse": "",
        "code_postal": lieu.code_postal,
        "commune": lieu.commune.code,
        "latitude": lieu.latitude,
        "longitude": lieu.longitude,
        "horaires": "",
        "telephone": "",
        "courriels": "",
        "presentation_resume": "",
        "fiche_acces_libre": "",
        "prise_en_charge": "",
        "prise_rdv": "",
    }
    data.update(changes)
    return data


def test_manager_cannot_edit_another_structure(client, manager, lieux):
    """Another structure's structure, lieu and service pages answer 403, GET or POST."""
    other = lieux[1]
    client.force_login(manager)
    service = other.services.get()
    for url in (
        reverse("directory_espace:structure_edit", args=[other.structure_id]),
        reverse("directory_espace:lieu_edit", args=[other.pk]),
        reverse("directory_espace:service_edit", args=[service.pk]),
    ):
        assert client.get(url).status_code == 403
        assert client.post(url, {"nom": "Piraté"}).status_code == 403
    other.refresh_from_db()
    assert other.nom == "Fablab de Morlaix"


def test_manager_edits_their_lieu_and_the_change_is_in_the_history(client, manager, lieux):
    lieu = lieux[0]
    client.force_login(manager)
    url = reverse("directory_espace:lieu_edit", args=[lieu.pk])
    response = client.post(
        url, _lieu_post(lieu, horaires="Mo-Fr 09:00-12:00", telephone="02 98 00 00 00")
    )
    assert response.status_code == 302
    lieu.refresh_from_db()
    assert lieu.horaires == "Mo-Fr 09:00-12:00" and lieu.telephone == "02 98 00 00 00"
    revision = Revision.objects.filter(object_id=lieu.pk, action=RevisionAction.UPDATE).get()
    assert revision.user == manager
    assert revision.changes["horaires"] == ["", "Mo-Fr 09:00-12:00"]
    assert set(revision.changes) == {"horaires", "telephone"}
    html = client.get(url).content.decode()
    assert "Historique" in html and "Mo-Fr 09:00-12:00" in html and "gestion@example.fr" in html


def test_invalid_lieu_form_keeps_what_was_typed(client, manager, lieux):
    """Bad opening hours and a point outside the commune: French errors, input kept."""
    lieu = lieux[0]
    client.force_login(manager)
    response = client.post(
        reverse("directory_espace:lieu_edit", args=[lieu.pk]),
        _lieu_post(lieu, nom="Nouveau nom", horaires="du lundi au vendredi", latitude="43.3"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Horaires illisibles" in html and "hors de la commune" in html
    assert 'value="Nouveau nom"' in html
    assert 'aria-describedby="' in html
    assert 'id="form-errors"' in html and "Le formulaire contient 2 erreurs" in html
    lieu.refresh_from_db()
    assert lieu.nom == "Espace numérique de Morlaix"
    assert not Revision.objects.filter(action=RevisionAction.UPDATE).exists()


def test_manager_edits_a_service(client, manager, lieux):
    service = lieux[0].services.get()
    client.force_login(manager)
    response = client.post(
        reverse("directory_espace:service_edit", args=[service.pk]),
        {
            "nom": "Aide aux démarches en ligne",
            "description": "Sur rendez-vous.",
            "categories": list(service.categories.values_list("pk", flat=True)),
            "publics": "Seniors\nJeunes",
            "modalites": ["presentiel", "a_distance"],
            "frais": ["gratuit"],
            "lieux": [lieux[0].pk],
            "communes_desservies": "29151, 29239",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    service.refresh_from_db()
    assert service.nom == "Aide aux démarches en ligne"
    assert service.publics == ["Seniors", "Jeunes"]
    assert sorted(service.communes_desservies.values_list("code", flat=True)) == [
        "29151",
        "29239",
    ]
    revision = Revision.objects.get(object_id=service.pk, action=RevisionAction.UPDATE)
    assert "communes_desservies" in revision.changes and "nom" in revision.changes
    public = client.get(reverse("directory:lieu_detail", args=[lieux[0].pk])).content.decode()
    assert "Sur rendez-vous." in public


def test_a_service_cannot_be_given_another_structures_lieu(client, manager, lieux):
    service = lieux[0].services.get()
    client.force_login(manager)
    response = client.post(
        reverse("directory_espace:service_edit", args=[service.pk]),
        {"nom": service.nom, "lieux": [lieux[1].pk], "communes_desservies": ""},
    )
    assert response.status_code == 400
    assert list(service.lieux.all()) == [lieux[0]]


def test_administrator_edits_every_structure(client, admin, lieux):
    client.force_login(admin)
    structure = lieux[1].structure
    response = client.post(
        reverse("directory_espace:structure_edit", args=[structure.pk]),
        {"nom": "Fablab du Pays de Morlaix", "pivot": "123 456 789", "courriels": "a@b.fr"},
    )
    assert response.status_code == 302
    structure.refresh_from_db()
    assert structure.nom == "Fablab du Pays de Morlaix" and structure.pivot == "123456789"
    html = client.get(reverse("espace:home"), {"q": "Fablab"}).content.decode()
    assert "Fablab du Pays de Morlaix" in html and "Espace numérique" not in html


def test_territorial_administrator_is_a_curator(client, make_user, lieux):
    from maillage.territories.models import Territoire

    user = make_user("territoire@example.fr")
    role_grant(user=user, role=Role.TERRITORY_ADMIN, territoire=Territoire.objects.first())
    client.force_login(user)
    url = reverse("directory_espace:lieu_edit", args=[lieux[1].pk])
    assert client.get(url).status_code == 200


def test_imports_record_creations_and_changes_in_the_history(lieux):
    lieu = lieux[0]
    assert Revision.objects.filter(object_id=lieu.pk, action=RevisionAction.CREATE).exists()
    rows = [
        _row("a", "Espace numérique de Morlaix", telephone="02 98 11 22 33"),
        _row("b", "Fablab de Morlaix"),
    ]
    result = lieux_import(
        data=json.dumps(rows).encode(), filename="l2.json", source_name="Réseau test"
    )
    revision = Revision.objects.get(object_id=lieu.pk, action=RevisionAction.IMPORT)
    assert revision.import_run == result.run and revision.user is None
    assert revision.changes["telephone"] == ["", "02 98 11 22 33"]


# Signaler une erreur


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def _report(client, lieu, **extra):
    data = {
        "sujet": "horaires",
        "message": "Fermé le mercredi depuis septembre.",
        "courriel": "",
        "website": "",
        "started": str(time.time() - 30),
    }
    data.update(extra)
    return client.post(reverse("directory:signalement_create", args=[lieu.pk]), data)


def test_anyone_reports_an_error_and_curators_are_told(
    client, manager, admin, lieux, django_capture_on_commit_callbacks
):
    lieu = lieux[0]
    page = client.get(reverse("directory:lieu_detail", args=[lieu.pk])).content.decode()
    assert reverse("directory:signalement_create", args=[lieu.pk]) in page
    form = client.get(reverse("directory:signalement_create", args=[lieu.pk])).content.decode()
    assert "effacée 90 jours après" in form
    with django_capture_on_commit_callbacks(execute=True):
        response = _report(client, lieu, courriel="habitant@example.fr")
    assert response.status_code == 200 and "Merci" in response.content.decode()
    signalement = Signalement.objects.get()
    assert signalement.status == SignalementStatus.OPEN
    assert signalement.courriel == "habitant@example.fr"
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {"gestion@example.fr", "admin@example.fr"}
    assert "Fermé le mercredi" in mail.outbox[0].body
    assert "habitant@example.fr" not in mail.outbox[0].body


def test_honeypot_too_fast_and_untimed_reports_say_nothing_was_sent(client, lieux):
    responses = [
        _report(client, lieux[0], website="http://spam.example"),
        _report(client, lieux[0], started=str(time.time())),
        _report(client, lieux[0], started=""),
    ]
    for response in responses:
        assert response.status_code == 400
        assert "Rien n&#x27;a été envoyé" in response.content.decode()
    assert not Signalement.objects.exists()


@override_settings(MAILLAGE_SIGNALEMENT_PER_HOUR=2)
def test_reports_are_rate_limited_per_hour(client, lieux):
    assert _report(client, lieux[0]).status_code == 200
    assert _report(client, lieux[0]).status_code == 200
    response = _report(client, lieux[0])
    assert response.status_code == 429
    assert "réessayez dans une heure" in response.content.decode()
    assert Signalement.objects.count() == 2


def test_manager_answers_and_closes_a_report(
    client, manager, lieux, django_capture_on_commit_callbacks
):
    _report(client, lieux[0], courriel="habitant@example.fr")
    _report(client, lieux[1])
    mine, other = Signalement.objects.order_by("lieu__nom")
    client.force_login(manager)
    home = client.get(reverse("espace:home")).content.decode()
    assert reverse("directory_espace:signalement_detail", args=[mine.pk]) in home
    assert reverse("directory_espace:signalement_detail", args=[other.pk]) not in home
    assert (
        client.get(reverse("directory_espace:signalement_detail", args=[other.pk])).status_code
        == 403
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("directory_espace:signalement_detail", args=[mine.pk]),
            {"status": "corrige", "reponse": "Horaires corrigés, merci !"},
        )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == SignalementStatus.FIXED and mine.closed_by == manager
    assert mail.outbox[0].to == ["habitant@example.fr"]
    assert "Horaires corrigés" in mail.outbox[0].body


def test_purge_blanks_old_reporters_addresses_only_with_wet_run(lieux):
    lieu = lieux[0]
    now = timezone.now()
    old = Signalement.objects.create(
        lieu=lieu,
        sujet="autre",
        message="x",
        courriel="ancien@example.fr",
        status=SignalementStatus.FIXED,
        closed_at=now - timedelta(days=91),
    )
    recent = Signalement.objects.create(
        lieu=lieu,
        sujet="autre",
        message="y",
        courriel="recent@example.fr",
        status=SignalementStatus.FIXED,
        closed_at=now - timedelta(days=10),
    )
    still_open = Signalement.objects.create(
        lieu=lieu, sujet="autre", message="z", courriel="ouvert@example.fr"
    )
    Signalement.objects.filter(pk=still_open.pk).update(created_at=now - timedelta(days=400))
    call_command("purge_personal_data", stdout=(out := __import__("io").StringIO()))
    assert "signalements : 1" in out.getvalue()
    old.refresh_from_db()
    assert old.courriel == "ancien@example.fr"
    call_command("purge_personal_data", "--wet-run", stdout=out)
    old.refresh_from_db()
    recent.refresh_from_db()
    still_open.refresh_from_db()
    assert old.courriel == "" and old.message == "x"
    assert recent.courriel == "recent@example.fr"
    assert still_open.courriel == "ouvert@example.fr"


def test_moving_an_approximate_lieu_makes_its_position_exact(client, manager, lieux):
    lieu = lieux[0]
    Lieu.objects.filter(pk=lieu.pk).update(placement="mairie")
    client.force_login(manager)
    response = client.post(
        reverse("directory_espace:lieu_edit", args=[lieu.pk]), _lieu_post(lieu, latitude="48.5780")
    )
    assert response.status_code == 302
    lieu.refresh_from_db()
    assert lieu.placement == "source" and lieu.latitude == 48.578
    revision = Revision.objects.get(object_id=lieu.pk, action=RevisionAction.UPDATE)
    assert revision.changes["placement"] == ["mairie", "source"]


def test_public_lieu_page_offers_editing_to_its_managers_only(client, manager, lieux):
    url = reverse("directory:lieu_detail", args=[lieux[0].pk])
    edit = reverse("directory_espace:lieu_edit", args=[lieux[0].pk])
    assert edit not in client.get(url).content.decode()
    client.force_login(manager)
    assert edit in client.get(url).content.decode()
    other = reverse("directory:lieu_detail", args=[lieux[1].pk])
    assert (
        reverse("directory_espace:lieu_edit", args=[lieux[1].pk])
        not in client.get(other).content.decode()
    )


def test_permission_predicates(make_user, manager, lieux):
    from django.contrib.auth.models import AnonymousUser

    from maillage.accounts.permissions import (
        can_import,
        can_manage_structure,
        can_use_espace,
        managed_structure_ids,
    )

    mine, other = lieux[0].structure, lieux[1].structure
    assert managed_structure_ids(manager) == {mine.pk}
    assert can_manage_structure(manager, mine.pk) and not can_manage_structure(manager, other.pk)
    assert can_use_espace(manager) and not can_import(manager)
    anonymous = AnonymousUser()
    assert not can_manage_structure(anonymous, mine.pk) and not can_use_espace(anonymous)
    manager.is_active = False
    assert not can_manage_structure(manager, mine.pk)


def test_a_structure_manager_role_needs_its_structure(make_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="gère une structure"):
        role_grant(user=make_user("x@example.fr"), role=Role.STRUCTURE_MANAGER)
