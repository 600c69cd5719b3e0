from django import forms
from dsfr.forms import DsfrBaseForm


class MaillageForm(DsfrBaseForm):
    """DSFR form that marks optional fields (the DSFR's current rule), without the
    transitional warning django-dsfr emits for its setting."""

    def get_context(self) -> dict:
        context = forms.Form.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context
