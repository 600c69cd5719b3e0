from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse

from . import selectors
from .sections import commune_sections


@login_not_required
def territoire_detail(request: HttpRequest, slug: str) -> HttpResponse:
    territoire = selectors.territoire_get(slug)
    return render(
        request,
        "territories/territoire_detail.html",
        {
            "title": territoire.nom,
            "territoire": territoire,
            "summary": selectors.territoire_summary(territoire),
            "geojson_url": reverse("api-1:territoire_communes_geojson", args=[slug]),
            "breadcrumb_data": {"current": territoire.nom},
        },
    )


@login_not_required
def commune_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The commune, its mairie and map, then the sections other apps contribute."""
    commune = selectors.commune_get(code)
    sections = [
        render_to_string(section["template"], {"commune": commune, **section["context"]}, request)
        for section in commune_sections(commune)
    ]
    return render(
        request,
        "territories/commune_detail.html",
        {
            "title": commune.nom,
            "commune": commune,
            "territoires": commune.territoires.order_by("nom"),
            "sections": sections,
            "breadcrumb_data": {
                "links": [{"url": reverse("territories:commune_search"), "title": "Communes"}],
                "current": commune.nom,
            },
        },
    )


@login_not_required
def commune_search(request: HttpRequest) -> HttpResponse:
    """The search page behind the autocomplete: works without JavaScript."""
    query = request.GET.get("q", "").strip()
    code = request.GET.get("code", "").strip()
    if code:
        return redirect("territories:commune_detail", code=code)
    results = selectors.commune_search(query, limit=30) if query else []
    return render(
        request,
        "territories/commune_search.html",
        {
            "title": f"Communes correspondant à « {query} »" if query else "Rechercher une commune",
            "query": query,
            "results": results,
            "breadcrumb_data": {"current": "Communes"},
        },
    )
