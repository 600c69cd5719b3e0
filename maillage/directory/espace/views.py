"""The directory's pages of the management space (/espace/…, namespace `directory_espace`):
structure managers and administrators edit structures, lieux and services, close reports,
and administrators import files. The space's home is `maillage.espace`."""

from __future__ import annotations

import csv
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from maillage.accounts.permissions import can_import
from maillage.core.espace import espace_breadcrumb, espace_user

from ..enums import ImportStatus, SignalementStatus
from ..imports.uploads import import_run_queue, import_run_restart, source_for_upload
from ..models import ImportRun, Lieu, Service, Structure
from ..selectors import revisions_of
from ..services.history import directory_object_update
from ..services.signalements import signalement_close
from . import selectors as sel
from .forms import (
    ImportUploadForm,
    LieuForm,
    ServiceForm,
    SignalementCloseForm,
    StructureForm,
    initial_of,
)


def _edit(
    request: HttpRequest,
    *,
    obj: Structure | Lieu | Service,
    form_class: type,
    names: list[str],
    template_title: str,
    form_kwargs: dict[str, Any] | None = None,
    public_url: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    kwargs = form_kwargs or {}
    if request.method == "POST":
        form = form_class(request.POST, **kwargs)
        if form.is_valid():
            try:
                changes = directory_object_update(
                    obj=obj, user=espace_user(request), data=form.cleaned_data
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                if changes:
                    messages.success(
                        request, f"Modifications enregistrées ({len(changes)} champ(s))."
                    )
                else:
                    messages.info(request, "Aucune modification : rien n'a été enregistré.")
                return redirect(request.path)
    else:
        form = form_class(initial=initial_of(obj, names), **kwargs)
    return render(
        request,
        "directory/espace/edit.html",
        {
            "title": template_title,
            "form": form,
            "obj": obj,
            "public_url": public_url,
            "revisions": revisions_of(obj),
            "breadcrumb_data": espace_breadcrumb(template_title),
            **(extra or {}),
        },
        status=400 if request.method == "POST" else 200,
    )


def structure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    structure = sel.access_structure(request.user, pk)
    return _edit(
        request,
        obj=structure,
        form_class=StructureForm,
        names=list(StructureForm.base_fields),
        template_title=f"Modifier la structure « {structure.nom} »",
        public_url=reverse("directory:structure_detail", args=[structure.pk]),
        extra={
            "lieux": structure.lieux.order_by("nom").only("pk", "nom"),
            "services": structure.services.order_by("nom").only("pk", "nom"),
        },
    )


def lieu_edit(request: HttpRequest, pk: int) -> HttpResponse:
    lieu = sel.access_lieu(request.user, pk)
    return _edit(
        request,
        obj=lieu,
        form_class=LieuForm,
        names=list(LieuForm.base_fields),
        template_title=f"Modifier le lieu « {lieu.nom} »",
        public_url=reverse("directory:lieu_detail", args=[lieu.pk]),
        extra={"structure": lieu.structure, "commune_autocomplete": True},
    )


def service_edit(request: HttpRequest, pk: int) -> HttpResponse:
    service = sel.access_service(request.user, pk)
    lieu = service.lieux.first()
    return _edit(
        request,
        obj=service,
        form_class=ServiceForm,
        names=list(ServiceForm.base_fields),
        template_title=f"Modifier le service « {service.nom} »",
        form_kwargs={"structure": service.structure},
        public_url=reverse("directory:lieu_detail", args=[lieu.pk])
        if lieu
        else reverse("directory:structure_detail", args=[service.structure_id]),
        extra={"structure": service.structure},
    )


def signalement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    signalement = sel.access_signalement(request.user, pk)
    form = SignalementCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            signalement_close(
                signalement=signalement,
                user=espace_user(request),
                status=form.cleaned_data["status"],
                reponse=form.cleaned_data["reponse"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Signalement clos.")
            return redirect("espace:home")
    return render(
        request,
        "directory/espace/signalement.html",
        {
            "title": "Signalement",
            "signalement": signalement,
            "form": form,
            "is_open": signalement.status == SignalementStatus.OPEN,
            "breadcrumb_data": espace_breadcrumb(f"Signalement sur « {signalement.lieu.nom} »"),
        },
        status=400 if request.method == "POST" else 200,
    )


# Imports uploaded by administrators.


def _require_import(request: HttpRequest) -> None:
    if not can_import(request.user):
        raise PermissionDenied("Seuls les administrateurs importent des fichiers.")


def import_list(request: HttpRequest) -> HttpResponse:
    _require_import(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["fichier"]
        source = source_for_upload(
            source=form.cleaned_data["source"],
            nouvelle_source=form.cleaned_data["nouvelle_source"],
        )
        run = import_run_queue(
            data=upload.read(), filename=upload.name, source=source, user=espace_user(request)
        )
        messages.success(request, "Fichier reçu : l'import va commencer.")
        return redirect("directory_espace:import_detail", pk=run.pk)
    runs = Paginator(
        ImportRun.objects.select_related("source", "created_by").defer("donnees", "rapport"), 20
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "directory/espace/imports.html",
        {
            "title": "Imports",
            "form": form,
            "runs": runs,
            "max_mb": settings.MAILLAGE_IMPORT_MAX_BYTES // 1_000_000,
            "breadcrumb_data": espace_breadcrumb("Imports"),
        },
        status=400 if request.method == "POST" else 200,
    )


def _run(request: HttpRequest, pk: int) -> ImportRun:
    _require_import(request)
    return get_object_or_404(
        ImportRun.objects.select_related("source", "created_by").defer("donnees"), pk=pk
    )


def _progress(run: ImportRun) -> dict[str, Any]:
    # The database row first; while "en cours", the worker's progress file when newer (SQLite).
    done, total = run.progress_done, run.progress_total
    live = run.file_progress()
    if live is not None:
        done, total = live.done, live.total
    percent = 0
    if total:
        percent = min(100, round(100 * done / total))
    stale = run.is_stale
    return {
        "status": ImportStatus.INTERRUPTED if stale else run.status,
        "status_label": run.status_label,
        "done": done,
        "total": total,
        "percent": percent,
        "stale": stale,
        "finished": stale
        or run.status in (ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.INTERRUPTED),
    }


def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    rapport = Paginator(run.rapport, 50).get_page(request.GET.get("page"))
    progress = _progress(run)
    return render(
        request,
        "directory/espace/import_detail.html",
        {
            "title": f"Import « {run.fichier} »",
            "run": run,
            "progress": progress,
            "stale_minutes": settings.MAILLAGE_IMPORT_STALE_MINUTES,
            # Only curators reach this page (`_run`): they may relaunch a stale run.
            "can_restart": progress["stale"]
            and ImportRun.objects.filter(pk=run.pk, donnees__isnull=False).exists(),
            "rapport": rapport,
            "breadcrumb_data": espace_breadcrumb(
                f"Import « {run.fichier} »", (reverse("directory_espace:import_list"), "Imports")
            ),
        },
    )


def import_restart(request: HttpRequest, pk: int) -> HttpResponse:
    """POST only: relaunch an import whose worker died ("Relancer")."""
    run = _run(request, pk)
    if request.method != "POST":
        return redirect("directory_espace:import_detail", pk=run.pk)
    try:
        new_run = import_run_restart(run=run, user=espace_user(request))
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("directory_espace:import_detail", pk=run.pk)
    messages.success(request, "Import relancé avec le même fichier.")
    return redirect("directory_espace:import_detail", pk=new_run.pk)


def import_progress(request: HttpRequest, pk: int) -> JsonResponse:
    return JsonResponse(_progress(_run(request, pk)))


def import_report_csv(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rapport-import-{run.pk}.csv"'
    response.write("\ufeff")  # opens with the right accents in spreadsheet software
    writer = csv.writer(response, delimiter=";")
    writer.writerow(["ligne", "champ", "valeur", "message", "bloquant"])
    for row in run.rapport:
        writer.writerow(
            [
                row.get("ligne", row.get("line", "")),
                row.get("champ", row.get("field", "")),
                row.get("valeur", row.get("value", "")),
                row.get("message", ""),
                "oui" if row.get("bloquant", row.get("blocking", True)) else "non",
            ]
        )
    return response
