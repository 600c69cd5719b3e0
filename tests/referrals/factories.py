"""Factories of the referral tests: mises en relation at any step of the workflow.

    ReferralFactory()                  # « nouvelle », for a service of its own structure
    ReferralFactory(acceptee=True)     # accepted by the structure
    ReferralFactory(cloturee=True)     # closed, resolved (`outcome=` for another issue)
    ReferralFactory(purgee=True)       # past retention: personal fields blanked

They write rows directly (the workflow's services are tested through their own calls);
every row satisfies the model's constraints (a contact, an outcome when closed) and has
its creation step in the history. `token=` sets the follow-up token, stored hashed.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from maillage.referrals.enums import ContactWay, ReferralAction, ReferralOutcome, ReferralStatus
from maillage.referrals.models import Referral, ReferralEvent
from maillage.referrals.tokens import follow_token_hash, random_submission_key_hash
from tests.orientation.factories import ServiceFactory, commune

S = ReferralStatus
HOUR = timedelta(hours=1)


def _later(hours: int) -> factory.LazyAttribute:
    return factory.LazyAttribute(lambda o: o.created_at + hours * HOUR)


class ReferralEventFactory(DjangoModelFactory):
    class Meta:
        model = ReferralEvent

    referral = factory.SubFactory("tests.referrals.factories.ReferralFactory")
    action = ReferralAction.NOTE
    message = "Note de suivi."
    public = False
    created_at = factory.LazyFunction(timezone.now)


class ReferralFactory(DjangoModelFactory):
    class Meta:
        model = Referral
        skip_postgeneration_save = True

    class Params:
        token = factory.LazyFunction(lambda: secrets.token_urlsafe(32))
        acceptee = factory.Trait(
            status=S.ACCEPTEE, accepted_at=_later(2), first_response_at=_later(2)
        )
        en_cours = factory.Trait(
            status=S.EN_COURS,
            accepted_at=_later(2),
            started_at=_later(3),
            first_response_at=_later(2),
        )
        cloturee = factory.Trait(
            status=S.CLOTUREE,
            outcome=ReferralOutcome.RESOLUE,
            accepted_at=_later(2),
            closed_at=_later(5),
            first_response_at=_later(2),
        )
        refusee = factory.Trait(status=S.REFUSEE, refused_at=_later(1), first_response_at=_later(1))
        annulee = factory.Trait(status=S.ANNULEE, cancelled_at=_later(1))
        purgee = factory.Trait(
            purged_at=factory.LazyFunction(timezone.now),
            nom="",
            courriel="",
            telephone="",
            besoin="",
            token_hash=None,
        )
        pour_tiers = factory.Trait(pour_compte_de_tiers=True)

    service = factory.SubFactory(ServiceFactory, categories=["demarches-administratives"])
    structure = factory.SelfAttribute("service.structure")
    categorie_id = factory.LazyAttribute(
        lambda o: o.service.categories.order_by("code").values_list("code", flat=True).first()
    )
    commune = factory.LazyFunction(commune)
    profil = "particulier"
    besoin = "Je voudrais apprendre à faire mes démarches de retraite en ligne"
    nom = factory.Sequence(lambda n: f"Personne {n}")
    courriel = factory.Sequence(lambda n: f"personne{n}@example.fr")
    telephone = "06 12 34 56 78"
    contact_prefere = ContactWay.COURRIEL
    consent_at = factory.LazyAttribute(lambda o: o.created_at)
    consent_version = "2026-11"
    token_hash = factory.LazyAttribute(lambda o: follow_token_hash(o.token))
    submission_key_hash = factory.LazyFunction(random_submission_key_hash)
    created_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))

    creation = factory.RelatedFactory(
        ReferralEventFactory,
        factory_related_name="referral",
        action=ReferralAction.CREATE,
        to_status=S.NOUVELLE,
        message="Demande transmise à la structure.",
        public=True,
        created_at=factory.SelfAttribute("..created_at"),
    )
