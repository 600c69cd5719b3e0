from django import template

from maillage.orientation.journey import referral_url as _referral_url

register = template.Library()


@register.simple_tag
def referral_url(service_id: int) -> str | None:
    """`{% referral_url id as url %}`: the mise en relation page, or None when that
    feature is not installed (the button is then not shown)."""
    return _referral_url(service_id)
