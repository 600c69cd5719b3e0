"""The management space's form of the observatory: an indicator imported from a file."""

from __future__ import annotations

from typing import Any

from django import forms

from maillage.core.forms import MaillageForm, uploaded_file_checked


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
