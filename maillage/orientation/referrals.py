"""Mise en relation (referral) writes: creation, the status workflow, notes, reminders, purge.

Every status change goes through `referral_transition`, which checks the allowed source
states with a conditional UPDATE: two managers acting at the same time cannot both move a
referral, the second gets a clear error. E-mails leave after the commit, and the e-mails to
the structures carry no personal data, only a link to the management space. Logs carry ids
and statuses, never a personal field.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from maillage.accounts.enums import Role
from maillage.accounts.models import User
from maillage.core.purge import register_purge_step
from maillage.directory.models import Categorie

from .engine import OrientationError, need_categories
from .enums import ReferralAction, ReferralOutcome, ReferralStatus
from .models import Referral, ReferralEvent

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from maillage.directory.models import Service
    from maillage.territories.models import Commune

logger = logging.getLogger(__name__)

S = ReferralStatus
A = ReferralAction


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    stamp: str  # the timestamp field set by this transition
    by_structure: bool  # counts as the structure's answer (response time)


TRANSITIONS: dict[str, Transition] = {
    A.ACCEPT: Transition(frozenset({S.NOUVELLE}), S.ACCEPTEE, "accepted_at", True),
    A.REFUSE: Transition(frozenset({S.NOUVELLE, S.ACCEPTEE}), S.REFUSEE, "refused_at", True),
    A.START: Transition(frozenset({S.ACCEPTEE}), S.EN_COURS, "started_at", True),
    A.CLOSE: Transition(frozenset({S.ACCEPTEE, S.EN_COURS}), S.CLOTUREE, "closed_at", True),
    A.REORIENT: Transition(frozenset({S.NOUVELLE, S.REFUSEE}), S.REORIENTEE, "reoriented_at", True),
    A.CANCEL: Transition(
        frozenset({S.NOUVELLE, S.ACCEPTEE, S.EN_COURS}), S.ANNULEE, "cancelled_at", False
    ),
}

# What the person may do from their follow-up page.
PERSON_ACTIONS = frozenset({A.CANCEL, A.CLOSE})
OPEN_STATUSES = frozenset({S.NOUVELLE, S.ACCEPTEE, S.EN_COURS})


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


_SUBMISSION_SALT = "maillage.orientation.referral-submission"
FORM_EXPIRED = (
    "Ce formulaire a expiré (ou ne vient pas de ce site) : rien n'a été envoyé. Vérifiez vos "
    "réponses ci-dessous, elles sont conservées, puis envoyez à nouveau la demande."
)


def submission_key_new() -> str:
    """The one-time key of a freshly rendered form, signed by the site with its time, so that
    only forms this site handed out (in the last MAILLAGE_REFERRAL_FORM_HOURS) are taken."""
    return signing.TimestampSigner(salt=_SUBMISSION_SALT).sign(secrets.token_urlsafe(24))


def submission_key_valid(submission_key: str) -> bool:
    """The key was made by `submission_key_new` on this site and has not expired."""
    if not submission_key or len(submission_key) > 100:
        return False
    try:
        signing.TimestampSigner(salt=_SUBMISSION_SALT).unsign(
            submission_key, max_age=timedelta(hours=settings.MAILLAGE_REFERRAL_FORM_HOURS)
        )
    except signing.BadSignature:  # SignatureExpired is one
        return False
    return True


def follow_token_for(submission_key: str) -> str:
    """The follow-up token of the referral created by this form submission.

    Derived from the one-time key with the site's secret, so a double submit or a retry
    shows the same private link; only its hash is stored, like a password-reset token.
    """
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"referral-follow:{submission_key}".encode(), "sha256"
    ).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def referral_submitted(submission_key: str) -> bool:
    """This form was already submitted (a double click or a retry)."""
    return Referral.objects.filter(submission_key_hash=_sha256(submission_key)).exists()


def follow_token_hash(token: str) -> str:
    return _sha256(token)


def referral_by_token(token: str) -> Referral | None:
    """The referral behind a follow-up link, or None (the caller answers 404, no hint)."""
    if not token or len(token) > 100 or not token.replace("-", "").replace("_", "").isalnum():
        return None
    return (
        Referral.objects.select_related("service", "structure", "categorie")
        .filter(token_hash=follow_token_hash(token), purged_at__isnull=True)
        .first()
    )


# Notifications.


def referral_manager_emails(referral: Referral) -> list[str]:
    """Who hears of a referral: the structure's managers; else the structure's own addresses;
    else the administrators of a territory holding the person's commune."""
    managers = User.objects.filter(
        is_active=True,
        roles__role=Role.STRUCTURE_MANAGER,
        roles__structure_id=referral.structure_id or 0,
    )
    emails = sorted(set(managers.values_list("email", flat=True)))
    if emails:
        return emails
    if referral.structure is not None:
        emails = sorted(
            {e for e in referral.structure.courriels if isinstance(e, str) and "@" in e}
        )
        if emails:
            return emails
    if referral.commune_id is not None:
        admins = User.objects.filter(
            is_active=True,
            roles__role=Role.TERRITORY_ADMIN,
            roles__territoire__communes=referral.commune_id,
        )
        return sorted(set(admins.values_list("email", flat=True)))
    return []


