from __future__ import annotations

from typing import Any

from django import forms

from maillage.core.forms import MaillageForm, uploaded_file_checked
from maillage.directory.models import Categorie
from maillage.territories.models import Territoire

from . import selectors
from .api import API_EXACT_TIME_LIMIT_S, API_MAX_SITES

METHOD_GREEDY = "glouton"
METHOD_EXACT = "exact"
MODE_FIXED = "fixe"
MODE_ITINERANT = "itinerant"
CANDIDATES_LIST = "liste"
LISTED_CANDIDATES_MAX_CHARS = 3000


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
        max_value=API_MAX_SITES,
        initial=3,
        help_text=f"Entre 1 et {API_MAX_SITES}",
        error_messages={
            "required": "Indiquez le nombre de sites.",
            "invalid": "Le nombre de sites doit être un nombre entier.",
            "min_value": "Le nombre de sites doit être au moins 1.",
            "max_value": f"Au plus {API_MAX_SITES} sites par calcul sur cette page.",
        },
    )
    rayon_km = forms.FloatField(
        label="Rayon de couverture (km, à vol d'oiseau)",
        min_value=0.1,
        max_value=selectors.MAX_RADIUS_KM,
        initial=10,
        help_text="Un habitant est couvert à moins de cette distance d'un lieu",
        error_messages={
            "required": "Indiquez le rayon en kilomètres.",
            "invalid": "Le rayon doit être un nombre de kilomètres (par exemple 10 ou 7,5).",
            "min_value": "Le rayon doit être d'au moins 0,1 km.",
            "max_value": f"Le rayon ne peut dépasser {selectors.MAX_RADIUS_KM:.0f} km.",
        },
        localize=True,
    )
    methode = forms.ChoiceField(
        label="Méthode",
        choices=[
            (METHOD_GREEDY, "Rapide (glouton, avec une borne de qualité)"),
            (METHOD_EXACT, "Exacte (programme linéaire en nombres entiers)"),
        ],
        initial=METHOD_GREEDY,
        widget=forms.RadioSelect,
    )
    limite_s = forms.IntegerField(
        label="Temps de calcul maximal de la méthode exacte (secondes)",
        min_value=1,
        max_value=int(API_EXACT_TIME_LIMIT_S),
        initial=10,
        required=False,
        error_messages={
            "min_value": "Le temps maximal doit être d'au moins 1 seconde.",
            "max_value": f"Le temps maximal ne peut dépasser {API_EXACT_TIME_LIMIT_S:.0f} s.",
        },
    )
    candidats = forms.ChoiceField(
        label="Emplacements candidats",
        choices=[
            (selectors.CANDIDATES_MAIRIES, "Les mairies du territoire"),
            (selectors.CANDIDATES_COMMUNES, "Le centre de chaque commune"),
            (CANDIDATES_LIST, "Les communes que vous indiquez ci-dessous"),
        ],
        initial=selectors.CANDIDATES_MAIRIES,
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
        # The page is a GET form (results can be bookmarked): the list travels in the
        # address, which servers cap at about 4,000 characters.
        max_length=LISTED_CANDIDATES_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "max_length": (
                "La liste dépasse %(limit_value)s caractères : pour plus de communes, donnez "
                "leurs codes INSEE (plus courts que les noms), ou utilisez l'API "
                "(POST /api/v1/plans) ou la commande « maillage plan --candidats »."
            ),
        },
    )
    mode = forms.ChoiceField(
        label="Type de service",
        choices=[
            (MODE_FIXED, "Sites fixes"),
            (MODE_ITINERANT, "Service itinérant (arrêts d'un bus numérique)"),
        ],
        initial=MODE_FIXED,
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
        if data.get("candidats") != CANDIDATES_LIST:
            if text.strip(" ,;\r\n\t"):
                self.add_error(
                    "candidats",
                    "Vous avez indiqué des communes candidates : choisissez « Les communes que "
                    "vous indiquez ci-dessous », ou videz la liste.",
                )
            return data
        listed = selectors.candidate_list_resolve(self.territoire.communes.all(), text)
        if not listed.codes and not listed.unknown and not listed.ambiguous:
            self.add_error(
                "liste_candidats",
                "Indiquez au moins une commune candidate, ou choisissez les mairies ou le "
                "centre de chaque commune.",
            )
            return data
        problems = []
        if listed.unknown:
            shown = ", ".join(f"« {item} »" for item in listed.unknown[:10])
            more = f" et {len(listed.unknown) - 10} autres" if len(listed.unknown) > 10 else ""
            problems.append(
                f"Communes introuvables dans {self.territoire.nom} : {shown}{more}. "
                "Vérifiez l'orthographe ou donnez le code INSEE."
            )
        for item, matches in list(listed.ambiguous.items())[:5]:
            problems.append(
                f"« {item} » désigne plusieurs communes du territoire : "
                + ", ".join(matches)
                + ". Donnez le code INSEE de celle que vous voulez."
            )
        for problem in problems:
            self.add_error("liste_candidats", problem)
        if not problems:
            data["candidats_codes"] = listed.codes
        return data

    def plan_arguments(self) -> dict[str, object]:
        """Keyword arguments of `selectors.plan_compute` for the cleaned data."""
        data = self.cleaned_data
        return {
            "categorie": data["categorie"],
            "sites": data["sites"],
            "rayon_km": float(data["rayon_km"]),
            "exact": data["methode"] == METHOD_EXACT,
            "candidats": (
                ",".join(data["candidats_codes"])
                if data["candidats"] == CANDIDATES_LIST
                else data["candidats"]
            ),
            "itinerant": data["mode"] == MODE_ITINERANT,
            "max_sites": API_MAX_SITES,
            "time_limit_s": float(data.get("limite_s") or 10),
        }


class IndicateurImportForm(MaillageForm):
    """An indicator per commune from a CSV file: the same checks as `maillage
    indicateurs_import` (the service behind both is `services.indicateur_import`)."""

    fichier = forms.FileField(
        label="Fichier CSV",
        help_text=(
            "Une ligne par commune : une colonne de codes INSEE et une colonne de valeurs "
            "(virgule décimale acceptée). Séparateur et encodage reconnus automatiquement."
        ),
        error_messages={"required": "Choisissez le fichier à importer."},
    )
    code = forms.SlugField(
        label="Code de l'indicateur",
        max_length=80,
        help_text=(
            "Identifiant court, repris dans l'API et les fichiers : par exemple thd ou "
            "fragilite-numerique. Le même code à une autre date ajoute une photographie ; "
            "à la même date, il remplace les valeurs."
        ),
        error_messages={
            "required": "Indiquez le code de l'indicateur.",
            "invalid": (
                "Le code ne peut contenir que des lettres sans accent, des chiffres et des "
                "tirets (par exemple fragilite-numerique)."
            ),
        },
    )
    libelle = forms.CharField(
        label="Libellé",
        max_length=200,
        help_text="Tel qu'il s'affichera, par exemple « Locaux raccordables à la fibre »",
        error_messages={"required": "Indiquez le libellé de l'indicateur."},
    )
    unite = forms.CharField(
        label="Unité", max_length=50, required=False, help_text="Par exemple %, habitants, indice"
    )
    source = forms.CharField(
        label="Source",
        max_length=200,
        help_text="Le producteur des données, par exemple « Arcep, Ma connexion internet »",
        error_messages={"required": "Indiquez la source des données."},
    )
    date = forms.DateField(
        label="Date des données",
        help_text="La date à laquelle se rapportent les valeurs (souvent celle de la publication)",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={
            "required": "Indiquez la date des données.",
            "invalid": "Date invalide : écrivez-la jj/mm/aaaa, par exemple 15/01/2026.",
        },
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Ce que mesure l'indicateur, comment il est calculé, ses limites",
    )
    colonne_commune = forms.CharField(
        label="Colonne des codes INSEE",
        max_length=100,
        required=False,
        help_text="Si elle ne s'appelle pas code_insee, codgeo, code_commune, insee ou code",
    )
    colonne_valeur = forms.CharField(
        label="Colonne des valeurs",
        max_length=100,
        required=False,
        help_text="Si elle ne s'appelle pas valeur, taux ou indice",
    )

    def clean_fichier(self) -> Any:
        return uploaded_file_checked(
            self.cleaned_data["fichier"],
            extensions=(".csv", ".txt", ".xlsx"),
            formats=".csv (ou .xlsx)",
            advice="Gardez seulement les colonnes du code et de la valeur, ou utilisez la "
            "commande « maillage indicateurs_import ».",
        )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].lower()
