"""Management-space pages to write a source's column mapping from a sample of its files.

Upload a sample → its columns are listed → pick one for each standard field → save. Only
superusers and territorial administrators reach these pages.
"""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from maillage.accounts.permissions import is_curator

from ..imports import FileFormatError, read_table
from ..models import ColumnMapping, Source
from ..services.mappings import column_mapping_save
from .forms import MappingForm, MappingSampleForm


def _authorize(request: HttpRequest) -> None:
    """Column mappings are the curators' work (superusers and territorial administrators)."""
    if not is_curator(request.user):
        raise PermissionDenied


def mapping_list(request: HttpRequest) -> HttpResponse:
    _authorize(request)
    sources = Source.objects.select_related("column_mapping").order_by("nom")
    rows = [(source, getattr(source, "column_mapping", None)) for source in sources]
    return render(
        request,
        "directory/espace/mapping_list.html",
        {"rows": rows, "title": "Correspondances de colonnes"},
    )


@require_http_methods(["GET", "POST"])
def mapping_edit(request: HttpRequest, slug: str) -> HttpResponse:
    _authorize(request)
    source = get_object_or_404(Source, slug=slug)
    saved = ColumnMapping.objects.filter(source=source).first()
    context: dict[str, object] = {
        "source": source,
        "saved": saved,
        "title": f"Correspondance de colonnes — {source.nom}",
    }
    if request.method == "POST" and "echantillon" in request.FILES:
        sample_form = MappingSampleForm(request.POST, request.FILES)
        if sample_form.is_valid():
            options = sample_form.cleaned_data["options"]
            try:
                table = read_table(
                    sample_form.cleaned_data["echantillon"].read(),
                    sample_form.cleaned_data["echantillon"].name,
                    encoding=options.get("encodage"),
                    separator=options.get("separateur"),
                    sheet=options.get("feuille"),
                    records_path=options.get("chemin_enregistrements"),
                )
            except FileFormatError as exc:
                sample_form.add_error("echantillon", str(exc))
            else:
                initial = _initial(saved)
                if options:
                    initial["options"] = json.dumps(options, ensure_ascii=False)
                form = MappingForm(columns=table.columns, initial=initial)
                context.update(form=form, columns=table.columns, preview=table.rows[:3])
                return render(request, "directory/espace/mapping_edit.html", context)
        context["sample_form"] = sample_form
        return render(request, "directory/espace/mapping_edit.html", context)
    if request.method == "POST":
        columns = request.POST.getlist("colonnes_fichier")
        form = MappingForm(request.POST, columns=columns)
        if form.is_valid():
            column_mapping_save(
                source_name=source.nom, source=source, mapping=form.mapping, user=request.user
            )
            return redirect("directory_espace:mapping_edit", slug=source.slug)
        context.update(form=form, columns=columns)
        return render(request, "directory/espace/mapping_edit.html", context)
    context["sample_form"] = MappingSampleForm()
    return render(request, "directory/espace/mapping_edit.html", context)


def _initial(saved: ColumnMapping | None) -> dict[str, str]:
    if saved is None:
        return {}
    initial = {
        f"colonne_{name}": column
        for name, column in saved.colonnes.items()
        if isinstance(column, str)
    }
    if saved.valeurs:
        initial["valeurs"] = json.dumps(saved.valeurs, ensure_ascii=False, indent=1)
    if saved.options:
        initial["options"] = json.dumps(saved.options, ensure_ascii=False, indent=1)
    return initial
