from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from maillage.observatory.selectors import commune_indicators_compared

from . import selectors


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
    commune = selectors.commune_get(code)
    indicateurs, territoires = commune_indicators_compared(commune)
    return render(
        request,
        "territories/commune_detail.html",
        {
            "title": commune.nom,
            "commune": commune,
            "territoires": territoires,
            "indicateurs": indicateurs,
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
