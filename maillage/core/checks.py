"""System checks of the platform's settings (`manage.py check`, `check --deploy`)."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

from .clients import trusted_proxies_parse
from .throttle import rate_parse

# Backends that do not deliver mail: the console one prints each message (the address, the
# private follow link) into the server's output; the others drop it.
NOT_DELIVERING = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}


@register(Tags.security, deploy=True)
def mail_backend_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """In production, mail goes through a real server, or is explicitly switched off."""
    if settings.EMAIL_BACKEND not in NOT_DELIVERING or settings.MAILLAGE_MAIL_DISABLED:
        return []
    return [
        Error(
            "Aucun serveur de courriel n'est configuré : les courriels (accusés de réception, "
            "liens de suivi, relances) ne partiraient pas, et le mode console les écrirait "
            "avec les adresses des personnes dans le journal du serveur.",
            hint=(
                "Définissez EMAIL_HOST (et EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, "
                "EMAIL_USE_TLS, DEFAULT_FROM_EMAIL), ou MAILLAGE_MAIL_DISABLED=1 si l'instance "
                "fonctionne volontairement sans courriel (voir docs/deployment.md)."
            ),
            id="maillage.E001",
        )
    ]


@register(Tags.security)
def hardening_settings_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """The trusted proxies, throttle rates and secret path patterns can be read."""
    errors = []
    try:
        trusted_proxies_parse(settings.MAILLAGE_TRUSTED_PROXIES)
    except ValueError as exc:
        errors.append(
            Error(
                f"MAILLAGE_TRUSTED_PROXIES illisible : {exc}",
                hint="Un nombre de relais (1) ou des réseaux séparés par des virgules.",
                id="maillage.E002",
            )
        )
    for scope, rate in settings.MAILLAGE_THROTTLE_RATES.items():
        try:
            rate_parse(rate)
        except ValueError as exc:
            errors.append(
                Error(
                    f"MAILLAGE_THROTTLE_{scope.upper()} : {exc}",
                    hint="Exemples : 30/min, 10/h, 1000/d, off.",
                    id="maillage.E003",
                )
            )
    for pattern in settings.MAILLAGE_LOG_SECRET_PATHS:
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            compiled = None
            errors.append(
                Error(f"MAILLAGE_LOG_SECRET_PATHS : {pattern!r} : {exc}", id="maillage.E004")
            )
        if compiled is not None and not compiled.groups:
            errors.append(
                Error(
                    f"MAILLAGE_LOG_SECRET_PATHS : {pattern!r} n'a aucun groupe à masquer.",
                    hint="Entourez le segment secret de parenthèses : /suivi/([^/]+)",
                    id="maillage.E004",
                )
            )
    return errors
