"""`{{ value|http_url }}`: a URL from data, or "" when it is not http(s)."""

from django import template

from maillage.core.weburl import http_url as _http_url

register = template.Library()


@register.filter
def http_url(value: object) -> str:
    return _http_url(value)
