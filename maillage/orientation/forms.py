"""Forms of the guided orientation journey: one form per step, each usable without JavaScript.

They only parse and validate; the journey state and the engine call live in `journey.py`
and `views.py`.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from maillage.core.forms import MaillageForm
from maillage.core.text import search_key
from maillage.territories.enums import CommuneType
from maillage.territories.models import Commune
from maillage.territories.selectors import commune_search

from .enums import Profil
from .ranking import JOURS
from .understanding import MAX_CHARS

# Plain French labels and hints of the profiles (step 1).
PROFILS: list[tuple[str, str, str]] = [
    (Profil.PARTICULIER, "Un particulier", "Pour vous-même ou votre famille"),
    (
        Profil.ENTREPRISE,
        "Une entreprise",
        "Commerce, artisan, indépendant, TPE ou PME déjà en activité",
    ),
    (Profil.ASSOCIATION, "Une association", "Bénévole ou salarié d'une association"),
    (Profil.COLLECTIVITE, "Une collectivité", "Élu ou agent d'une mairie, d'une intercommunalité…"),
    (
        Profil.PORTEUR_DE_PROJET,
        "Un porteur de projet",
        "Vous voulez créer une activité, une entreprise ou un projet",
    ),
    (
        Profil.PROFESSIONNEL,
        "Un professionnel qui accompagne quelqu'un",
        "Aidant, conseiller numérique, travailleur social : vous cherchez pour une autre personne",
    ),
]
PROFILS_ACCOMPAGNES = [p for p in PROFILS if p[0] != Profil.PROFESSIONNEL]
RAYONS = [5, 10, 15, 20, 30, 50, 100]
MODALITES = [
    ("", "Peu importe"),
    ("presentiel", "Sur place, dans un lieu"),
    ("a_distance", "À distance (téléphone, visio)"),
    ("a_domicile", "À domicile"),
    ("itinerant", "Itinérant (bus, permanences)"),
]
# Tags or script: refused with a message rather than silently stripped, so the person
# knows what was sent.
_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")


class ProfilForm(MaillageForm):
    profil = forms.ChoiceField(
        label="Vous êtes",
        choices=[(code, label) for code, label, _ in PROFILS],
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez qui vous êtes."},
    )
    profil_accompagne = forms.ChoiceField(
        label="La personne que vous accompagnez est",
        choices=[(code, label) for code, label, _ in PROFILS_ACCOMPAGNES],
        widget=forms.RadioSelect,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("profil") == Profil.PROFESSIONNEL and not data.get("profil_accompagne"):
            self.add_error(
                "profil_accompagne",
                "Vous accompagnez quelqu'un : indiquez qui est la personne accompagnée.",
            )
        return data

    @property
    def engine_profil(self) -> str:
        """The profile the engine works for: the person helped when a professional acts."""
        data = self.cleaned_data
        if data["profil"] == Profil.PROFESSIONNEL:
            return str(data["profil_accompagne"])
        return str(data["profil"])


class CommuneForm(MaillageForm):
    commune = forms.CharField(
        label="Commune",
        max_length=100,
        help_text="Nom ou code postal, par exemple « Morlaix » ou « 29600 »",
        widget=forms.TextInput(
            attrs={"data-commune-input": "", "autocomplete": "off", "spellcheck": "false"}
        ),
        error_messages={
            "required": "Indiquez une commune.",
            "max_length": "Le nom de la commune compte 100 caractères au plus.",
        },
    )
    # Filled when several communes matched and the person picks one of them.
    code = forms.CharField(required=False, max_length=5)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates: list[Commune] = []

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        code = (data.get("code") or "").strip().upper()
        if code:
            found = _commune_by_code(code)
            if found is not None:
                data["resolved"] = found
                return data
        text = (data.get("commune") or "").strip()
        if not text:
            return data
        # "Morlaix (29151)" as filled by the autocomplete, or a bare INSEE code.
        inner = text.rsplit("(", 1)[-1].rstrip(")").strip() if "(" in text else text
        if re.fullmatch(r"[0-9][0-9AB][0-9]{3}", inner.upper()):
            found = _commune_by_code(inner.upper())
            if found is not None and not text.isdigit():
                data["resolved"] = found
                return data
        matches = commune_search(text, limit=8)
        if not matches:
            self.add_error(
                "commune",
                f"Aucune commune ne correspond à « {text[:60]} » : vérifiez l'orthographe "
                "ou indiquez le code postal.",
            )
            return data
        key = search_key(text)
        exact = [c for c in matches if search_key(c.nom) == key or c.code == text]
        if len(matches) == 1 or len(exact) == 1:
            data["resolved"] = exact[0] if exact else matches[0]
            return data
        self.candidates = matches
        self.add_error(
            "commune",
            f"Plusieurs communes correspondent à « {text[:60]} » : choisissez la vôtre "
            "dans la liste ci-dessous.",
        )
        return data


def _commune_by_code(code: str) -> Commune | None:
    return (
        Commune.objects.filter(code=code, type=CommuneType.COMMUNE)
        .only("pk", "code", "nom")
        .first()
    )


class BesoinForm(MaillageForm):
    besoin = forms.CharField(
        label="Décrivez votre besoin avec vos mots",
        help_text=(
            "Par exemple « apprendre à me servir de mon ordinateur » ou « créer le site de ma "
            f"boutique ». {MAX_CHARS:,} caractères au plus.".replace(",", " ")
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_CHARS}),
    )
    categories = forms.MultipleChoiceField(
        label="Ou choisissez dans la liste",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Cette catégorie n'existe pas : « %(value)s »."},
    )

    def __init__(
        self, *args: Any, taxonomy: list[dict[str, Any]], tiers: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.taxonomy = taxonomy
        if tiers:
            _relabel(self, "besoin", "Décrivez le besoin de la personne accompagnée")
        self.fields["categories"].choices = [
            (c["code"], c["libelle"]) for family in taxonomy for c in family["categories"]
        ]

    def clean_besoin(self) -> str:
        text = self.cleaned_data["besoin"].strip()
        if len(text) > MAX_CHARS:
            raise ValidationError(
                f"Votre description est trop longue ({len(text):,} caractères) : {MAX_CHARS:,} "
                "au plus. L'essentiel en quelques phrases suffit.".replace(",", " ")
            )
        if _MARKUP.search(text):
            raise ValidationError(
                "Les balises HTML et les scripts ne sont pas acceptés : écrivez votre besoin "
                "en texte simple."
            )
        if text and not any(ch.isalnum() for ch in text):
            raise ValidationError(
                "Nous n'avons trouvé aucun mot : décrivez votre besoin avec quelques mots "
                "(les émoticônes et la ponctuation seules ne suffisent pas)."
            )
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "besoin" in data and not data["besoin"] and not data.get("categories"):
            self.add_error(
                "besoin",
                "Décrivez votre besoin en quelques mots ou choisissez au moins une catégorie "
                "dans la liste.",
            )
        return data


def _relabel(form: forms.Form, name: str, label: str) -> None:
    # DsfrBaseForm builds the bound fields in its __init__: change both.
    form.fields[name].label = label
    form[name].label = label


class ContraintesForm(MaillageForm):
    rayon_km = forms.TypedChoiceField(
        label="Jusqu'à quelle distance pouvez-vous vous déplacer ?",
        choices=[(str(r), f"{r} km") for r in RAYONS],
        coerce=float,
        initial="15",
    )
    modalite = forms.ChoiceField(
        label="Comment souhaitez-vous être accompagné ?",
        choices=MODALITES,
        widget=forms.RadioSelect,
        required=False,
        initial="",
    )
    jour = forms.ChoiceField(
        label="Ouvert un jour précis",
        choices=[("", "Peu importe")] + [(j, j.capitalize()) for j in JOURS],
        required=False,
    )
    gratuit = forms.BooleanField(label="Seulement les services gratuits", required=False)
    accessible = forms.BooleanField(
        label="Seulement les lieux accessibles (personnes à mobilité réduite)",
        help_text="Lieux qui ont renseigné leur accessibilité",
        required=False,
    )

    def __init__(self, *args: Any, tiers: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if tiers:
            _relabel(self, "rayon_km", "Jusqu'à quelle distance la personne peut-elle aller ?")
            _relabel(self, "modalite", "Comment la personne souhaite-t-elle être accompagnée ?")

    def contraintes(self) -> dict[str, Any]:
        """The constraints exactly as `engine._constraints` accepts them."""
        data = self.cleaned_data
        return {
            "rayon_km": float(data["rayon_km"]),
            "gratuit": bool(data["gratuit"]),
            "modalite": data["modalite"] or "",
            "accessible": bool(data["accessible"]),
            "jour": data["jour"] or "",
        }
