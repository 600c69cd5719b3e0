from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from .enums import Role
from .models import RoleAssignment, User

if TYPE_CHECKING:
    from maillage.directory.models import Structure
    from maillage.territories.models import Territoire


@transaction.atomic
def role_grant(
    *,
    user: User,
    role: Role,
    territoire: Territoire | None = None,
    structure: Structure | None = None,
) -> RoleAssignment:
    """Give `user` a role with its scope (a territory, or a structure for its managers);
    territorial administrators get back-office access with it."""
    assignment = RoleAssignment(user=user, role=role, territoire=territoire, structure=structure)
    assignment.full_clean(validate_unique=False)
    assignment, _ = RoleAssignment.objects.get_or_create(
        user=user, role=role, territoire=territoire, structure=structure
    )
    if role == Role.TERRITORY_ADMIN and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return assignment
