from __future__ import annotations

from django import forms

from maillage.core.forms import MaillageForm

from .enums import Modalite
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
