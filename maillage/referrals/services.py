"""Writes of the mises en relation: creation, one service per transition of the workflow,
notes, reminders, purge.

Every status change goes through `_apply`, which checks the allowed source states of
`workflow.TRANSITIONS` with a conditional UPDATE: two managers acting at the same time
cannot both move a referral, the second gets a clear error. E-mails leave after the commit
(`notifications`). Logs carry ids and statuses, never a personal field.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from maillage.core.purge import register_purge_step
from maillage.directory.models import Categorie, Service
from maillage.territories.models import Commune

from . import notifications
from .enums import ReferralAction, ReferralOutcome, ReferralStatus
from .models import Referral, ReferralEvent
from .selectors import referrals_expired, referrals_to_remind
from .tokens import (
    FORM_EXPIRED,
    follow_token_for,
    follow_token_hash,
    random_submission_key_hash,
    submission_key_hash,
    submission_key_valid,
)
from .workflow import TRANSITIONS, transition_refusal

if TYPE_CHECKING:
    from collections.abc import Sequence

    from maillage.accounts.models import User

logger = logging.getLogger(__name__)

S = ReferralStatus
A = ReferralAction
ARCHIVED = "Cette demande est archivée : elle ne peut plus changer."


# Creation.


@dataclass(frozen=True)
class ReferralCreated:
    referral: Referral
    token: str  # the follow-up token, shown once and e-mailed; never stored in clear
    created: bool  # False when the same form was already submitted


def referral_category(
    *, service: Service, ticked: Sequence[str], understood: Sequence[str]
) -> str | None:
    """The category a referral is counted under in the statistics: the first category the
    person ticked; when none was ticked, the best of the categories understood in their
    need (best first, as the orientation engine ranks them) that the service offers; else
    None, and `referral_create` takes the service's first category."""
    if ticked:
        code = ticked[0]
        if service.categories.filter(code=code).exists():
            return code
        return code if Categorie.objects.filter(code=code).exists() else None
    if not understood:
        return None
    offered = set(service.categories.values_list("code", flat=True))
    return next((code for code in understood if code in offered), None)


def _new_referral(
    *,
    service: Service,
    commune: Commune | None,
    submission_key: str,
    token: str,
    contact_prefere: str,
    nom: str,
    courriel: str,
    telephone: str,
    besoin: str,
    profil: str,
    categorie_code: str | None,
    pour_compte_de_tiers: bool,
    created_by: User | None,
) -> Referral:
    """The unsaved, validated referral of a form submission."""
    if not categorie_code:
        categorie_code = service.categories.order_by("code").values_list("code", flat=True).first()
    now = timezone.now()
    referral = Referral(
        service=service,
        structure_id=service.structure_id,
        categorie_id=categorie_code,
        commune=commune,
        profil=profil,
        pour_compte_de_tiers=pour_compte_de_tiers,
        besoin=besoin.strip(),
        nom=nom.strip(),
        courriel=courriel.strip().lower(),
        telephone=telephone.strip(),
        contact_prefere=contact_prefere,
        consent_at=now,
        consent_version=settings.MAILLAGE_REFERRAL_CONSENT_VERSION,
        created_by=created_by if created_by and created_by.is_authenticated else None,
        token_hash=follow_token_hash(token),
        submission_key_hash=submission_key_hash(submission_key),
        created_at=now,
    )
    referral.full_clean(exclude=["submission_key_hash", "token_hash"], validate_constraints=False)
    if not (referral.courriel or referral.telephone):
        raise ValidationError("Donnez une adresse e-mail ou un numéro de téléphone.")
    return referral


def referral_create(
    *,
    service: Service,
    commune: Commune | None,
    submission_key: str,
    contact_prefere: str,
    nom: str = "",
    courriel: str = "",
    telephone: str = "",
    besoin: str = "",
    profil: str = "",
    categorie_code: str | None = None,
    pour_compte_de_tiers: bool = False,
    created_by: User | None = None,
    base_url: str = "",
) -> ReferralCreated:
    """Record a consented referral once per form submission, then tell the structure and,
    when they gave an e-mail, the person (after the commit)."""
    key_hash = submission_key_hash(submission_key)
    token = follow_token_for(submission_key)
    existing = Referral.objects.filter(submission_key_hash=key_hash).first()
    if existing is not None:
        # A double click or a retry, even after the key has expired: the same referral.
        return ReferralCreated(existing, token, created=False)
    if not submission_key_valid(submission_key):
        raise ValidationError(FORM_EXPIRED, code="form_expired")
    # Validate before the transaction: on SQLite, a read then a write in one transaction
    # cannot wait for the lock, a transaction that starts by writing can.
    referral = _new_referral(
        service=service,
        commune=commune,
        submission_key=submission_key,
        token=token,
        contact_prefere=contact_prefere,
        nom=nom,
        courriel=courriel,
        telephone=telephone,
        besoin=besoin,
        profil=profil,
        categorie_code=categorie_code,
        pour_compte_de_tiers=pour_compte_de_tiers,
        created_by=created_by,
    )
    try:
        with transaction.atomic():
            referral.save(force_insert=True)
            ReferralEvent.objects.create(
                referral=referral,
                action=A.CREATE,
                to_status=S.NOUVELLE,
                author=referral.created_by,
                message="Demande transmise à la structure.",
                created_at=referral.created_at,
            )
            notifications.notify_managers(referral, base_url=base_url)
            notifications.notify_person_created(referral, token=token, base_url=base_url)
    except IntegrityError:
        # The same form arrived twice at the same moment: the other request created it.
        existing = Referral.objects.filter(submission_key_hash=key_hash).first()
        if existing is None:
            raise
        return ReferralCreated(existing, token, created=False)
    logger.info("referral %s created for service %s", referral.pk, service.pk)
    return ReferralCreated(referral, token, created=True)