def _espace_url(referral: Referral, base_url: str) -> str:
    return (base_url or settings.MAILLAGE_BASE_URL) + reverse(
        "referrals_espace:detail", args=[referral.pk]
    )


def _service_name(referral: Referral) -> str:
    return referral.service.nom if referral.service else "un service"


def _notify_managers(referral: Referral, *, base_url: str, reminder: bool = False) -> int:
    """No personal data in this e-mail: the service's name and a link to the space."""
    recipients = referral_manager_emails(referral)
    if not recipients:
        logger.warning("referral %s: nobody to notify", referral.pk)
        return 0
    url = _espace_url(referral, base_url)
    if reminder:
        subject = "[Maillage] Rappel : une demande de mise en relation attend votre réponse"
        intro = (
            "Une demande de mise en relation reçue le "
            f"{timezone.localtime(referral.created_at):%d/%m/%Y} attend toujours votre réponse"
        )
    else:
        subject = "[Maillage] Nouvelle demande de mise en relation"
        intro = "Vous avez reçu une nouvelle demande de mise en relation"
    body = (
        f"Bonjour,\n\n{intro} pour le service « {_service_name(referral)} ».\n\n"
        f"Consultez-la et répondez depuis votre espace : {url}\n\n"
        "Par précaution, ce message ne contient aucune donnée personnelle.\n"
    )
    transaction.on_commit(lambda: send_mail(subject, body, None, recipients, fail_silently=True))
    return len(recipients)


def _notify_person(referral: Referral, *, subject: str, body: str) -> None:
    if not referral.courriel or referral.is_purged:
        return
    email = referral.courriel
    transaction.on_commit(lambda: send_mail(subject, body, None, [email], fail_silently=True))


# Creation.


@dataclass(frozen=True)
class ReferralCreated:
    referral: Referral
    token: str  # the follow-up token, shown once and e-mailed; never stored in clear
    created: bool  # False when the same form was already submitted


