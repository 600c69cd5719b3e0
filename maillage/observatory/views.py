"""Observatory pages of a territory (map, coverage, white zones, charts, downloads) and the
commune's indicators as a file. Reads come from `selectors`; every table can be downloaded.
The planner page is `plans.views`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.cache import cache_control
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from maillage.core.csv import csv_response, filename
from maillage.territories.models import ReferenceImport, Territoire
from maillage.territories.selectors import (
    commune_get,
    territoire_get,
    territoire_list,
    territoire_summary,
)

from . import charts, downloads, points, selectors
from .codes import INDICATOR_GROUPS, POPULATION, indicateur_categorie, indicateur_group
from .models import Indicateur
from .templatetags.observatory import figure

WHITE_ZONES_PER_PAGE = 50


def radii() -> list[float]:
    return [float(r) for r in getattr(settings, "OBSERVATORY_RADII_KM", (5, 10, 20))]


def _display(value: float | None) -> float | int | None:
    """Values rounded for the pages and the map payload (2 decimals are plenty)."""
    if value is None:
        return None
    rounded = round(float(value), 2)
    return int(rounded) if rounded.is_integer() else rounded


class IndicatorChoice:
    """The selected indicator of the observatory page, or why it could not be selected."""

    def __init__(self, indicateurs: list[Indicateur], requested: str) -> None:
        self.indicateurs = indicateurs
        by_code = {i.code: i for i in indicateurs}
        self.error = ""
        self.selected: Indicateur | None = by_code.get(requested)
        if requested and self.selected is None:
            known = Indicateur.objects.filter(code=requested).exists()
            self.error = (
                f"L'indicateur « {requested} » n'a aucune valeur pour ce territoire."
                if known
                else f"Indicateur inconnu : « {requested} ». Choisissez-en un dans la liste."
            )
        if self.selected is None and indicateurs:
            self.selected = by_code.get(POPULATION, indicateurs[0])

    def groups(self) -> list[tuple[str, list[Indicateur]]]:
        grouped: dict[str, list[Indicateur]] = {}
        for indicateur in self.indicateurs:
            grouped.setdefault(indicateur_group(indicateur.code), []).append(indicateur)
        return [(label, grouped[key]) for key, label in INDICATOR_GROUPS if key in grouped]


def _indicator_or_404(territoire: Territoire, code: str) -> Indicateur:
    indicateur = Indicateur.objects.filter(code=code).first() if code else None
    if indicateur is None:
        raise Http404(f"Indicateur inconnu : « {code} ».")
    return indicateur


def _map_values(territoire: Territoire, indicateur: Indicateur) -> dict[str, Any]:
    """The indicator's latest values and quantile classes, keyed by commune code."""
    values = selectors.territoire_values(territoire, indicateur)
    classes = charts.colour_classes(values.valeurs)
    breaks = [c.maximum for c in classes]
    return {
        "code": indicateur.code,
        "libelle": indicateur.libelle,
        "unite": indicateur.unite,
        "source": indicateur.source,
        "date": values.date.isoformat() if values.date else None,
        "classes": [
            {
                "min": _display(c.minimum),
                "max": _display(c.maximum),
                "couleur": c.colour,
                "communes": c.count,
            }
            for c in classes
        ],
        "pas_de_donnee": charts.NO_DATA_COLOUR,
        "valeurs": {
            code: [_display(value), charts.class_index(value, breaks)]
            for code, value in zip(values.codes, values.valeurs, strict=True)
        },
    }


def _white_zone_params(
    request: HttpRequest, coverage: list[selectors.CoverageRow], default: str
) -> tuple[str, float]:
    categories = [row.categorie for row in coverage]
    categorie = request.GET.get("categorie", "")
    if categorie not in categories:
        categorie = default if default in categories else (categories[0] if categories else "")
    try:
        rayon = float(request.GET.get("rayon", "").replace(",", "."))
    except ValueError:
        rayon = 0.0
    if rayon not in radii():
        rayon = 10.0 if 10.0 in radii() else radii()[0]
    return categorie, rayon


@login_not_required
@require_GET
def observatoire_index(request: HttpRequest) -> HttpResponse:
    """The territories, each with a link to its observatory and its planner."""
    return render(
        request,
        "observatory/index.html",
        {
            "title": "Observatoire du maillage",
            "territoires": territoire_list(),
            "breadcrumb_data": {"current": "Observatoire"},
        },
    )


