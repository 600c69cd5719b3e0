from typing import Any

from django import forms
from django.conf import settings
from dsfr.forms import DsfrBaseForm


class MaillageForm(DsfrBaseForm):
    """DSFR form that marks optional fields (the DSFR's current rule), without the
    transitional warning django-dsfr emits for its setting."""

    def get_context(self) -> dict:
        context = forms.Form.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context


def uploaded_file_checked(
    upload: Any, *, extensions: tuple[str, ...], formats: str, advice: str
) -> Any:
    """An uploaded file within MAILLAGE_IMPORT_MAX_BYTES and with one of `extensions`, else a
    French error: `formats` names what to send, `advice` what to do with a file too large."""
    limit = settings.MAILLAGE_IMPORT_MAX_BYTES
    if upload.size > limit:
        raise forms.ValidationError(
            f"Fichier trop lourd ({upload.size // 1_000_000} Mo) : la limite est de "
            f"{limit // 1_000_000} Mo. {advice}"
        )
    if not upload.name.lower().endswith(extensions):
        raise forms.ValidationError(f"Format non reconnu : déposez un fichier {formats}.")
    return upload
