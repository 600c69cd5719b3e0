from django.contrib import admin
from django.http import HttpRequest

from maillage.core.admin import ReadOnlyAdmin

from .models import Referral, ReferralEvent


class _SuperuserReadOnly(ReadOnlyAdmin):
    """Read-only, for superusers only: the cases are handled in the structures' space."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)


@admin.register(Referral)
class ReferralAdmin(_SuperuserReadOnly):
    # No personal column in lists, no search on personal fields.
    list_display = ["__str__", "structure", "categorie", "status", "outcome", "created_at"]
    list_filter = ["status", "outcome"]
    list_select_related = ["structure", "categorie"]
    exclude = ["token_hash", "submission_key_hash"]
    raw_id_fields = ["service", "structure", "commune", "created_by", "reoriented_to"]


@admin.register(ReferralEvent)
class ReferralEventAdmin(_SuperuserReadOnly):
    list_display = ["__str__", "action", "from_status", "to_status", "created_at"]
    list_filter = ["action"]
    raw_id_fields = ["referral", "author"]
