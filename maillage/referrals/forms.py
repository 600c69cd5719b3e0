"""Forms of the mise en relation: the person's request, the structure's and the person's
actions (their choices come from the workflow's table)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.functional import Promise

from maillage.core.antispam import HoneypotMixin
from maillage.core.forms import MaillageForm
from maillage.orientation.enums import Profil
from maillage.territories.enums import CommuneType
from maillage.territories.models import Commune
from maillage.territories.selectors import commune_search

from .enums import ContactWay, ReferralAction, ReferralOutcome
from .workflow import TRANSITIONS, Actor

StrOrPromise = str | Promise
PHONE = re.compile(r"^\+?[0-9 .\-()]{10,20}$")


def resolve_commune(text: str) -> Commune | None:
    """A commune from « Morlaix », « 29151 » (INSEE), « 29600 » (postal) or « Morlaix (29151) »."""
    text = text.strip()
    code = text.rsplit("(", 1)[-1].rstrip(")").strip() if "(" in text else text
    if len(code) == 5 and code[:2].isalnum():
        found = Commune.objects.filter(code=code, type=CommuneType.COMMUNE).first()
        if found is not None:
            return found
    matches = commune_search(text, limit=1) if text else []
    return matches[0] if matches else None


class ReferralForm(HoneypotMixin, MaillageForm):
    """What the structure needs to call the person back, and the person's explicit consent.

    `besoin` and `commune` are asked only when the guided journey did not already collect
    them (its session dict); `cle` is the one-time submission key.
    """

    besoin = forms.CharField(
        label="Votre besoin",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="En quelques mots : ce que vous voulez faire, ce qui vous bloque.",
    )
    commune = forms.CharField(
        label="Votre commune",
        max_length=100,
        help_text="Nom, code postal ou code INSEE, par exemple « Morlaix » ou « 29600 »",
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    profil = forms.ChoiceField(
        label="Vous êtes",
        choices=[("", "— Choisir —"), *Profil.choices],
        required=False,
    )
    nom = forms.CharField(
        label="Votre nom",
        max_length=150,
        help_text="Pour que la structure sache qui rappeler.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    courriel = forms.EmailField(
        label="Votre adresse e-mail",
        required=False,
        help_text="Format attendu : nom@domaine.fr. Donnez un e-mail, un téléphone, ou les deux.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    telephone = forms.CharField(
        label="Votre numéro de téléphone",
        max_length=20,
        required=False,
        help_text="Format attendu : 06 12 34 56 78",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    contact_prefere = forms.ChoiceField(
        label="Comment préférez-vous être contacté ?",
        choices=ContactWay.choices,
        widget=forms.RadioSelect,
        initial=ContactWay.COURRIEL,
    )
    consentement = forms.BooleanField(
        label="J’accepte que mes coordonnées et mon besoin soient transmis à cette structure.",
        error_messages={
            "required": "Cochez la case pour accepter la transmission de vos coordonnées : "
            "sans elle, la structure ne peut pas vous contacter."
        },
    )
    cle = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(
        self, *args: Any, ask_context: bool = True, for_someone: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.ask_context = ask_context
        if not ask_context:
            for name in ("besoin", "commune", "profil"):
                del self.fields[name]
        if for_someone:
            self.fields["nom"].label = "Nom de la personne accompagnée"
            self.fields["courriel"].label = "Son adresse e-mail"
            self.fields["telephone"].label = "Son numéro de téléphone"
            self.fields["contact_prefere"].label = "Comment préfère-t-elle être contactée ?"
            self.fields["consentement"].label = (
                "La personne accompagnée accepte que ses coordonnées et son besoin soient "
                "transmis à cette structure (je le lui ai demandé)."
            )

    def clean_commune(self) -> Commune:
        text = self.cleaned_data["commune"]
        commune = resolve_commune(text)
        if commune is None:
            raise ValidationError(f"Aucune commune ne correspond à « {text.strip()} ».")
        return commune

    def clean_telephone(self) -> str:
        phone = self.cleaned_data["telephone"].strip()
        if phone and not PHONE.match(phone):
            raise ValidationError("Le numéro de téléphone doit compter au moins 10 chiffres.")
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        courriel = data.get("courriel")
        telephone = data.get("telephone")
        if (
            not courriel
            and not telephone
            and "courriel" not in self.errors
            and "telephone" not in self.errors
        ):
            self.add_error(
                "courriel", "Donnez une adresse e-mail ou un numéro de téléphone (ou les deux)."
            )
        way = data.get("contact_prefere")
        if way == ContactWay.COURRIEL and telephone and not courriel:
            data["contact_prefere"] = ContactWay.TELEPHONE
        if way == ContactWay.TELEPHONE and courriel and not telephone:
            data["contact_prefere"] = ContactWay.COURRIEL
        return data


def consent_text(structure_name: str) -> str:
    days = settings.MAILLAGE_REFERRAL_RETENTION_DAYS
    return (
        f"Votre nom, vos coordonnées et votre besoin sont transmis à « {structure_name} », "
        "et à elle seule (ainsi qu’au conseiller qui vous accompagne, le cas échéant), pour "
        "qu’elle vous recontacte au sujet de votre demande. Si elle vous réoriente, ils sont "
        "transmis au service qu’elle choisit, et vous en êtes informé. Ils sont effacés "
        f"{days} jours après la clôture de la demande. Vous pouvez annuler votre demande à "
        "tout moment avec votre lien de suivi."
    )


def _action_choices(actor: Actor) -> list[tuple[str, StrOrPromise]]:
    """The workflow's actions this actor may ever take (the status decides which one now)."""
    return [
        (action, ReferralAction(action).label)
        for action, transition in TRANSITIONS.items()
        if actor in transition.actors
    ]


class ReferralActionForm(MaillageForm):
    """One of the structure's actions; the fields used depend on the action."""

    action = forms.ChoiceField(choices=_action_choices(Actor.STRUCTURE), widget=forms.HiddenInput)
    message = forms.CharField(
        label="Message à la personne",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Elle le lit sur sa page de suivi et le reçoit par e-mail si elle en a donné un.",
    )
    outcome = forms.ChoiceField(
        label="Issue",
        choices=ReferralOutcome.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    service = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReferralNoteForm(MaillageForm):
    note = forms.CharField(
        label="Note interne",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Visible seulement par la structure et le conseiller, jamais par la personne.",
    )


class PersonActionForm(MaillageForm):
    """What the person does from their follow-up link: cancel, or say it is solved."""

    action = forms.ChoiceField(choices=_action_choices(Actor.PERSON))