# The workflow: one service per transition, all applied by `_apply`.


def _check_open(referral: Referral) -> None:
    if referral.is_purged:
        raise ValidationError(ARCHIVED)


def _apply(
    referral: Referral,
    action: str,
    *,
    user: User | None,
    message: str,
    outcome: str = "",
    new_service: Service | None = None,
    base_url: str = "",
) -> Referral:
    """Move the referral along `TRANSITIONS[action]`, record the step, tell the people."""
    transition = TRANSITIONS[action]
    if referral.status not in transition.sources:
        raise ValidationError(transition_refusal(referral.status, action))
    now = timezone.now()
    changes: dict[str, object] = {"status": transition.target, "outcome": outcome}
    changes[transition.stamp] = now
    if transition.by_structure and user is not None:
        changes["first_response_at"] = Coalesce(F("first_response_at"), now)
    with transaction.atomic():
        # The conditional UPDATE is the lock: it matches only if the status is still the one
        # the actor saw, so of two concurrent actions one only succeeds.
        updated = Referral.objects.filter(
            pk=referral.pk, status=referral.status, purged_at__isnull=True
        ).update(**changes)
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if not updated:
            raise ValidationError(
                "La demande a changé entre-temps (statut actuel : "
                f"« {locked.status_label} ») : rechargez la page."
            )
        if new_service is not None:
            locked.reoriented_to = _reorient_copy(locked, new_service, user=user, now=now)
            locked.save(update_fields=["reoriented_to"])
            notifications.notify_managers(locked.reoriented_to, base_url=base_url)
        ReferralEvent.objects.create(
            referral=locked,
            action=action,
            from_status=referral.status,
            to_status=transition.target,
            message=message,
            author=user,
            created_at=now,
        )
        if user is not None:
            notifications.notify_person_status(locked, message=message)
    by = f"user {user.pk}" if user else "the person"
    logger.info("referral %s: %s -> %s by %s", referral.pk, referral.status, locked.status, by)
    return locked


def referral_accept(*, referral: Referral, user: User | None, message: str = "") -> Referral:
    _check_open(referral)
    return _apply(referral, A.ACCEPT, user=user, message=message.strip())


def referral_refuse(*, referral: Referral, user: User | None, message: str) -> Referral:
    """A refusal always tells the person why."""
    _check_open(referral)
    message = message.strip()
    if not message:
        raise ValidationError("Dites à la personne pourquoi vous refusez sa demande.")
    return _apply(referral, A.REFUSE, user=user, message=message)


def referral_start(*, referral: Referral, user: User | None, message: str = "") -> Referral:
    _check_open(referral)
    return _apply(referral, A.START, user=user, message=message.strip())


def referral_close(
    *, referral: Referral, user: User | None, outcome: str, message: str = ""
) -> Referral:
    """Closing says whether the need was solved (`ReferralOutcome`)."""
    _check_open(referral)
    if outcome not in ReferralOutcome.values:
        raise ValidationError("Indiquez si la demande est résolue ou non.")
    return _apply(referral, A.CLOSE, user=user, message=message.strip(), outcome=outcome)


def referral_reorient(
    *,
    referral: Referral,
    user: User | None,
    new_service: Service | None,
    message: str = "",
    base_url: str = "",
) -> Referral:
    """Hand the case to another service: a new referral, which its structure is told of."""
    _check_open(referral)
    if new_service is None:
        raise ValidationError("Choisissez le service vers lequel réorienter la demande.")
    if new_service.pk == referral.service_id:
        raise ValidationError("Choisissez un autre service que celui de la demande.")
    return _apply(
        referral,
        A.REORIENT,
        user=user,
        message=message.strip(),
        new_service=new_service,
        base_url=base_url,
    )


