"""Permission predicates: plain functions of a user and an object."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .enums import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from maillage.territories.models import Territoire

    from .models import User


def has_role(user: User | AnonymousUser, role: Role) -> bool:
    if not user.is_authenticated:
        return False
    return user.roles.filter(role=role).exists()


def administered_territoire_ids(user: User | AnonymousUser) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(user.roles.filter(role=Role.TERRITORY_ADMIN).values_list("territoire_id", flat=True))


def can_administer_territoire(user: User | AnonymousUser, territoire: Territoire) -> bool:
    """Superusers administer everything; a territorial administrator only their territories."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return territoire.pk in administered_territoire_ids(user)


def is_curator(user: User | AnonymousUser) -> bool:
    """Curates the whole directory: a superuser or any territorial administrator."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or has_role(user, Role.TERRITORY_ADMIN)


def managed_structure_ids(user: User | AnonymousUser) -> set[int]:
    """The structures a structure manager keeps (empty for anyone else)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    return set(
        user.roles.filter(role=Role.STRUCTURE_MANAGER, structure__isnull=False).values_list(
            "structure_id", flat=True
        )
    )


def can_manage_structure(user: User | AnonymousUser, structure_id: int | None) -> bool:
    """Edit a structure, its lieux and its services: its managers and the curators."""
    if structure_id is None:
        return False
    return is_curator(user) or structure_id in managed_structure_ids(user)


def can_use_espace(user: User | AnonymousUser) -> bool:
    """Has something to do in the management space."""
    return is_curator(user) or bool(managed_structure_ids(user))


def can_import(user: User | AnonymousUser) -> bool:
    """Upload files into the directory: the curators only."""
    return is_curator(user)
