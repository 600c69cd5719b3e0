"""The e-mails of a mise en relation, written as templates: their exact text, no HTML
escaping of what a name may hold, and nothing personal in what the structure receives."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import override_settings

from maillage.referrals.enums import ReferralAction, ReferralOutcome
from maillage.referrals.services import referral_create, referral_transition, referrals_remind
from maillage.referrals.tokens import submission_key_new
from tests.orientation.factories import ServiceFactory, commune

from .factories import ReferralFactory

pytestmark = pytest.mark.django_db

NAME = "Atelier « L'Écran & vous »"


@pytest.fixture
def service():
    return ServiceFactory(nom=NAME, categories=["demarches-administratives"])


@override_settings(MAILLAGE_BASE_URL="https://maillage.example.fr")
def test_a_new_referral_sends_these_two_messages(service, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = referral_create(
            service=service,
            commune=commune(),
            submission_key=submission_key_new(),
            contact_prefere="courriel",
            nom="Anne Le Guen",
            courriel="anne@example.fr",
            besoin="Mes démarches de retraite",
        )
    to_structure, to_person = mail.outbox
    pk, token = created.referral.pk, created.token
    assert to_structure.to == ["contact@example.fr"]
    assert to_structure.subject == "[Maillage] Nouvelle demande de mise en relation"
    assert to_structure.body == (
        "Bonjour,\n\n"
        f"Vous avez reçu une nouvelle demande de mise en relation pour le service « {NAME} ».\n\n"
        "Consultez-la et répondez depuis votre espace : "
        f"https://maillage.example.fr/espace/mises-en-relation/{pk}/\n\n"
        "Par précaution, ce message ne contient aucune donnée personnelle.\n"
    )
    assert to_person.to == ["anne@example.fr"]
    assert to_person.subject == "[Maillage] Votre demande de mise en relation"
    assert to_person.body == (
        "Bonjour,\n\n"
        f"Votre demande de mise en relation avec le service « {NAME} » a bien été transmise.\n\n"
        "Suivez-la avec ce lien personnel (ne le partagez pas) : "
        f"https://maillage.example.fr/mise-en-relation/suivi/{token}/\n\n"
        "Vos coordonnées sont effacées 365 jours après la clôture de la demande.\n"
    )


def test_a_status_change_tells_the_person_with_the_structures_message(
    service, make_user, django_capture_on_commit_callbacks
):
    referral = ReferralFactory(service=service, acceptee=True, courriel="anne@example.fr")
    with django_capture_on_commit_callbacks(execute=True):
        referral_transition(
            referral=referral,
            action=ReferralAction.CLOSE,
            user=make_user("gestion@example.fr"),
            outcome=ReferralOutcome.RESOLUE,
            message="Atelier suivi le 3 décembre.\nÀ bientôt !",
        )
    (sent,) = mail.outbox
    assert sent.subject == "[Maillage] Votre demande de mise en relation a évolué"
    assert sent.body == (
        "Bonjour,\n\n"
        f"Votre demande de mise en relation avec le service « {NAME} » est maintenant : "
        "Clôturée — résolue.\n"
        "\nMessage de la structure :\nAtelier suivi le 3 décembre.\nÀ bientôt !\n"
        "\nSuivez-la avec le lien personnel reçu lors de votre demande.\n"
    )


def test_a_reorientation_names_the_new_service(
    service, make_user, django_capture_on_commit_callbacks
):
    other = ServiceFactory(nom="Fablab", categories=["demarches-administratives"])
    referral = ReferralFactory(service=service, courriel="anne@example.fr")
    with django_capture_on_commit_callbacks(execute=True):
        referral_transition(
            referral=referral,
            action=ReferralAction.REORIENT,
            user=make_user("gestion@example.fr"),
            new_service=other,
        )
    to_person = next(m for m in mail.outbox if m.to == ["anne@example.fr"])
    assert to_person.body == (
        "Bonjour,\n\n"
        f"Votre demande de mise en relation avec le service « {NAME} » est maintenant : "
        "Réorientée.\n"
        "Elle a été transmise à un autre service : « Fablab ».\n"
        "\nSuivez-la avec le lien personnel reçu lors de votre demande.\n"
    )


@override_settings(MAILLAGE_BASE_URL="https://maillage.example.fr")
def test_the_reminder_gives_the_day_and_no_personal_data(
    service, django_capture_on_commit_callbacks
):
    referral = ReferralFactory(service=service)
    referral.created_at = referral.created_at.replace(year=2026, month=1, day=5, hour=12)
    referral.save(update_fields=["created_at"])
    with django_capture_on_commit_callbacks(execute=True):
        assert referrals_remind() == 1
    (sent,) = mail.outbox
    assert sent.subject == (
        "[Maillage] Rappel : une demande de mise en relation attend votre réponse"
    )
    assert sent.body == (
        "Bonjour,\n\n"
        "Une demande de mise en relation reçue le 05/01/2026 attend toujours votre réponse "
        f"pour le service « {NAME} ».\n\n"
        "Consultez-la et répondez depuis votre espace : "
        f"https://maillage.example.fr/espace/mises-en-relation/{referral.pk}/\n\n"
        "Par précaution, ce message ne contient aucune donnée personnelle.\n"
    )
    assert referral.nom not in sent.body and referral.courriel not in sent.body