@login_not_required
@require_GET
def observatoire(request: HttpRequest, slug: str) -> HttpResponse:
    territoire = territoire_get(slug)
    choice = IndicatorChoice(
        selectors.territoire_indicateurs(territoire), request.GET.get("indicateur", "")
    )
    context: dict[str, Any] = {
        "title": f"Observatoire — {territoire.nom}",
        "territoire": territoire,
        "choice": choice,
        "radii": radii(),
        "road_factor": points.road_factor(),
        "breadcrumb_data": {
            "links": [{"url": territoire.get_absolute_url(), "title": territoire.nom}],
            "current": "Observatoire",
        },
    }
    indicateur = choice.selected
    default_categorie = ""
    if indicateur is not None:
        values = selectors.territoire_values(territoire, indicateur)
        classes = charts.colour_classes(values.valeurs)
        evolution = selectors.territoire_evolution(territoire, indicateur)
        context.update(
            indicateur=indicateur,
            snapshot=values.date,
            communes_with_value=len(values.valeurs),
            classes=classes,
            no_data_colour=charts.NO_DATA_COLOUR,
            histogram=charts.histogram(values.valeurs),
            evolution=charts.line_chart(evolution),
            median=charts.median(values.valeurs),
            summary=territoire_summary(territoire),
            contours_url=reverse("observatory:observatoire_contours", args=[slug]),
        )
        default_categorie = indicateur_categorie(indicateur.code)
    coverage = selectors.territoire_coverage(territoire, radii())
    categorie, rayon = _white_zone_params(request, coverage, default_categorie)
    context.update(coverage=coverage, white_categorie=categorie, white_rayon=rayon)
    if categorie:
        day, far = selectors.territoire_white_zones(territoire, categorie, rayon)
        page = Paginator(far, WHITE_ZONES_PER_PAGE).get_page(request.GET.get("page"))
        context.update(
            white_zones=page,
            white_total=len(far),
            white_population=sum(row.population for row in far),
            white_date=day,
            white_libelle=next(r.libelle for r in coverage if r.categorie == categorie),
            white_rayon_label=figure(rayon),
            coverage_evolution=charts.line_chart(
                selectors.territoire_coverage_evolution(territoire, categorie, rayon)
            ),
        )
    return render(request, "observatory/observatoire.html", context)


@login_not_required
@require_GET
@gzip_page
@cache_control(public=True, max_age=300)
def observatoire_valeurs(request: HttpRequest, slug: str) -> HttpResponse:
    """Values and classes of one indicator by commune code: the map script fetches the
    contours once (`communes.geojson`, cached an hour) and these at each switch."""
    territoire = territoire_get(slug)
    indicateur = _indicator_or_404(territoire, request.GET.get("indicateur", ""))
    return JsonResponse(
        _map_values(territoire, indicateur), json_dumps_params={"separators": (",", ":")}
    )


@login_not_required
@require_GET
@gzip_page
def observatoire_contours(request: HttpRequest, slug: str) -> HttpResponse:
    """The communes' contours for the map, without values: fetched once per territory and
    kept by the browser an hour; coordinates to 3 decimals (about 100 m), finer than the
    simplified contours themselves."""
    territoire = territoire_get(slug)
    # Reading and rounding 4,000 contours takes seconds: keep the file until the territory
    # or the reference data change.
    reference = ReferenceImport.objects.order_by("-pk").values_list("pk", flat=True).first()
    key = f"observatoire-contours:{slug}:{territoire.refreshed_at}:{reference}"
    body = cache.get(key)
    if body is None:
        names = dict(territoire.communes.values_list("code", "nom"))
        data = {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"code": code, "nom": names.get(code, "")},
                    "geometry": downloads.round_geometry(contour, 3),
                }
                for code, contour in sorted(selectors.territoire_contours(territoire).items())
            ],
        }
        body = downloads.geojson_bytes(data)
        cache.set(key, body, timeout=24 * 3600)
    return downloads.geojson_response(body, max_age=3600)


@login_not_required
@require_GET
@gzip_page
def observatoire_geojson(request: HttpRequest, slug: str) -> HttpResponse:
    """The choropleth as one GeoJSON file (contours, value, class and colour per commune)."""
    territoire = territoire_get(slug)
    indicateur = _indicator_or_404(territoire, request.GET.get("indicateur", ""))
    payload = _map_values(territoire, indicateur)
    contours = selectors.territoire_contours(territoire)
    names = dict(territoire.communes.values_list("code", "nom"))
    features = []
    for code, contour in sorted(contours.items()):
        value, index = payload["valeurs"].get(code, (None, None))
        colour = payload["classes"][index]["couleur"] if index is not None else None
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "code": code,
                    "nom": names.get(code, ""),
                    "valeur": value,
                    "classe": None if index is None else index + 1,
                    "couleur": colour or charts.NO_DATA_COLOUR,
                },
                "geometry": downloads.round_geometry(contour),
            }
        )
    data = {
        "type": "FeatureCollection",
        "indicateur": {
            k: payload[k] for k in ("code", "libelle", "unite", "source", "date", "classes")
        },
        "features": features,
    }
    name = filename(slug, "carte", indicateur.code, payload["date"], extension="geojson")
    return downloads.geojson_response(data, name=name)