def referral_cancel(*, referral: Referral, user: User | None = None, message: str = "") -> Referral:
    _check_open(referral)
    return _apply(referral, A.CANCEL, user=user, message=message.strip())


def referral_transition(
    *,
    referral: Referral,
    action: str,
    user: User | None = None,
    message: str = "",
    outcome: str = "",
    new_service: Service | None = None,
    base_url: str = "",
) -> Referral:
    """The service of `action` (a `ReferralAction` of the workflow), for the pages that
    receive the action as a form field. Raises ValidationError (in French) when the action
    is not allowed from the current status, or when a concurrent action got there first.
    `user` is None when the person acts from their follow-up link."""
    services: dict[str, Callable[[], Referral]] = {
        A.ACCEPT: lambda: referral_accept(referral=referral, user=user, message=message),
        A.REFUSE: lambda: referral_refuse(referral=referral, user=user, message=message),
        A.START: lambda: referral_start(referral=referral, user=user, message=message),
        A.CLOSE: lambda: referral_close(
            referral=referral, user=user, outcome=outcome, message=message
        ),
        A.REORIENT: lambda: referral_reorient(
            referral=referral,
            user=user,
            new_service=new_service,
            message=message,
            base_url=base_url,
        ),
        A.CANCEL: lambda: referral_cancel(referral=referral, user=user, message=message),
    }
    service = services.get(action)
    if service is None:
        raise ValidationError("Action inconnue.")
    return service()


def _reorient_copy(
    referral: Referral, service: Service, *, user: User | None, now: datetime
) -> Referral:
    """The new referral of a réorientation: same person, same consent, another service; the
    person follows it from their original link."""
    copy = Referral.objects.create(
        service=service,
        structure_id=service.structure_id,
        categorie_id=referral.categorie_id,
        commune_id=referral.commune_id,
        profil=referral.profil,
        pour_compte_de_tiers=referral.pour_compte_de_tiers,
        besoin=referral.besoin,
        nom=referral.nom,
        courriel=referral.courriel,
        telephone=referral.telephone,
        contact_prefere=referral.contact_prefere,
        consent_at=referral.consent_at,
        consent_version=referral.consent_version,
        created_by=referral.created_by,
        token_hash=None,
        submission_key_hash=random_submission_key_hash(),
        created_at=now,
    )
    ReferralEvent.objects.create(
        referral=copy,
        action=A.CREATE,
        to_status=S.NOUVELLE,
        author=user,
        message="Demande réorientée depuis un autre service.",
        created_at=now,
    )
    return copy


def referral_note(*, referral: Referral, user: User, message: str) -> ReferralEvent:
    """An internal note (conseiller or structure): never shown to the person."""
    message = message.strip()
    if not message:
        raise ValidationError("La note est vide.")
    _check_open(referral)
    event = ReferralEvent(
        referral=referral, action=A.NOTE, message=message, public=False, author=user
    )
    event.full_clean()
    event.save()
    return event


# Reminders.


def referrals_remind(*, now: datetime | None = None, base_url: str = "") -> int:
    """E-mail the managers again about referrals left `nouvelle` longer than the delay, at
    most `MAILLAGE_REFERRAL_REMINDER_MAX` times each; returns how many were reminded."""
    now = now or timezone.now()
    count = 0
    for referral in referrals_to_remind(now).select_related("service", "structure"):
        with transaction.atomic():
            # Conditional: two schedulers running at once remind each referral once.
            claimed = Referral.objects.filter(
                pk=referral.pk, reminder_count=referral.reminder_count, status=S.NOUVELLE
            ).update(reminded_at=now, reminder_count=F("reminder_count") + 1)
            if not claimed:
                continue
            ReferralEvent.objects.create(
                referral=referral, action=A.REMIND, public=False, created_at=now
            )
            notifications.notify_managers(referral, base_url=base_url, reminder=True)
        count += 1
    logger.info("referrals reminded: %d", count)
    return count


# Retention.


PERSONAL_FIELDS: dict[str, str | None] = {
    "nom": "",
    "courriel": "",
    "telephone": "",
    "besoin": "",
    "token_hash": None,
}


@register_purge_step("mises_en_relation")
def referrals_purge(wet_run: bool) -> int:
    """Blank the personal fields and messages of expired referrals; keep the statuses,
    dates, category, commune and structure for the statistics."""
    ids = list(referrals_expired().values_list("pk", flat=True))
    if not wet_run or not ids:
        return len(ids)
    now = timezone.now()
    with transaction.atomic():
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            Referral.objects.filter(pk__in=chunk).update(purged_at=now, **PERSONAL_FIELDS)
            ReferralEvent.objects.filter(referral_id__in=chunk).update(message="")
    return len(ids)
