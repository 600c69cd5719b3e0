"""gunicorn's settings for Maillage: `gunicorn -c python:config.gunicorn config.wsgi …`.

- No access log: gunicorn's prints each raw URL, private follow links included. Maillage writes
  its own request log (`maillage.requests`: client address, method, path with its secrets cut
  out, status, duration; maillage/core/logs.py).
- gunicorn's error log goes through the same masking filter as the application's records.
- The server refuses to start while a system check at error level fails, deployment checks
  included (`check --deploy`): no mail server configured in production (maillage.E001), an
  unreadable throttle or proxy setting.
"""

from __future__ import annotations

import os
from typing import Any

accesslog = None
errorlog = "-"
# gunicorn 27's control socket has one default path per user: several servers on one machine
# (the bench, two app servers) would take it from each other. Nothing of Maillage uses it.
control_socket_disable = True
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "maillage.core.logs.RedactingFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "error_console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact"],
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"level": "INFO", "handlers": []},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
    },
}


def on_starting(server: Any) -> None:
    """Run Django's system checks, deployment ones included, before any worker starts."""
    import django
    from django.core import checks

    django.setup()
    serious = [
        message
        for message in checks.run_checks(include_deployment_checks=True)
        if message.is_serious()
    ]
    for message in serious:
        server.log.error("%s", message)
    if serious:
        raise SystemExit(
            "Maillage ne démarre pas : corrigez la configuration ci-dessus (docs/deployment.md)."
        )