def referral_category(
    *, service: Service, ticked: list[str], besoin: str, profil: str
) -> str | None:
    """The category a referral is counted under in the statistics: the first category the
    person ticked; when none was ticked, the best of the engine's understood categories
    (`engine.need_categories`, same need and profile as the journey) that the service offers;
    else None, and `referral_create` takes the service's first category."""
    if ticked:
        code = ticked[0]
        if service.categories.filter(code=code).exists():
            return code
        return code if Categorie.objects.filter(code=code).exists() else None
    if not besoin.strip():
        return None
    offered = set(service.categories.values_list("code", flat=True))
    try:
        understood = need_categories(besoin=besoin, profil=profil)
    except OrientationError:
        return None
    return next((c["code"] for c in understood if c["code"] in offered), None)


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
    key_hash = _sha256(submission_key)
    token = follow_token_for(submission_key)
    existing = Referral.objects.filter(submission_key_hash=key_hash).first()
    if existing is not None:
        # A double click or a retry, even after the key has expired: the same referral.
        return ReferralCreated(existing, token, created=False)
    if not submission_key_valid(submission_key):
        raise ValidationError(FORM_EXPIRED, code="form_expired")
    if not categorie_code:
        first = service.categories.order_by("code").values_list("code", flat=True).first()
        categorie_code = first
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
        submission_key_hash=key_hash,
        created_at=now,
    )
    # Validate before the transaction: on SQLite, a read then a write in one transaction
    # cannot wait for the lock, a transaction that starts by writing can.
    referral.full_clean(exclude=["submission_key_hash", "token_hash"], validate_constraints=False)
    if not (referral.courriel or referral.telephone):
        raise ValidationError("Donnez une adresse e-mail ou un numéro de téléphone.")
    try:
        with transaction.atomic():
            referral.save(force_insert=True)
            ReferralEvent.objects.create(
                referral=referral,
                action=A.CREATE,
                to_status=S.NOUVELLE,
                author=referral.created_by,
                message="Demande transmise à la structure.",
                created_at=now,
            )
            _notify_managers(referral, base_url=base_url)
            if referral.courriel:
                follow_url = (base_url or settings.MAILLAGE_BASE_URL) + reverse(
                    "referrals:follow", args=[token]
                )
                _notify_person(
                    referral,
                    subject="[Maillage] Votre demande de mise en relation",
                    body=(
                        "Bonjour,\n\nVotre demande de mise en relation avec le service "
                        f"« {_service_name(referral)} » a bien été transmise.\n\n"
                        f"Suivez-la avec ce lien personnel (ne le partagez pas) : {follow_url}\n\n"
                        "Vos coordonnées sont effacées "
                        f"{settings.MAILLAGE_REFERRAL_RETENTION_DAYS} jours après la clôture "
                        "de la demande.\n"
                    ),
                )
    except IntegrityError:
        # The same form arrived twice at the same moment: the other request created it.
        existing = Referral.objects.filter(submission_key_hash=key_hash).first()
        if existing is None:
            raise
        return ReferralCreated(existing, token, created=False)
    logger.info("referral %s created for service %s", referral.pk, service.pk)
    return ReferralCreated(referral, token, created=True)


# The workflow.


