"""The e-mails of a mise en relation, written as templates in `templates/referrals/emails/`.

They leave after the commit (`transaction.on_commit`). The e-mails to the structures carry no
personal data: the service's name and a link to the management space. Links start with the
request's address, or `MAILLAGE_BASE_URL` outside a request (reminders).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from .models import Referral
from .selectors import referral_recipients

logger = logging.getLogger(__name__)


def _render(name: str, context: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) of `referrals/emails/<name>.txt` and its `_subject.txt`."""
    subject = render_to_string(f"referrals/emails/{name}_subject.txt", context)
    body = render_to_string(f"referrals/emails/{name}.txt", context)
    return " ".join(subject.split()), body


def _send_after_commit(name: str, context: dict[str, Any], recipients: list[str]) -> None:
    subject, body = _render(name, context)
    transaction.on_commit(lambda: send_mail(subject, body, None, recipients, fail_silently=True))


def _service_name(referral: Referral) -> str:
    return referral.service.nom if referral.service else "un service"


def _absolute(path: str, base_url: str) -> str:
    return (base_url or settings.MAILLAGE_BASE_URL) + path


def notify_managers(referral: Referral, *, base_url: str = "", reminder: bool = False) -> int:
    """Tell the structure (see `selectors.referral_recipients`) of a new referral, or remind
    it of one left unanswered; returns how many addresses were written to."""
    recipients = referral_recipients(referral)
    if not recipients:
        logger.warning("referral %s: nobody to notify", referral.pk)
        return 0
    context = {
        "referral": referral,
        "service_name": _service_name(referral),
        "espace_url": _absolute(reverse("referrals_espace:detail", args=[referral.pk]), base_url),
    }
    _send_after_commit("reminder" if reminder else "new_referral", context, recipients)
    return len(recipients)


def notify_person_created(referral: Referral, *, token: str, base_url: str = "") -> None:
    """The person's private follow-up link, when they gave an e-mail."""
    if not referral.courriel or referral.is_purged:
        return
    context = {
        "service_name": _service_name(referral),
        "follow_url": _absolute(reverse("referrals:follow", args=[token]), base_url),
        "retention_days": settings.MAILLAGE_REFERRAL_RETENTION_DAYS,
    }
    _send_after_commit("person_created", context, [referral.courriel])


def notify_person_status(referral: Referral, *, message: str) -> None:
    """The new status and the structure's message, when the person gave an e-mail."""
    if not referral.courriel or referral.is_purged:
        return
    reoriented = referral.reoriented_to
    context = {
        "referral": referral,
        "service_name": _service_name(referral),
        "reoriented_name": _service_name(reoriented) if reoriented is not None else "",
        "message": message,
    }
    _send_after_commit("person_status", context, [referral.courriel])
