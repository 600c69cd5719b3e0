"""The planner page's form: the same limits as `POST /api/v1/plans` (see `limits`)."""

from __future__ import annotations

from typing import Any, TypedDict

from django import forms

from maillage.core.forms import MaillageForm
from maillage.directory.models import Categorie
from maillage.territories.models import Territoire

from . import limits
from .compute import candidate_list_resolve


class PlanArguments(TypedDict):
    """Keyword arguments of `plan_compute` (all but the territory) from the page."""

    categorie: str
    sites: int
    rayon_km: float
    exact: bool
    candidats: str
    itinerant: bool
    max_sites: int
    time_limit_s: float


class PlanForm(MaillageForm):
    """The planner's parameters; the same limits as `POST /api/v1/plans`."""

    categorie = forms.ChoiceField(
        label="Catégorie de service",
        help_text="Le besoin que les nouveaux sites doivent couvrir",
        error_messages={
            "invalid_choice": (
                "Catégorie inconnue : « %(value)s ». Choisissez-en une dans la liste."
            ),
            "required": "Choisissez une catégorie de service.",
        },
    )
    sites = forms.IntegerField(
        label="Nombre de sites à proposer (K)",
        min_value=1,
        max_value=limits.SYNC_MAX_SITES,
        initial=3,
        help_text=f"Entre 1 et {limits.SYNC_MAX_SITES}",
        error_messages={
            "required": "Indiquez le nombre de sites.",
            "invalid": "Le nombre de sites doit être un nombre entier.",
            "min_value": "Le nombre de sites doit être au moins 1.",
            "max_value": limits.PAGE_SITES_TOO_MANY,
        },
    )
    rayon_km = forms.FloatField(
        label="Rayon de couverture (km, à vol d'oiseau)",
        min_value=limits.MIN_RADIUS_KM,
        max_value=limits.MAX_RADIUS_KM,
        initial=10,
        help_text="Un habitant est couvert à moins de cette distance d'un lieu",
        error_messages={
            "required": "Indiquez le rayon en kilomètres.",
            "invalid": "Le rayon doit être un nombre de kilomètres (par exemple 10 ou 7,5).",
            "min_value": limits.RADIUS_TOO_SMALL,
            "max_value": limits.RADIUS_TOO_LARGE,
        },
        localize=True,
    )
    methode = forms.ChoiceField(
        label="Méthode",
        choices=[
            (limits.METHOD_GREEDY, "Rapide (glouton, avec une borne de qualité)"),
            (limits.METHOD_EXACT, "Exacte (programme linéaire en nombres entiers)"),
        ],
        initial=limits.METHOD_GREEDY,
        widget=forms.RadioSelect,
    )
    limite_s = forms.IntegerField(
        label="Temps de calcul maximal de la méthode exacte (secondes)",
        min_value=1,
        max_value=int(limits.SYNC_EXACT_TIME_LIMIT_S),
        initial=limits.PAGE_EXACT_TIME_S,
        required=False,
        error_messages={
            "min_value": "Le temps maximal doit être d'au moins 1 seconde.",
            "max_value": limits.PAGE_TIME_TOO_LONG,
        },
    )
    candidats = forms.ChoiceField(
        label="Emplacements candidats",
        choices=[
            (limits.CANDIDATES_MAIRIES, "Les mairies du territoire"),
            (limits.CANDIDATES_COMMUNES, "Le centre de chaque commune"),
            (limits.CANDIDATES_LIST, "Les communes que vous indiquez ci-dessous"),
        ],
        initial=limits.CANDIDATES_MAIRIES,
    )
    liste_candidats = forms.CharField(
        label="Communes candidates",
        help_text=(
            "Si vous avez choisi « Les communes que vous indiquez » : noms ou codes INSEE des "
            "communes du territoire, séparés par des virgules ou un par ligne "
            "(par exemple : Morlaix, 29019). Le site proposé est la mairie de la commune, "
            "son centre pour un service itinérant."
        ),
        required=False,
        max_length=limits.LISTED_CANDIDATES_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": limits.LIST_TOO_LONG},
    )
    mode = forms.ChoiceField(
        label="Type de service",
        choices=[
            (limits.MODE_FIXED, "Sites fixes"),
            (limits.MODE_ITINERANT, "Service itinérant (arrêts d'un bus numérique)"),
        ],
        initial=limits.MODE_FIXED,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, territoire: Territoire, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.territoire = territoire
        self.fields["categorie"].choices = [
            ("", "Choisir une catégorie"),
            *Categorie.objects.order_by("libelle").values_list("code", "libelle"),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        text = data.get("liste_candidats") or ""
        if data.get("candidats") != limits.CANDIDATES_LIST:
            if text.strip(" ,;\r\n\t"):
                self.add_error(
                    "candidats",
                    "Vous avez indiqué des communes candidates : choisissez « Les communes que "
                    "vous indiquez ci-dessous », ou videz la liste.",
                )
            return data
        listed = candidate_list_resolve(self.territoire.communes.all(), text)
        if not listed.codes and not listed.unknown and not listed.ambiguous:
            self.add_error(
                "liste_candidats",
                "Indiquez au moins une commune candidate, ou choisissez les mairies ou le "
                "centre de chaque commune.",
            )
            return data
        problems = []
        if listed.unknown:
            problems.append(limits.page_candidates_unknown(listed.unknown, self.territoire.nom))
        for item, matches in list(listed.ambiguous.items())[: limits.PAGE_AMBIGUOUS_SHOWN]:
            problems.append(limits.candidate_ambiguous(item, matches))
        for problem in problems:
            self.add_error("liste_candidats", problem)
        if not problems:
            data["candidats_codes"] = listed.codes
        return data

    def plan_arguments(self) -> PlanArguments:
        """Keyword arguments of `plan_compute` for the cleaned data."""
        data = self.cleaned_data
        return {
            "categorie": data["categorie"],
            "sites": data["sites"],
            "rayon_km": float(data["rayon_km"]),
            "exact": data["methode"] == limits.METHOD_EXACT,
            "candidats": (
                ",".join(data["candidats_codes"])
                if data["candidats"] == limits.CANDIDATES_LIST
                else data["candidats"]
            ),
            "itinerant": data["mode"] == limits.MODE_ITINERANT,
            "max_sites": limits.SYNC_MAX_SITES,
            "time_limit_s": float(data.get("limite_s") or limits.PAGE_EXACT_TIME_S),
        }
