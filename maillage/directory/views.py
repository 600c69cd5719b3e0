from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from maillage.accounts.permissions import can_manage_structure
from maillage.core.antispam import automation_refusal, form_started_now, rate_limited
from maillage.territories.selectors import commune_search, territoire_get

from . import selectors
from .forms import DirectorySearchForm, SignalementForm
from .models import Lieu, Structure
from .opendata import CONTENT_TYPES, WRITERS
from .selectors import COMMUNE_HEAVY, lieux_opendata
from .services.signalements import signalement_create


@login_not_required
def opendata_lieux(request: HttpRequest, fmt: str) -> HttpResponse:
    """The directory's lieux as open data, national schema; `?territoire=slug` to narrow."""
    if fmt not in WRITERS:
        raise Http404("Format inconnu")
    slug = request.GET.get("territoire")
    territoire = territoire_get(slug) if slug else None
    response = HttpResponse(lieux_opendata(fmt, territoire), content_type=CONTENT_TYPES[fmt])
    name = f"lieux-mediation-numerique{'-' + slug if slug else ''}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_not_required
def directory_search(request: HttpRequest) -> HttpResponse:
    """Search page: results list and map in sync; a plain GET form, no JavaScript needed."""
    form = DirectorySearchForm(request.GET or None)
    result = None
    commune = None
    message = ""
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["commune"]:
            found = commune_search(data["commune"], limit=1)
            if found:
                commune = found[0]
            else:
                message = f"Aucune commune ne correspond à « {data['commune']} »."
        filters = selectors.SearchFilters(
            q=data["q"],
            commune=commune.code if commune else "",
            rayon_km=float(data["rayon_km"] or 10),
            categories=data["categorie"],
            gratuit=data["gratuit"] or None,
            modalite=data["modalite"],
            ouvert_maintenant=data["ouvert_maintenant"],
            tri="distance" if commune and not data["q"] else "pertinence",
            page=data["page"] or 1,
        )
        if not message:
            result = selectors.service_search(filters)
    markers = []
    if result is not None:
        for service in result.services:
            for lieu in service.lieux.all():
                markers.append(
                    {
                        "id": lieu.pk,
                        "service": service.pk,
                        "nom": lieu.nom,
                        "lat": lieu.latitude,
                        "lon": lieu.longitude,
                        "url": reverse("directory:lieu_detail", args=[lieu.pk]),
                    }
                )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "directory/search.html",
        {
            "title": "Trouver un lieu ou un service",
            "form": form,
            "result": result,
            "commune": commune,
            "message": message,
            "markers": markers,
            "markers_json": json.dumps(markers),
            "query_without_page": query.urlencode(),
            "breadcrumb_data": {"current": "Annuaire"},
        },
    )


@login_not_required
def lieu_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lieu = get_object_or_404(
        Lieu.objects.select_related("structure", "commune").defer(*COMMUNE_HEAVY), pk=pk
    )
    details = selectors.lieu_details(lieu)
    return render(
        request,
        "directory/lieu_detail.html",
        {
            "title": lieu.nom,
            "lieu": lieu,
            "can_edit": can_manage_structure(request.user, lieu.structure_id),
            **details,
            "breadcrumb_data": {
                "links": [{"url": reverse("directory:search"), "title": "Annuaire"}],
                "current": lieu.nom,
            },
        },
    )


@login_not_required
def structure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    structure = get_object_or_404(Structure, pk=pk)
    return render(
        request,
        "directory/structure_detail.html",
        {
            "title": structure.nom,
            "structure": structure,
            "lieux": structure.lieux.select_related("commune")
            .defer(*COMMUNE_HEAVY)
            .order_by("nom"),
            "services": structure.services.prefetch_related("categories").order_by("nom"),
            "breadcrumb_data": {
                "links": [{"url": reverse("directory:search"), "title": "Annuaire"}],
                "current": structure.nom,
            },
        },
    )


# « Signaler une erreur » on a lieu page: public, anyone may report.


@login_not_required
def signalement_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    lieu = get_object_or_404(Lieu.objects.select_related("structure"), pk=pk)
    if request.method == "POST":
        form = SignalementForm(request.POST)
        if form.is_valid():
            refusal = automation_refusal(
                form, min_seconds=settings.MAILLAGE_SIGNALEMENT_MIN_SECONDS
            )
            if refusal:
                form.add_error(None, refusal)
                return _signalement_page(request, lieu, form, status=400)
            data = form.cleaned_data
            if rate_limited(
                request, scope="signalement", per_hour=settings.MAILLAGE_SIGNALEMENT_PER_HOUR
            ):
                form.add_error(
                    None,
                    "Vous avez envoyé beaucoup de signalements en peu de temps : réessayez "
                    "dans une heure, ou écrivez directement à la structure.",
                )
                return _signalement_page(request, lieu, form, status=429)
            signalement_create(
                lieu=lieu,
                sujet=data["sujet"],
                message=data["message"],
                courriel=data["courriel"],
                base_url=request.build_absolute_uri("/")[:-1],
            )
            return render(
                request,
                "directory/signalement_merci.html",
                {"title": "Merci", "lieu": lieu},
            )
        return _signalement_page(request, lieu, form, status=400)
    form = SignalementForm(initial={"started": form_started_now()})
    return _signalement_page(request, lieu, form)


def _signalement_page(
    request: HttpRequest, lieu: Lieu, form: SignalementForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "directory/signalement_form.html",
        {
            "title": f"Signaler une erreur — {lieu.nom}",
            "lieu": lieu,
            "form": form,
            "breadcrumb_data": {
                "links": [
                    {"url": reverse("directory:search"), "title": "Annuaire"},
                    {"url": reverse("directory:lieu_detail", args=[lieu.pk]), "title": lieu.nom},
                ],
                "current": "Signaler une erreur",
            },
        },
        status=status,
    )
