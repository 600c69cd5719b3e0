"""Reads of the management space: what a user may curate, fetched and authorized."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from maillage.accounts.permissions import can_manage_structure, is_curator, managed_structure_ids

from .enums import SignalementStatus
from .models import Lieu, Service, Signalement, Structure
from .selectors import COMMUNE_HEAVY

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from maillage.accounts.models import User

    AnyUser = User | AnonymousUser


def structures_for(user: AnyUser, q: str = "") -> QuerySet[Structure]:
    """The structures a user curates: all for a curator, their own for a manager."""
    structures = Structure.objects.all()
    if not is_curator(user):
        structures = structures.filter(pk__in=managed_structure_ids(user))
    if q:
        structures = structures.filter(Q(nom__icontains=q) | Q(pivot=q.replace(" ", "")))
    return structures.annotate(
        nb_lieux=Count("lieux", distinct=True), nb_services=Count("services", distinct=True)
    ).order_by("nom")


def signalements_for(user: AnyUser, status: str = SignalementStatus.OPEN) -> QuerySet[Signalement]:
    signalements = Signalement.objects.select_related("lieu", "lieu__structure").only(
        "id",
        "sujet",
        "status",
        "created_at",
        "message",
        "lieu__id",
        "lieu__nom",
        "lieu__structure__id",
        "lieu__structure__nom",
    )
    if status:
        signalements = signalements.filter(status=status)
    if not is_curator(user):
        signalements = signalements.filter(lieu__structure_id__in=managed_structure_ids(user))
    return signalements


def access_structure(user: AnyUser, pk: int) -> Structure:
    structure = get_object_or_404(Structure, pk=pk)
    if not can_manage_structure(user, structure.pk):
        raise PermissionDenied("Vous ne gérez pas cette structure.")
    return structure


def access_lieu(user: AnyUser, pk: int) -> Lieu:
    lieu = get_object_or_404(
        Lieu.objects.select_related("structure", "commune").defer(*COMMUNE_HEAVY), pk=pk
    )
    if not can_manage_structure(user, lieu.structure_id):
        raise PermissionDenied("Vous ne gérez pas la structure de ce lieu.")
    return lieu


def access_service(user: AnyUser, pk: int) -> Service:
    service = get_object_or_404(Service.objects.select_related("structure"), pk=pk)
    if not can_manage_structure(user, service.structure_id):
        raise PermissionDenied("Vous ne gérez pas la structure de ce service.")
    return service


def access_signalement(user: AnyUser, pk: int) -> Signalement:
    signalement = get_object_or_404(
        Signalement.objects.select_related("lieu", "lieu__structure", "closed_by"), pk=pk
    )
    if not can_manage_structure(user, signalement.lieu.structure_id):
        raise PermissionDenied("Ce signalement concerne une structure que vous ne gérez pas.")
    return signalement
