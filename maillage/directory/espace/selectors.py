"""Reads of the directory's management space: what a user may curate, fetched and authorized,
and the directory's part of the space's home."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from maillage.accounts.permissions import can_manage_structure, is_curator, managed_structure_ids

from ..enums import SignalementStatus
from ..models import ImportRun, Lieu, Service, Signalement, Structure
from ..selectors import COMMUNE_HEAVY

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


def espace_summary(
    user: AnyUser,
    *,
    q: str = "",
    page: str | None = None,
    page_signalements: str | None = None,
) -> dict[str, Any]:
    """The directory's part of the management-space home: a manager's structures, lieux,
    services and open reports; every structure (searchable) and the last imports for a
    curator. `q` searches the structures, `page` and `page_signalements` page the lists."""
    curator = is_curator(user)
    structures = Paginator(structures_for(user, q), 20).get_page(page)
    signalements = Paginator(signalements_for(user), 20).get_page(page_signalements)
    lieux: list[Lieu] = []
    services: list[Service] = []
    if not curator:
        ids = [s.pk for s in structures]
        lieux = list(
            Lieu.objects.filter(structure_id__in=ids)
            .select_related("commune")
            .defer(*COMMUNE_HEAVY)
            .order_by("nom")
        )
        services = list(Service.objects.filter(structure_id__in=ids).order_by("nom"))
    return {
        "curator": curator,
        "q": q,
        "structures_extra": f"q={quote(q)}&" if q else "",
        "structures": structures,
        "lieux": lieux,
        "services": services,
        "signalements": signalements,
        "imports": list(
            ImportRun.objects.select_related("source").defer("donnees", "rapport", "modifications")[
                :5
            ]
        )
        if curator
        else [],
    }