def _coverage_csv(request: HttpRequest, territoire: Territoire) -> HttpResponse:
    rows = selectors.territoire_coverage(territoire, radii())
    header = ["categorie", "libelle", "date", "population", "communes"]
    header += [f"part_moins_{r:g}_km" for r in radii()]
    header += [f"part_moins_{r:g}_km_route" for r in radii()]
    header += ["lieux", "services"]
    day = max((row.date for row in rows if row.date), default=None)
    return csv_response(
        filename(territoire.slug, "couverture", day, extension="csv"),
        header,
        (
            [
                r.categorie,
                r.libelle,
                r.date,
                r.population,
                r.communes,
                *r.shares,
                *r.road_shares,
                r.lieux,
                r.services,
            ]
            for r in rows
        ),
    )


def _white_zones_csv(request: HttpRequest, territoire: Territoire) -> HttpResponse:
    coverage = selectors.territoire_coverage(territoire, radii())
    categorie, rayon = _white_zone_params(request, coverage, "")
    if not categorie:
        raise Http404("Aucune distance calculée pour ce territoire")
    day, far = selectors.territoire_white_zones(territoire, categorie, rayon)
    name = filename(
        territoire.slug, "zones-blanches", categorie, f"{rayon:g}km", day, extension="csv"
    )
    return csv_response(
        name,
        ["rang", "code_commune", "commune", "population", "distance_km", "distance_route_km"],
        (
            [rank, r.code, r.nom, r.population, round(r.distance_km, 2), round(r.road_km, 2)]
            for rank, r in enumerate(far, start=1)
        ),
    )


def _evolution_csv(request: HttpRequest, territoire: Territoire) -> HttpResponse:
    indicateur = _indicator_or_404(territoire, request.GET.get("indicateur", ""))
    series = selectors.territoire_evolution(territoire, indicateur)
    return csv_response(
        filename(territoire.slug, "evolution", indicateur.code, extension="csv"),
        ["date", "mediane", "communes"],
        ([day, round(median, 4), count] for day, median, count in series),
    )


def _distribution_csv(request: HttpRequest, territoire: Territoire) -> HttpResponse:
    indicateur = _indicator_or_404(territoire, request.GET.get("indicateur", ""))
    values = selectors.territoire_values(territoire, indicateur)
    hist = charts.histogram(values.valeurs)
    name = filename(territoire.slug, "distribution", indicateur.code, values.date, extension="csv")
    return csv_response(
        name,
        ["de", "a", "communes"],
        ([round(b.minimum, 4), round(b.maximum, 4), b.count] for b in hist.bars),
    )


def _values_csv(request: HttpRequest, territoire: Territoire) -> HttpResponse:
    indicateur = _indicator_or_404(territoire, request.GET.get("indicateur", ""))
    values = selectors.territoire_values(territoire, indicateur)
    breaks = [c.maximum for c in charts.colour_classes(values.valeurs)]
    name = filename(territoire.slug, "valeurs", indicateur.code, values.date, extension="csv")
    return csv_response(
        name,
        ["code_commune", "commune", "population", "valeur", "unite", "date", "classe"],
        (
            [
                code,
                nom,
                pop,
                value,
                indicateur.unite,
                values.date,
                charts.class_index(value, breaks) + 1,
            ]
            for code, nom, pop, value in zip(
                values.codes, values.noms, values.population, values.valeurs, strict=True
            )
        ),
    )


#: Every table of the observatory page, by the name its CSV file takes in the URL.
CSV_TABLES = {
    "valeurs": _values_csv,
    "couverture": _coverage_csv,
    "zones-blanches": _white_zones_csv,
    "distribution": _distribution_csv,
    "evolution": _evolution_csv,
}


@login_not_required
@require_GET
def observatoire_csv(request: HttpRequest, slug: str, table: str) -> HttpResponse:
    """Every table of the observatory page as a CSV file."""
    territoire = territoire_get(slug)
    if table not in CSV_TABLES:
        raise Http404("Tableau inconnu")
    return CSV_TABLES[table](request, territoire)


@login_not_required
@require_GET
def commune_indicateurs_csv(request: HttpRequest, code: str) -> HttpResponse:
    """The commune page's indicators table as a CSV file."""
    commune = commune_get(code)
    rows, territoires = selectors.commune_indicators_compared(commune)
    header = ["code", "libelle", "valeur", "unite", "date", "source", "origine"]
    header += [f"mediane_{t.slug}" for t in territoires] + ["mediane_nationale"]
    return csv_response(
        filename(commune.code, slugify(commune.nom), "indicateurs", extension="csv"),
        header,
        (
            [
                *(row[k] for k in ("code", "libelle", "valeur", "unite", "date", "source")),
                row["origine"],
                *(median for _, median in row["medianes_territoires"]),
                row["mediane_nationale"],
            ]
            for row in rows
        ),
    )
