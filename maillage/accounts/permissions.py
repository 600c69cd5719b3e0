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
