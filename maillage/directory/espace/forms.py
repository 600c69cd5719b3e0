"""Forms of the directory's management space: editing the directory, closing reports, uploads,
column mappings."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from maillage.core.forms import MaillageForm, uploaded_file_checked
from maillage.territories.enums import CommuneType
from maillage.territories.models import Commune
from maillage.territories.selectors import commune_search

from .. import opening_hours
from ..enums import Frais, Modalite, SignalementStatus
from ..imports.mapping import STANDARD_FIELDS, Mapping, MappingError
from ..models import Categorie, Lieu, Service, Source, Structure


class LinesField(forms.CharField):
    """A list edited as one value per line (a textarea)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(str(v) for v in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class EmailLinesField(LinesField):
    def validate(self, value: Any) -> None:
        super().validate(value)
        for email in value:
            try:
                validate_email(email)
            except ValidationError as exc:
                raise ValidationError(f"« {email} » n'est pas une adresse e-mail valide.") from exc


def initial_of(obj: Structure | Lieu | Service, names: list[str]) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    for name in names:
        field = obj._meta.get_field(name)
        value = getattr(obj, name)
        initial[name] = list(value.all()) if field.many_to_many else value
    return initial


class StructureForm(MaillageForm):
    nom = forms.CharField(label="Nom", max_length=300)
    pivot = forms.CharField(
        label="SIRET, SIREN ou RNA",
        max_length=14,
        required=False,
        help_text="14 chiffres (SIRET), 9 chiffres (SIREN) ou W suivi de 9 chiffres (RNA)",
    )
    structure_parente = forms.CharField(
        label="Réseau ou structure parente", max_length=300, required=False
    )
    typologie = LinesField(label="Typologie", help_text="Une par ligne, par exemple : TIERS_LIEUX")
    site_web = forms.URLField(
        assume_scheme="https", label="Site internet", max_length=500, required=False
    )
    telephone = forms.CharField(label="Téléphone", max_length=40, required=False)
    courriels = EmailLinesField(label="Courriels", help_text="Un par ligne")

    def clean_pivot(self) -> str:
        pivot = self.cleaned_data["pivot"].replace(" ", "")
        if pivot and not (
            (pivot.isdigit() and len(pivot) in (9, 14))
            or (pivot[:1].upper() == "W" and pivot[1:].isdigit() and len(pivot) == 10)
        ):
            raise ValidationError(
                "Saisissez un SIRET (14 chiffres), un SIREN (9 chiffres) "
                "ou un RNA (W et 9 chiffres)."
            )
        return pivot


class LieuForm(MaillageForm):
    nom = forms.CharField(label="Nom", max_length=300)
    adresse = forms.CharField(label="Adresse", max_length=300, help_text="Numéro et voie")
    complement_adresse = forms.CharField(
        label="Complément d'adresse", max_length=300, required=False
    )
    code_postal = forms.RegexField(
        label="Code postal",
        regex=r"^\d{5}$",
        error_messages={"invalid": "Le code postal compte 5 chiffres."},
    )
    commune = forms.CharField(
        label="Commune",
        max_length=100,
        widget=forms.TextInput(
            attrs={"data-commune-input": "", "autocomplete": "off", "spellcheck": "false"}
        ),
        help_text="Nom ou code INSEE, par exemple « Morlaix » ou « 29151 »",
    )
    latitude = forms.FloatField(
        label="Latitude", min_value=-90, max_value=90, help_text="En degrés décimaux, ex. 48.5776"
    )
    longitude = forms.FloatField(
        label="Longitude",
        min_value=-180,
        max_value=180,
        help_text="En degrés décimaux, ex. -3.8283",
    )
    horaires = forms.CharField(
        label="Horaires d'ouverture",
        max_length=1000,
        required=False,
        help_text="Format OpenStreetMap, par exemple : "
        "Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00",
    )
    telephone = forms.CharField(label="Téléphone", max_length=40, required=False)
    courriels = EmailLinesField(label="Courriels", help_text="Un par ligne")
    presentation_resume = forms.CharField(
        label="Présentation courte", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    fiche_acces_libre = forms.URLField(
        assume_scheme="https",
        label="Fiche Acceslibre (accessibilité)",
        max_length=500,
        required=False,
    )
    prise_en_charge = LinesField(
        label="Accessibilité et prises en charge spécifiques",
        help_text="Une par ligne, par exemple : Handicaps moteurs",
    )
    prise_rdv = forms.URLField(
        assume_scheme="https", label="Prise de rendez-vous en ligne", max_length=500, required=False
    )
    itinerant = forms.BooleanField(
        label="Service itinérant (bus numérique, permanences tournantes…)", required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        initial = kwargs.get("initial") or {}
        if isinstance(initial.get("commune"), Commune):
            commune = initial["commune"]
            initial["commune"] = f"{commune.nom} ({commune.code})"
        super().__init__(*args, **kwargs)

    def clean_commune(self) -> Commune:
        text = self.cleaned_data["commune"].strip()
        code = text.rsplit("(", 1)[-1].rstrip(")").strip() if "(" in text else text
        if len(code) == 5 and code[:2].isalnum():
            found = Commune.objects.filter(code=code, type=CommuneType.COMMUNE).first()
            if found is not None:
                return found
        matches = commune_search(text, limit=1)
        if not matches:
            raise ValidationError(f"Aucune commune ne correspond à « {text} ».")
        return matches[0]

    def clean_horaires(self) -> str:
        text = self.cleaned_data["horaires"].strip()
        if text and not opening_hours.parse(text).complete:
            raise ValidationError(
                "Horaires illisibles : écrivez-les au format OpenStreetMap, par exemple "
                "« Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00 »."
            )
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        commune = data.get("commune")
        lat, lon = data.get("latitude"), data.get("longitude")
        if isinstance(commune, Commune) and lat is not None and lon is not None and commune.bbox:
            tolerance = 0.05
            if not (
                commune.bbox_min_lat - tolerance <= lat <= commune.bbox_max_lat + tolerance  # type: ignore[operator]
                and commune.bbox_min_lon - tolerance <= lon <= commune.bbox_max_lon + tolerance  # type: ignore[operator]
            ):
                self.add_error(
                    "latitude",
                    f"Ce point est hors de la commune {commune.nom} : vérifiez la latitude et "
                    "la longitude (ne les auriez-vous pas inversées ?).",
                )
        return data


class ServiceForm(MaillageForm):
    nom = forms.CharField(label="Nom", max_length=300)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    categories = forms.ModelMultipleChoiceField(
        label="Catégories",
        queryset=Categorie.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    publics = LinesField(
        label="Publics", help_text="Un par ligne, par exemple : Seniors (+ 65 ans)"
    )
    modalites = forms.MultipleChoiceField(
        label="Modalités",
        choices=Modalite.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    frais = forms.MultipleChoiceField(
        label="Frais", choices=Frais.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    lieux = forms.ModelMultipleChoiceField(
        label="Lieux où le service est rendu",
        queryset=Lieu.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    communes_desservies = forms.CharField(
        label="Communes desservies",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Codes INSEE séparés par des virgules ou des espaces, par exemple : 29151, 29239",
    )

    def __init__(self, *args: Any, structure: Structure, **kwargs: Any) -> None:
        initial = kwargs.get("initial") or {}
        if "communes_desservies" in initial and not isinstance(initial["communes_desservies"], str):
            initial["communes_desservies"] = ", ".join(
                c.code for c in initial["communes_desservies"]
            )
        super().__init__(*args, **kwargs)
        lieux = self.fields["lieux"]
        lieux.queryset = structure.lieux.only("pk", "nom").order_by("nom")  # type: ignore[attr-defined]
        lieux.label_from_instance = lambda lieu: lieu.nom  # type: ignore[attr-defined]

    def clean_communes_desservies(self) -> list[Commune]:
        codes = [c for c in self.cleaned_data["communes_desservies"].replace(",", " ").split() if c]
        found = {
            c.code: c
            for c in Commune.objects.filter(code__in=codes, type=CommuneType.COMMUNE).only(
                "pk", "code", "nom"
            )
        }
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise ValidationError(f"Codes INSEE inconnus : {', '.join(unknown)}.")
        return [found[code] for code in dict.fromkeys(codes)]


class SignalementCloseForm(MaillageForm):
    status = forms.ChoiceField(
        label="Suite donnée",
        choices=[
            (SignalementStatus.FIXED.value, SignalementStatus.FIXED.label),
            (SignalementStatus.REJECTED.value, SignalementStatus.REJECTED.label),
        ],
        widget=forms.RadioSelect,
    )
    reponse = forms.CharField(
        label="Réponse",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Envoyée à la personne si elle a laissé son adresse.",
    )


class ImportUploadForm(MaillageForm):
    fichier = forms.FileField(
        label="Fichier à importer",
        help_text="CSV, XLSX ou JSON au schéma des lieux de médiation numérique, ou d'une source "
        "dont la correspondance de colonnes est enregistrée.",
    )
    source = forms.ModelChoiceField(
        label="Source existante",
        queryset=Source.objects.all(),
        required=False,
        empty_label="— Choisir —",
    )
    nouvelle_source = forms.CharField(
        label="Ou nom d'une nouvelle source",
        max_length=200,
        required=False,
        help_text="Le producteur du fichier, par exemple « Conseil départemental de la Gironde »",
    )

    def clean_fichier(self) -> Any:
        return uploaded_file_checked(
            self.cleaned_data["fichier"],
            extensions=(".csv", ".json", ".xlsx", ".geojson", ".txt"),
            formats=".csv, .xlsx ou .json",
            advice="Découpez-le ou demandez à l'équipe technique de l'importer en ligne de "
            "commande (maillage import_lieux).",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("source") and not (data.get("nouvelle_source") or "").strip():
            self.add_error(
                "source", "Choisissez la source du fichier ou donnez le nom d'une nouvelle source."
            )
        return data


# Column mappings: a sample file, then a column for each standard field.

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
