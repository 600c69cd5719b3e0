"""Forms of the column-mapping pages: a sample file, then a column for each standard field."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from maillage.core.forms import MaillageForm

from .mapping import STANDARD_FIELDS, Mapping, MappingError

MAX_SAMPLE_BYTES = 20 * 1024 * 1024


class MappingSampleForm(MaillageForm):
    echantillon = forms.FileField(
        label=_("Fichier d'exemple du producteur"),
        help_text=_("CSV, XLSX ou JSON, 20 Mo au plus : ses colonnes sont proposées ensuite."),
    )
    options = forms.CharField(
        label=_("Options de lecture (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_('Par exemple {"feuille": "Lieux"} ou {"chemin_enregistrements": "data"}.'),
    )

    def clean_echantillon(self) -> Any:
        sample = self.cleaned_data["echantillon"]
        if sample.size > MAX_SAMPLE_BYTES:
            raise forms.ValidationError(_("Fichier trop volumineux (plus de 20 Mo)."))
        return sample

    def clean_options(self) -> dict[str, Any]:
        return _json_object(self.cleaned_data["options"])


class MappingForm(MaillageForm):
    """One choice of the sample's columns per standard field, plus values and options."""

    valeurs = forms.CharField(
        label=_("Traduction des valeurs (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Par champ, valeur du producteur → valeur normalisée ; pour « services », un code de "
            "la taxonomie, ou null pour écarter une valeur hors périmètre."
        ),
    )
    options = forms.CharField(
        label=_("Options (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "separateur_valeurs, regrouper_par, departements, valeurs_par_defaut… (voir la "
            "documentation de l'annuaire)."
        ),
    )

    def __init__(self, *args: Any, columns: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.columns = columns
        choices = [("", _("— aucune —")), *[(c, c) for c in columns]]
        for name, label in STANDARD_FIELDS.items():
            self.fields[f"colonne_{name}"] = forms.ChoiceField(
                label=f"{label} ({name})", choices=choices, required=False
            )

    def field_names(self) -> list[str]:
        return [f"colonne_{name}" for name in STANDARD_FIELDS]

    def clean_valeurs(self) -> dict[str, Any]:
        return _json_object(self.cleaned_data["valeurs"])

    def clean_options(self) -> dict[str, Any]:
        return _json_object(self.cleaned_data["options"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        colonnes = {
            name: data[f"colonne_{name}"] for name in STANDARD_FIELDS if data.get(f"colonne_{name}")
        }
        try:
            self.mapping = Mapping.from_dict(
                {"colonnes": colonnes, "valeurs": data["valeurs"], "options": data["options"]}
            )
        except MappingError as exc:
            raise forms.ValidationError(exc.problems) from exc
        return data


def _json_object(text: str) -> dict[str, Any]:
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise forms.ValidationError(
            _("JSON illisible ligne %(line)s, colonne %(col)s."),
            params={"line": exc.lineno, "col": exc.colno},
        ) from exc
    if not isinstance(value, dict):
        raise forms.ValidationError(_("Un objet JSON est attendu ({…})."))
    return value
