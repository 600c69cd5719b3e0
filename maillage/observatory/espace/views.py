"""Observatory pages of the management space: administrators import indicators per commune."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from maillage.accounts.permissions import can_import
from maillage.core.espace import espace_breadcrumb
from maillage.directory.imports import FileFormatError

from .. import selectors
from ..services import indicateur_import
from .forms import IndicateurImportForm

#: Lines of the error report shown on the page; the total is always given.
REPORT_LINES_SHOWN = 200
#: What « Nouvelle date » carries over from the indicator already imported.
IMPORT_DESCRIPTION_FIELDS = ("code", "libelle", "unite", "source", "description")


def indicateurs(request: HttpRequest) -> HttpResponse:
    """Import an indicator from a CSV file (line-by-line report) and list those imported."""
    if not can_import(request.user):
        raise PermissionDenied("Seuls les administrateurs importent des indicateurs.")
    result = None
    status = 200
    if request.method == "POST":
        form = IndicateurImportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            upload = data["fichier"]
            try:
                result = indicateur_import(
                    data=upload.read(),
                    filename=upload.name,
                    code=data["code"],
                    libelle=data["libelle"],
                    unite=data["unite"],
                    source=data["source"],
                    on=data["date"],
                    colonne_commune=data["colonne_commune"] or None,
                    colonne_valeur=data["colonne_valeur"] or None,
                    description=data["description"],
                )
            except FileFormatError as exc:
                form.add_error("fichier", str(exc))
        if result is None:
            status = 400
    else:
        form = IndicateurImportForm(initial=_initial(request.GET.get("code", "")))
    context: dict[str, Any] = {
        "title": "Indicateurs importés",
        "form": form,
        "result": result,
        "errors_shown": result.errors[:REPORT_LINES_SHOWN] if result else [],
        "imported": selectors.imported_indicateur_list(),
        "breadcrumb_data": espace_breadcrumb("Indicateurs importés"),
    }
    return render(request, "observatory/espace/indicateurs.html", context, status=status)


def _initial(code: str) -> dict[str, Any]:
    """A new snapshot of an imported indicator starts from its description."""
    initial: dict[str, Any] = {"date": timezone.localdate()}
    indicateur = selectors.imported_indicateur_list().filter(code=code).first()
    if indicateur is not None:
        initial.update({name: getattr(indicateur, name) for name in IMPORT_DESCRIPTION_FIELDS})
    return initial
