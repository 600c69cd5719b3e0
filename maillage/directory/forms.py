from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from maillage.core.antispam import HoneypotMixin
from maillage.core.forms import MaillageForm

from .enums import Modalite, SignalementTopic
from .models import Categorie

RADIUS_CHOICES = [("5", "5 km"), ("10", "10 km"), ("20", "20 km"), ("50", "50 km")]


class DirectorySearchForm(MaillageForm):
    """The public search form; every field optional, works without JavaScript."""

    q = forms.CharField(
        label="Que cherchez-vous ?",
        required=False,
        max_length=200,
        help_text="Par exemple : impression 3D, démarches en ligne, coworking",
    )
    commune = forms.CharField(
        label="Près de quelle commune ?",
        required=False,
        max_length=100,
        help_text="Nom ou code postal",
    )
    rayon_km = forms.ChoiceField(
        label="Dans un rayon de", choices=RADIUS_CHOICES, initial="10", required=False
    )
    categorie = forms.MultipleChoiceField(
        label="Thèmes", required=False, widget=forms.CheckboxSelectMultiple
    )
    gratuit = forms.BooleanField(label="Gratuit seulement", required=False)
    modalite = forms.ChoiceField(
        label="Modalité",
        required=False,
        choices=[("", "Toutes"), *[(m.value, m.label) for m in Modalite]],
    )
    ouvert_maintenant = forms.BooleanField(label="Ouvert maintenant", required=False)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["categorie"].choices = list(  # type: ignore[attr-defined]
            Categorie.objects.values_list("code", "libelle")
        )


class SignalementForm(HoneypotMixin, MaillageForm):
    """The public "signaler une erreur" form; `website` is a honeypot left empty by people."""

    sujet = forms.ChoiceField(label="Qu'est-ce qui est inexact ?", choices=SignalementTopic.choices)
    message = forms.CharField(
        label="Votre message",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Dites ce qui est faux et, si vous le savez, la bonne information.",
    )
    courriel = forms.EmailField(
        label="Votre adresse e-mail",
        required=False,
        help_text=(
            "Facultatif. Si vous la donnez, nous l'utilisons seulement pour vous dire ce que "
            "nous avons fait de votre signalement ; elle est effacée 90 jours après sa clôture."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        retention = getattr(settings, "MAILLAGE_SIGNALEMENT_RETENTION_DAYS", 90)
        self.fields["courriel"].help_text = (
            "Facultatif. Si vous la donnez, elle sert seulement à vous dire ce que nous avons "
            f"fait de votre signalement ; elle est effacée {retention} jours après sa clôture."
        )
