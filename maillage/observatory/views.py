"""Observatory pages of a territory (map, coverage, white zones, charts, downloads) and the
planner page. Reads come from `selectors`; every table can be downloaded."""

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

from maillage.directory.models import Categorie
from maillage.territories.models import ReferenceImport, Territoire
from maillage.territories.selectors import (
    commune_get,
    territoire_get,
    territoire_list,
    territoire_summary,
)

from . import charts, downloads, selectors
from .forms import MODE_ITINERANT, PlanForm
from .models import Indicateur
from .services import POPULATION
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
            grouped.setdefault(selectors.indicateur_group(indicateur.code), []).append(indicateur)
        return [
            (label, grouped[key]) for key, label in selectors.INDICATOR_GROUPS if key in grouped
        ]


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
        "road_factor": selectors.road_factor(),
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
        default_categorie = selectors.indicateur_categorie(indicateur.code)
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
    name = downloads.filename(slug, "carte", indicateur.code, payload["date"], extension="geojson")
    return downloads.geojson_response(data, name=name)


CSV_TABLES = ("valeurs", "couverture", "zones-blanches", "distribution", "evolution")


@login_not_required
@require_GET
def observatoire_csv(request: HttpRequest, slug: str, table: str) -> HttpResponse:
    """Every table of the observatory page as a CSV file."""
    territoire = territoire_get(slug)
    if table not in CSV_TABLES:
        raise Http404("Tableau inconnu")
    if table == "couverture":
        rows = selectors.territoire_coverage(territoire, radii())
        header = ["categorie", "libelle", "date", "population", "communes"]
        header += [f"part_moins_{r:g}_km" for r in radii()]
        header += [f"part_moins_{r:g}_km_route" for r in radii()]
        header += ["lieux", "services"]
        day = max((row.date for row in rows), default=None)
        return downloads.csv_response(
            downloads.filename(slug, "couverture", day, extension="csv"),
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
    if table == "zones-blanches":
        coverage = selectors.territoire_coverage(territoire, radii())
        categorie, rayon = _white_zone_params(request, coverage, "")
        if not categorie:
            raise Http404("Aucune distance calculée pour ce territoire")
        day, far = selectors.territoire_white_zones(territoire, categorie, rayon)
        return downloads.csv_response(
            downloads.filename(
                slug, "zones-blanches", categorie, f"{rayon:g}km", day, extension="csv"
            ),
            ["rang", "code_commune", "commune", "population", "distance_km", "distance_route_km"],
            (
                [rank, r.code, r.nom, r.population, round(r.distance_km, 2), round(r.road_km, 2)]
                for rank, r in enumerate(far, start=1)
            ),
        )
    indicateur = _indicator_or_404(territoire, request.GET.get("indicateur", ""))
    if table == "evolution":
        series = selectors.territoire_evolution(territoire, indicateur)
        return downloads.csv_response(
            downloads.filename(slug, "evolution", indicateur.code, extension="csv"),
            ["date", "mediane", "communes"],
            ([day, round(median, 4), count] for day, median, count in series),
        )
    values = selectors.territoire_values(territoire, indicateur)
    if table == "distribution":
        hist = charts.histogram(values.valeurs)
        return downloads.csv_response(
            downloads.filename(slug, "distribution", indicateur.code, values.date, extension="csv"),
            ["de", "a", "communes"],
            ([round(b.minimum, 4), round(b.maximum, 4), b.count] for b in hist.bars),
        )
    classes = charts.colour_classes(values.valeurs)
    breaks = [c.maximum for c in classes]
    return downloads.csv_response(
        downloads.filename(slug, "valeurs", indicateur.code, values.date, extension="csv"),
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


@login_not_required
@require_GET
def commune_indicateurs_csv(request: HttpRequest, code: str) -> HttpResponse:
    """The commune page's indicators table as a CSV file."""
    commune = commune_get(code)
    rows, territoires = selectors.commune_indicators_compared(commune)
    header = ["code", "libelle", "valeur", "unite", "date", "source", "origine"]
    header += [f"mediane_{t.slug}" for t in territoires] + ["mediane_nationale"]
    return downloads.csv_response(
        downloads.filename(commune.code, slugify(commune.nom), "indicateurs", extension="csv"),
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


# --- Planner -----------------------------------------------------------------------------


def _plan(territoire: Territoire, form: PlanForm) -> dict[str, Any] | None:
    """Run the planner for a valid form; errors go to the form, in French."""
    if not territoire.communes.filter(population__gt=0).exists():
        form.add_error(
            None,
            "Ce territoire n'a aucune commune dont la population est connue : le "
            "planificateur ne peut rien calculer.",
        )
        return None
    try:
        return selectors.plan_compute(territoire=territoire.slug, **form.plan_arguments())  # type: ignore[arg-type]
    except selectors.PlanError as exc:
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
        lieux = selectors.categorie_lieux_in(territoire, result["categorie"])
        stem = (slug, "plan", result["categorie"], f"{len(result['sites'])}-sites")
        if format == "geojson":
            return downloads.geojson_response(
                _plan_geojson(result, lieux),
                name=downloads.filename(*stem, f"{result['rayon_km']:g}km", extension="geojson"),
                max_age=0,
            )
        return downloads.csv_response(
            downloads.filename(*stem, f"{result['rayon_km']:g}km", extension="csv"),
            ["rang", "code_commune", "commune", "latitude", "longitude", "population_gagnee"],
            (
                [
                    rank,
                    s["commune"],
                    s["nom"],
                    s["latitude"],
                    s["longitude"],
                    s["population_gagnee"],
                ]
                for rank, s in enumerate(result["sites"], start=1)
            ),
        )
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
        total = result["population_totale"] or 1
        bound = result["borne_superieure"]
        cumulative = result["population_couverte_avant"]
        sites = []
        for rank, site in enumerate(result["sites"], start=1):
            cumulative += site["population_gagnee"]
            sites.append({**site, "rang": rank, "cumul": cumulative, "part": cumulative / total})
        lieux = selectors.categorie_lieux_in(territoire, result["categorie"])
        context.update(
            sites=sites,
            part_avant=result["population_couverte_avant"] / total,
            part_apres=result["population_couverte_apres"] / total,
            ecart=(bound - result["population_couverte_apres"]) / bound if bound else 0.0,
            categorie=Categorie.objects.filter(code=result["categorie"]).first(),
            itinerant=form.cleaned_data["mode"] == MODE_ITINERANT,
            map_data={
                "sites": [
                    {k: s[k] for k in ("rang", "nom", "latitude", "longitude", "population_gagnee")}
                    for s in sites
                ],
                "lieux": lieux,
                "tournee": [
                    [s["latitude"], s["longitude"]]
                    for code in result.get("tournee", [])
                    for s in sites
                    if s["commune"] == code
                ],
            },
            summary=territoire_summary(territoire),
            query=request.GET.urlencode(),
        )
    return render(request, "observatory/planificateur.html", context)
