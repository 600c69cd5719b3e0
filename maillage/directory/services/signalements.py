"""Errors reported on a lieu: creation, notification of its curators, closing, retention.

E-mail addresses are personal data: they are never logged, only used to answer the reporter,
and blanked `MAILLAGE_SIGNALEMENT_RETENTION_DAYS` after the report is closed.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from maillage.accounts.enums import Role
from maillage.accounts.models import User
from maillage.core.purge import register_purge_step

from ..enums import SignalementStatus, SignalementTopic
from ..models import Lieu, Signalement

if TYPE_CHECKING:
    from django.db.models import QuerySet

logger = logging.getLogger(__name__)


def signalement_recipients(lieu: Lieu) -> list[str]:
    """Who hears of a report: the structure's managers, the administrators of a territory
    that holds the lieu's commune, and the superusers."""
    users = User.objects.filter(is_active=True).filter(
        Q(roles__role=Role.STRUCTURE_MANAGER, roles__structure_id=lieu.structure_id)
        | Q(roles__role=Role.TERRITORY_ADMIN, roles__territoire__communes=lieu.commune_id)
        | Q(is_superuser=True)
    )
    return sorted(set(users.values_list("email", flat=True)))


@transaction.atomic
def signalement_create(
    *, lieu: Lieu, sujet: str, message: str, courriel: str = "", base_url: str = ""
) -> Signalement:
    """Record a report and tell the lieu's curators by e-mail (after the commit)."""
    signalement = Signalement(lieu=lieu, sujet=sujet, message=message.strip(), courriel=courriel)
    signalement.full_clean()
    signalement.save()
    recipients = signalement_recipients(lieu)
    if recipients:
        url = base_url + reverse("directory_espace:signalement_detail", args=[signalement.pk])
        body = (
            f"Une erreur a été signalée sur la fiche « {lieu.nom} ».\n\n"
            f"Sujet : {SignalementTopic(sujet).label}\n"
            f"Message :\n{signalement.message}\n\n"
            f"Répondez et clôturez le signalement dans votre espace : {url}\n"
        )
        transaction.on_commit(
            lambda: send_mail(
                f"[Maillage] Erreur signalée : {lieu.nom}"[:150],
                body,
                None,
                recipients,
                fail_silently=True,
            )
        )
    logger.info("signalement %s created on lieu %s", signalement.pk, lieu.pk)
    return signalement


@transaction.atomic
def signalement_close(
    *, signalement: Signalement, user: User, status: str, reponse: str
) -> Signalement:
    """Close an open report with an answer; the reporter is told when they left an address."""
    if signalement.status != SignalementStatus.OPEN:
        raise ValidationError("Ce signalement est déjà clos.")
    if status not in (SignalementStatus.FIXED, SignalementStatus.REJECTED):
        raise ValidationError("Choisissez « Corrigé » ou « Sans suite ».")
    signalement.status = status
    signalement.reponse = reponse.strip()
    signalement.closed_at = timezone.now()
    signalement.closed_by = user
    signalement.full_clean()
    signalement.save()
    if signalement.courriel:
        email = signalement.courriel
        body = (
            f"Bonjour,\n\nMerci pour votre signalement sur la fiche « {signalement.lieu.nom} ».\n"
            f"Suite donnée : {SignalementStatus(status).label}.\n\n{signalement.reponse}\n\n"
            "Votre adresse sera effacée de nos données dans "
            f"{settings.MAILLAGE_SIGNALEMENT_RETENTION_DAYS} jours.\n"
        )
        transaction.on_commit(
            lambda: send_mail(
                "[Maillage] Votre signalement", body, None, [email], fail_silently=True
            )
        )
    logger.info("signalement %s closed as %s by user %s", signalement.pk, status, user.pk)
    return signalement


def _expired() -> QuerySet[Signalement]:
    limit = timezone.now() - timedelta(days=settings.MAILLAGE_SIGNALEMENT_RETENTION_DAYS)
    return (
        Signalement.objects.exclude(status=SignalementStatus.OPEN)
        .filter(closed_at__lt=limit)
        .exclude(courriel="")
    )


@register_purge_step("signalements")
def signalements_purge(wet_run: bool) -> int:
    """Blank the reporter's e-mail of reports closed longer ago than the retention period."""
    expired = _expired()
    if not wet_run:
        return expired.count()
    return expired.update(courriel="")
