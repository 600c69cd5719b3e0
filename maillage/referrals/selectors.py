"""Reads of the mises en relation: who sees which case (`access_referral`), the person's
link, the cases to remind or purge, and the statistics (their pure part in `statistics.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from maillage.accounts.enums import Role
from maillage.accounts.models import User
from maillage.accounts.permissions import (
    administered_territoire_ids,
    is_curator,
    managed_structure_ids,
)
from maillage.directory.models import Service

from .enums import ReferralStatus
from .models import Referral
from .statistics import StatInput, Statistics, statistics_tables
from .tokens import follow_token_hash, follow_token_well_formed, submission_key_hash
from .workflow import Actor, allowed_actions

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    AnyUser = User | AnonymousUser

S = ReferralStatus


def _referrals_for(user: AnyUser, structures: set[int]) -> QuerySet[Referral]:
    if not user.is_authenticated or not user.is_active:
        return Referral.objects.none()
    return (
        Referral.objects.filter(Q(structure_id__in=structures) | Q(created_by=user))
        .select_related("service", "structure", "categorie", "commune")
        .defer("commune__contour")
    )


def referrals_for(user: AnyUser) -> QuerySet[Referral]:
    """The cases a user may open: those sent to a structure they manage, and those they
    created as a conseiller. Territory administrators get no case here, only statistics."""
    return _referrals_for(user, managed_structure_ids(user))


def referrals_created_by(user: AnyUser) -> QuerySet[Referral]:
    """The cases a conseiller created for the people they help, newest first."""
    if not user.is_authenticated or not user.is_active:
        return Referral.objects.none()
    return (
        Referral.objects.filter(created_by=user)
        .select_related("service", "structure")
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class ReferralAccess:
    referral: Referral
    can_act: bool  # a manager of the receiving structure: accept, refuse, close…
    is_creator: bool  # the conseiller who created the case: read and add notes

    @property
    def actions(self) -> frozenset[str]:
        """What this user may do now, from the workflow's table (none for the conseiller)."""
        if not self.can_act or self.referral.is_purged:
            return frozenset()
        return allowed_actions(self.referral.status, Actor.STRUCTURE)


def access_referral(user: AnyUser, pk: int) -> ReferralAccess:
    """Fetch a case and say what the user may do with it; 404 for anyone else (the case's
    existence is not revealed)."""
    structures = managed_structure_ids(user)
    referral = (
        _referrals_for(user, structures).select_related("reoriented_to__service").filter(pk=pk)
    ).first()
    if referral is None:
        raise Http404("Aucune mise en relation à cette adresse.")
    return ReferralAccess(
        referral,
        can_act=referral.structure_id in structures,
        is_creator=referral.created_by_id == user.pk,
    )


def can_read_referral_statistics(user: AnyUser) -> bool:
    return is_curator(user)


def referral_count_new(user: AnyUser) -> int:
    """New cases waiting for one of the user's structures (the space's home link)."""
    ids = managed_structure_ids(user)
    if not ids:
        return 0
    return Referral.objects.filter(structure_id__in=ids, status=S.NOUVELLE).count()


# The person's side.


def referral_by_token(token: str) -> Referral | None:
    """The referral behind a follow-up link, or None (the caller answers 404, no hint)."""
    if not follow_token_well_formed(token):
        return None
    return (
        Referral.objects.select_related("service", "structure", "categorie")
        .filter(token_hash=follow_token_hash(token), purged_at__isnull=True)
        .first()
    )


def referral_submitted(submission_key: str) -> bool:
    """This form was already submitted (a double click or a retry)."""
    return Referral.objects.filter(submission_key_hash=submission_key_hash(submission_key)).exists()


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


def referral_recipients(referral: Referral) -> list[str]:
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


# Batches: reminders and retention.


def referrals_to_remind(now: datetime | None = None) -> QuerySet[Referral]:
    """Referrals left `nouvelle` longer than the delay, reminded fewer times than the most."""
    now = now or timezone.now()
    delay = timedelta(hours=settings.MAILLAGE_REFERRAL_REMINDER_HOURS)
    return Referral.objects.filter(
        status=S.NOUVELLE,
        purged_at__isnull=True,
        reminder_count__lt=settings.MAILLAGE_REFERRAL_REMINDER_MAX,
        created_at__lte=now - delay,
    ).filter(Q(reminded_at__isnull=True) | Q(reminded_at__lte=now - delay))


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


# Statistics.


def _scope(user: AnyUser) -> QuerySet[Referral]:
    if user.is_superuser:
        return Referral.objects.all()
    territoires = administered_territoire_ids(user)
    return Referral.objects.filter(commune__territoires__in=territoires).distinct()


def referral_statistics(user: AnyUser, *, k: int | None = None) -> Statistics:
    """The statistics of the user's territories (everything for a superuser): see
    `statistics.statistics_tables`. Purged referrals count as well: they keep their
    statuses and dates."""
    rows = [
        StatInput(*values)
        for values in _scope(user).values_list(
            "status",
            "outcome",
            "structure__nom",
            "categorie__libelle",
            "created_at",
            "first_response_at",
        )
    ]
    return statistics_tables(rows, k=k or settings.MAILLAGE_REFERRAL_STATS_K)


# Reorientation: a simple search among services.


def services_for_reorientation(
    *, referral: Referral, q: str = "", categorie: str = "", commune_code: str = ""
) -> QuerySet[Service]:
    services = Service.objects.exclude(pk=referral.service_id or 0).select_related("structure")
    if categorie:
        services = services.filter(categories__code=categorie)
    if commune_code:
        services = services.filter(
            Q(lieux__commune__code=commune_code) | Q(communes_desservies__code=commune_code)
        )
    if q:
        services = services.filter(Q(nom__icontains=q) | Q(structure__nom__icontains=q))
    return services.distinct().order_by("nom")[:20]