def _error_for(referral_status: str, action: str) -> ValidationError:
    current = ReferralStatus(referral_status).label
    verb = ReferralAction(action).label.lower()
    return ValidationError(
        f"Action impossible : on ne peut pas « {verb} » une demande au statut « {current} »."
    )


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
    """Move a referral along the workflow; raises ValidationError (in French) when the
    action is not allowed from the current status, or when a concurrent action got there
    first. `user` is None when the person acts from their follow-up link."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError("Action inconnue.")
    if referral.is_purged:
        raise ValidationError("Cette demande est archivée : elle ne peut plus changer.")
    message = message.strip()
    if action == A.REFUSE and not message:
        raise ValidationError("Dites à la personne pourquoi vous refusez sa demande.")
    if action == A.CLOSE and outcome not in ReferralOutcome.values:
        raise ValidationError("Indiquez si la demande est résolue ou non.")
    if action != A.CLOSE:
        outcome = ""
    if action == A.REORIENT:
        if new_service is None:
            raise ValidationError("Choisissez le service vers lequel réorienter la demande.")
        if new_service.pk == referral.service_id:
            raise ValidationError("Choisissez un autre service que celui de la demande.")
    if referral.status not in transition.sources:
        raise _error_for(referral.status, action)

    now = timezone.now()
    changes: dict[str, object] = {
        "status": transition.target,
        "outcome": outcome,
        transition.stamp: now,
    }
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
        if action == A.REORIENT and new_service is not None:
            locked.reoriented_to = _reorient_copy(locked, new_service, user=user, now=now)
            locked.save(update_fields=["reoriented_to"])
        ReferralEvent.objects.create(
            referral=locked,
            action=action,
            from_status=referral.status,
            to_status=transition.target,
            message=message,
            author=user,
            created_at=now,
        )
        if action == A.REORIENT and locked.reoriented_to is not None:
            _notify_managers(locked.reoriented_to, base_url=base_url)
        if user is not None:
            _notify_person(
                locked,
                subject="[Maillage] Votre demande de mise en relation a évolué",
                body=_status_mail_body(locked, message),
            )
    logger.info(
        "referral %s: %s -> %s by %s",
        referral.pk,
        referral.status,
        transition.target,
        f"user {user.pk}" if user else "the person",
    )
    return locked


def _status_mail_body(referral: Referral, message: str) -> str:
    body = (
        "Bonjour,\n\nVotre demande de mise en relation avec le service "
        f"« {_service_name(referral)} » est maintenant : {referral.status_label}.\n"
    )
    if referral.reoriented_to is not None:
        body += (
            "Elle a été transmise à un autre service : "
            f"« {_service_name(referral.reoriented_to)} ».\n"
        )
    if message:
        body += f"\nMessage de la structure :\n{message}\n"
    body += "\nSuivez-la avec le lien personnel reçu lors de votre demande.\n"
    return body


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
        submission_key_hash=_sha256(secrets.token_urlsafe(24)),
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
    if referral.is_purged:
        raise ValidationError("Cette demande est archivée : elle ne peut plus changer.")
    event = ReferralEvent(
        referral=referral, action=A.NOTE, message=message, public=False, author=user
    )
    event.full_clean()
    event.save()
    return event


def referral_chain(referral: Referral) -> list[Referral]:
    """The referral and those it was reoriented to, in order (what the person follows)."""
    chain = [referral]
    seen = {referral.pk}
    current = referral
    while current.reoriented_to_id and current.reoriented_to_id not in seen:
        nxt = Referral.objects.select_related("service", "structure").get(
            pk=current.reoriented_to_id
        )
        chain.append(nxt)
        seen.add(nxt.pk)
        current = nxt
    return chain


# Reminders.


def referrals_to_remind(now: datetime | None = None) -> QuerySet[Referral]:
    now = now or timezone.now()
    delay = timedelta(hours=settings.MAILLAGE_REFERRAL_REMINDER_HOURS)
    return Referral.objects.filter(
        status=S.NOUVELLE,
        purged_at__isnull=True,
        reminder_count__lt=settings.MAILLAGE_REFERRAL_REMINDER_MAX,
        created_at__lte=now - delay,
    ).filter(Q(reminded_at__isnull=True) | Q(reminded_at__lte=now - delay))


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
            _notify_managers(referral, base_url=base_url, reminder=True)
        count += 1
    logger.info("referrals reminded: %d", count)
    return count


# Retention.


PERSONAL_FIELDS = {"nom": "", "courriel": "", "telephone": "", "besoin": "", "token_hash": None}


def referrals_expired(now: datetime | None = None) -> QuerySet[Referral]:
    """Referrals whose personal data is past retention: counted from closure (or refusal,
    réorientation, cancellation), or from creation plus a grace period when never closed."""
    now = now or timezone.now()
    retention = timedelta(days=settings.MAILLAGE_REFERRAL_RETENTION_DAYS)
    grace = timedelta(days=settings.MAILLAGE_REFERRAL_GRACE_DAYS)
    ended = Coalesce("closed_at", "cancelled_at", "reoriented_at", "refused_at")
    return (
        Referral.objects.filter(purged_at__isnull=True)
        .annotate(ended_at=ended)
        .filter(
            Q(ended_at__lt=now - retention)
            | Q(ended_at__isnull=True, created_at__lt=now - retention - grace)
        )
    )


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
