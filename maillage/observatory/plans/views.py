"""The planner page of a territory: a GET form (results can be bookmarked and shared), the
same `plan_compute` as the API and the command, and downloads of the result."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from maillage.core.csv import csv_response, filename
from maillage.directory.models import Categorie
from maillage.territories.models import Territoire
from maillage.territories.selectors import territoire_get, territoire_summary

from .. import downloads, selectors
from . import limits
from .compute import PlanError, plan_compute
from .forms import PlanForm


def _plan(territoire: Territoire, form: PlanForm) -> dict[str, Any] | None:
    """Run the planner for a valid form; errors go to the form, in French."""
    if not territoire.communes.filter(population__gt=0).exists():
        form.add_error(None, limits.NO_POPULATION)
        return None
    try:
        return plan_compute(territoire=territoire.slug, **form.plan_arguments())
    except PlanError as exc:
        # The page's field for a list of candidates is the textarea; the others match.
        field = "liste_candidats" if exc.field == "candidats" else exc.field
        form.add_error(field if field in form.fields else None, exc.message)
        return None


def _plan_geojson(result: dict[str, Any], lieux: list[dict[str, Any]]) -> dict[str, Any]:
    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "properties": {
                "type": "site_propose",
                "rang": rank,
                "commune": site["commune"],
                "nom": site["nom"],
                "population_gagnee": site["population_gagnee"],
            },
            "geometry": {"type": "Point", "coordinates": [site["longitude"], site["latitude"]]},
        }
        for rank, site in enumerate(result["sites"], start=1)
    ]
    features += [
        {
            "type": "Feature",
            "properties": {"type": "lieu_existant", "nom": lieu["nom"]},
            "geometry": {"type": "Point", "coordinates": [lieu["longitude"], lieu["latitude"]]},
        }
        for lieu in lieux
    ]
    if result.get("tournee"):
        by_code = {s["commune"]: s for s in result["sites"]}
        stops = [by_code[c] for c in result["tournee"]]
        line = [[s["longitude"], s["latitude"]] for s in [*stops, stops[0]]]
        features.append(
            {
                "type": "Feature",
                "properties": {"type": "tournee", "longueur_km": result["longueur_tournee_km"]},
                "geometry": {"type": "LineString", "coordinates": line},
            }
        )
    summary = {k: v for k, v in result.items() if k != "sites"}
    return {"type": "FeatureCollection", "plan": summary, "features": features}


def _plan_download(territoire: Territoire, result: dict[str, Any], format: str) -> HttpResponse:
    """The plan as a GeoJSON file (sites, existing lieux, tour) or a CSV file of the sites."""
    stem = (
        territoire.slug,
        "plan",
        result["categorie"],
        f"{len(result['sites'])}-sites",
        f"{result['rayon_km']:g}km",
    )
    if format == "geojson":
        lieux = selectors.categorie_lieux_in(territoire, result["categorie"])
        return downloads.geojson_response(
            _plan_geojson(result, lieux),
            name=filename(*stem, extension="geojson"),
            max_age=0,
        )
    return csv_response(
        filename(*stem, extension="csv"),
        ["rang", "code_commune", "commune", "latitude", "longitude", "population_gagnee"],
        (
            [rank, s["commune"], s["nom"], s["latitude"], s["longitude"], s["population_gagnee"]]
            for rank, s in enumerate(result["sites"], start=1)
        ),
    )


def _result_context(
    territoire: Territoire, form: PlanForm, result: dict[str, Any]
) -> dict[str, Any]:
    """What the page shows of a plan: each site with the coverage so far, and the map."""
    total = result["population_totale"] or 1
    bound = result["borne_superieure"]
    cumulative = result["population_couverte_avant"]
    sites = []
    for rank, site in enumerate(result["sites"], start=1):
        cumulative += site["population_gagnee"]
        sites.append({**site, "rang": rank, "cumul": cumulative, "part": cumulative / total})
    return {
        "sites": sites,
        "part_avant": result["population_couverte_avant"] / total,
        "part_apres": result["population_couverte_apres"] / total,
        "ecart": (bound - result["population_couverte_apres"]) / bound if bound else 0.0,
        "categorie": Categorie.objects.filter(code=result["categorie"]).first(),
        "itinerant": form.cleaned_data["mode"] == limits.MODE_ITINERANT,
        "map_data": {
            "sites": [
                {k: s[k] for k in ("rang", "nom", "latitude", "longitude", "population_gagnee")}
                for s in sites
            ],
            "lieux": selectors.categorie_lieux_in(territoire, result["categorie"]),
            "tournee": [
                [s["latitude"], s["longitude"]]
                for code in result.get("tournee", [])
                for s in sites
                if s["commune"] == code
            ],
        },
        "summary": territoire_summary(territoire),
    }


@login_not_required
@require_GET
def planificateur(request: HttpRequest, slug: str, format: str = "") -> HttpResponse:
    """The planner page: a GET form (results can be bookmarked and shared), the same
    `plan_compute` as the API and the command, and downloads of the result."""
    territoire = territoire_get(slug)
    submitted = "categorie" in request.GET
    form = PlanForm(request.GET if submitted else None, territoire=territoire)
    result = _plan(territoire, form) if submitted and form.is_valid() else None
    if format:
        if result is None:
            raise Http404("Paramètres du plan invalides")
        return _plan_download(territoire, result, format)
    context: dict[str, Any] = {
        "title": f"Planificateur — {territoire.nom}",
        "territoire": territoire,
        "form": form,
        "result": result,
        "breadcrumb_data": {
            "links": [{"url": territoire.get_absolute_url(), "title": territoire.nom}],
            "current": "Planificateur",
        },
    }
    if result is not None:
        context.update(_result_context(territoire, form, result), query=request.GET.urlencode())
    return render(request, "observatory/planificateur.html", context)
