from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from maillage.core.admin import ReadOnlyAdmin

from .models import LexiconEntry, LexiconVersion
from .services import lexicon_entry_delete, lexicon_entry_save


def _user(request: HttpRequest):  # type: ignore[no-untyped-def]
    return request.user if request.user.is_authenticated else None


@admin.register(LexiconEntry)
class LexiconEntryAdmin(admin.ModelAdmin):
    list_display = ["texte", "categorie", "kind", "poids", "actif", "updated_at"]
    list_filter = ["kind", "actif", "categorie__famille", "categorie"]
    search_fields = ["texte", "categorie__code", "categorie__libelle"]
    list_select_related = ["categorie"]

    def save_model(
        self, request: HttpRequest, obj: LexiconEntry, form: ModelForm, change: bool
    ) -> None:
        lexicon_entry_save(entry=obj, user=_user(request))

    def delete_model(self, request: HttpRequest, obj: LexiconEntry) -> None:
        lexicon_entry_delete(entries=[obj], user=_user(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[LexiconEntry]) -> None:
        lexicon_entry_delete(entries=list(queryset), user=_user(request))


@admin.register(LexiconVersion)
class LexiconVersionAdmin(ReadOnlyAdmin):
    list_display = ["numero", "resume", "created_by", "created_at"]
    readonly_fields = ["numero", "resume", "created_by", "created_at"]
