"""The Django admin of the directory. Structures, lieux and services saved or deleted here go
through the change pipeline like every other writer (history, full-text index, listeners):
an edit made here is found by search and wins over newer imports, as in the management space.
"""

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet, URLField
from django.forms import ModelForm
from django.http import HttpRequest

from maillage.core.espace import espace_user

from .changes import ChangeOrigin, changes_between, directory_changed, snapshot
from .enums import RevisionAction
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


class DirectoryAdmin(admin.ModelAdmin):
    """Addresses typed without a scheme are read as https, as in the management space."""

    formfield_overrides = {URLField: {"assume_scheme": "https"}}


class ThroughChangePipeline(DirectoryAdmin):
    """Saves and deletions of directory objects go through `changes.directory_changed`.

    `save_model` reads the stored values of the fields the form changed (many-to-many ones
    are only written by `save_related`), `save_related` records the difference once every
    relation is saved; a deletion is announced just before it happens, as the pipeline asks.
    """

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        names = [n for n in form.changed_data if n in {f.name for f in obj._meta.get_fields()}]
        stored = type(obj).objects.filter(pk=obj.pk).first() if change else None
        form._directory_before = snapshot(stored, names) if stored is not None else {}  # type: ignore[attr-defined]
        form._directory_fields = names  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        obj = form.instance
        if not change:
            directory_changed(
                obj=obj,
                action=RevisionAction.CREATE,
                user=espace_user(request),
                origin=ChangeOrigin.ADMIN,
            )
            return
        before = getattr(form, "_directory_before", {})
        after = snapshot(obj, getattr(form, "_directory_fields", []))
        directory_changed(
            obj=obj,
            action=RevisionAction.UPDATE,
            changes=changes_between(before, after),
            user=espace_user(request),
            origin=ChangeOrigin.ADMIN,
        )

    @transaction.atomic
    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        directory_changed(
            obj=obj,
            action=RevisionAction.DELETE,
            user=espace_user(request),
            origin=ChangeOrigin.ADMIN,
        )
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        objs = list(queryset)
        if objs:
            directory_changed(
                objs=objs,
                action=RevisionAction.DELETE,
                user=espace_user(request),
                origin=ChangeOrigin.ADMIN,
            )
        super().delete_queryset(request, queryset)


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
class StructureAdmin(ThroughChangePipeline):
    list_display = ["nom", "pivot"]
    search_fields = ["nom", "pivot"]


@admin.register(Lieu)
class LieuAdmin(ThroughChangePipeline):
    list_display = ["nom", "commune", "placement", "itinerant", "date_maj"]
    list_filter = ["placement", "itinerant"]
    search_fields = ["nom", "adresse", "code_postal"]
    raw_id_fields = ["structure", "commune"]
    list_select_related = ["commune"]


@admin.register(Service)
class ServiceAdmin(ThroughChangePipeline):
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
