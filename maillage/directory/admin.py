from typing import Any

from django.contrib import admin, messages
from django.db.models import Model, QuerySet, URLField
from django.forms import ModelForm
from django.http import HttpRequest

from maillage.observatory.services import indicators_recompute_request

from .models import (
    Categorie,
    DuplicateCandidate,
    ImportRun,
    Lieu,
    Service,
    Source,
    SourceRecord,
    Structure,
)
from .services import duplicate_decide
from .services.history import INDICATOR_FIELDS


class DirectoryAdmin(admin.ModelAdmin):
    """Addresses typed without a scheme are read as https, as in the management space."""

    formfield_overrides = {URLField: {"assume_scheme": "https"}}


@admin.register(Categorie)
class CategorieAdmin(admin.ModelAdmin):
    list_display = ["libelle", "code", "famille"]
    list_filter = ["famille"]
    search_fields = ["code", "libelle", "exemples"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["nom", "slug", "licence"]
    search_fields = ["nom", "slug"]


@admin.register(Structure)
class StructureAdmin(DirectoryAdmin):
    list_display = ["nom", "pivot"]
    search_fields = ["nom", "pivot"]


class RecomputesIndicators(DirectoryAdmin):
    """Lieux and services edited here change the observatory's counts and distances: a
    creation, a deletion or a change of a field the indicators read queues a recompute
    (coalesced, see `indicators_recompute_request`)."""

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        # The same fields as a manager's edit in the management space (services.history).
        if not change or set(form.changed_data) & INDICATOR_FIELDS[self.model]:
            indicators_recompute_request()

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        super().delete_model(request, obj)
        indicators_recompute_request()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        super().delete_queryset(request, queryset)
        indicators_recompute_request()


@admin.register(Lieu)
class LieuAdmin(RecomputesIndicators):
    list_display = ["nom", "commune", "placement", "itinerant", "date_maj"]
    list_filter = ["placement", "itinerant"]
    search_fields = ["nom", "adresse", "code_postal"]
    raw_id_fields = ["structure", "commune"]
    list_select_related = ["commune"]


@admin.register(Service)
class ServiceAdmin(RecomputesIndicators):
    list_display = ["nom", "structure"]
    search_fields = ["nom"]
    filter_horizontal = ["categories"]
    raw_id_fields = ["structure", "lieux", "communes_desservies"]


@admin.register(SourceRecord)
class SourceRecordAdmin(admin.ModelAdmin):
    list_display = ["source", "identifiant", "lieu", "date_maj", "last_changed"]
    list_filter = ["source"]
    search_fields = ["identifiant"]
    raw_id_fields = ["lieu", "service"]


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["source", "fichier", "status", "started_at", "counts"]
    list_filter = ["status", "source"]
    readonly_fields = [f.name for f in ImportRun._meta.fields]


@admin.register(DuplicateCandidate)
class DuplicateCandidateAdmin(admin.ModelAdmin):
    """The review queue: pairs the deduplication was not sure about."""

    list_display = ["lieu", "autre", "score", "status", "decided_by", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["lieu__commune", "autre__commune", "decided_by"]
    raw_id_fields = ["lieu", "autre"]
    readonly_fields = ["lieu", "autre", "score", "status", "decided_by", "decided_at"]
    actions = ["merge", "separate"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def _decide(self, request: HttpRequest, queryset: QuerySet, merge: bool) -> None:
        done = 0
        for candidate in queryset.filter(status=DuplicateCandidate.Status.PENDING):
            duplicate_decide(candidate=candidate, merge=merge, user=request.user)
            done += 1
        verb = "fusionnée(s)" if merge else "séparée(s)"
        self.message_user(request, f"{done} paire(s) {verb}.", messages.SUCCESS)

    @admin.action(description="Fusionner : c'est le même lieu")
    def merge(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._decide(request, queryset, merge=True)

    @admin.action(description="Séparer : ce sont deux lieux différents")
    def separate(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._decide(request, queryset, merge=False)
