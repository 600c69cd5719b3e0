"""Production: base settings plus HTTPS hardening. The default settings module."""

from .base import *  # noqa: F403
from .base import EMAIL_BACKEND, env_bool

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(__import__("os").environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False
# HSTS preload is a decision for the owner of the domain (it cannot be undone quickly).
SILENCED_SYSTEM_CHECKS = ["security.W021"]
if EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend":
    # Never print mail (addresses, private links) into the server's output: without
    # EMAIL_HOST, nothing is sent and `check --deploy` fails (maillage.E001) until EMAIL_HOST
    # or MAILLAGE_MAIL_DISABLED=1 is set; config/gunicorn.py refuses to start on it.
    EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
