from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from maillage.core.forms import MaillageForm

from .lockout import lock_message


class EmailLoginForm(MaillageForm, AuthenticationForm):
    username = forms.EmailField(
        label=_("Adresse e-mail"),
        help_text=_("Format attendu : nom@domaine.fr"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _(
            "Adresse e-mail ou mot de passe incorrect. Vérifiez votre saisie ; "
            "les majuscules comptent dans le mot de passe."
        ),
        "inactive": _("Ce compte est désactivé. Contactez l'administrateur de votre territoire."),
    }

    def get_invalid_login_error(self) -> forms.ValidationError:
        """While the login is locked (maillage/accounts/lockout.py), say so and how long."""
        if wait := self.locked_for():
            return forms.ValidationError(lock_message(wait), code="locked")
        return super().get_invalid_login_error()

    def locked_for(self) -> int:
        return int(getattr(self.request, "maillage_login_locked", 0) or 0)
