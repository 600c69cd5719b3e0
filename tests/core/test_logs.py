"""No personal data in logs: one redacted line per request, every record scrubbed, and no
production start without a real mail server."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import checks
from django.test import override_settings

from maillage.core.logs import RedactingFilter, redact

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcdef"


def test_redact_masks_addresses_phones_tokens_and_secret_paths():
    text = (
        f"Envoyé à Anne.Dupont+cv@exemple.fr (06 12 34 56 78, +33 6 12 34 56 78, "
        f"0612345678, 01.23.45.67.89) : /mise-en-relation/suivi/{TOKEN}/ clé {TOKEN}"
    )
    masked = redact(text)
    assert "Anne" not in masked and "exemple.fr" not in masked
    assert "[courriel]" in masked
    assert "12 34" not in masked and "0612345678" not in masked and "67.89" not in masked
    assert masked.count("[téléphone]") == 4
    assert TOKEN not in masked
    assert "/mise-en-relation/suivi/…/" in masked


def test_redact_leaves_ordinary_figures_alone():
    text = (
        "import run 12 : 1 250 lignes, commune 29151, SIRET 13002526500013, "
        "2026-12-02 06:37:43, 48.5776,-3.8283, 200 en 15 ms, sha 4f3a9c"
    )
    assert redact(text) == text


@pytest.fixture
def console():
    """The root logger's console handler (settings.LOGGING), writing into a string."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RedactingFilter) for f in h.filters)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_any_record_is_scrubbed_arguments_and_traceback_included(console):
    log = logging.getLogger("maillage.essai")
    log.warning("referral for %s at %s", "anne@exemple.fr", "06 12 34 56 78")
    try:
        raise ValueError(
            f"adresse refusée : anne@exemple.fr, lien /mise-en-relation/suivi/{TOKEN}/"
        )
    except ValueError:
        log.exception("échec")
    output = console.getvalue()
    assert "anne@exemple.fr" not in output and "06 12 34 56 78" not in output
    assert TOKEN not in output
    assert "Traceback" in output and "ValueError: adresse refusée : [courriel]" in output


@pytest.mark.django_db
def test_the_request_log_has_the_client_and_no_secret(client, console):
    with override_settings(MAILLAGE_TRUSTED_PROXIES="1"):
        client.get(
            f"/mise-en-relation/suivi/{TOKEN}/",
            {"courriel": "anne@exemple.fr", "q": "tablette"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7",
        )
    lines = console.getvalue().splitlines()
    request_line = next(line for line in lines if "maillage.requests" in line)
    assert "[203.0.113.7]" in request_line
    assert "GET /mise-en-relation/suivi/…/?courriel=…&q=… " in request_line
    assert request_line.split()[-2] in {"200", "302", "404", "410"}
    assert request_line.endswith("ms")
    output = "\n".join(lines)
    assert TOKEN not in output and "anne" not in output and "tablette" not in output
    # Django's own warning of the 404 carries the client and no secret either.
    assert any("django.request [203.0.113.7]" in line for line in lines)


def test_apps_register_their_own_secret_routes(settings):
    settings.MAILLAGE_LOG_SECRET_PATHS = [
        *settings.MAILLAGE_LOG_SECRET_PATHS,
        r"/consultations/invitation/(\d+)/([^/]+)",
    ]
    assert redact("GET /consultations/invitation/12/secret/") == (
        "GET /consultations/invitation/…/…/"
    )


def _deploy_errors() -> list[str]:
    return [
        m.id
        for m in checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
        if m.is_serious()
    ]


def test_deploy_check_refuses_a_mail_backend_that_delivers_nothing():
    console_backend = "django.core.mail.backends.console.EmailBackend"
    with override_settings(EMAIL_BACKEND=console_backend, MAILLAGE_MAIL_DISABLED=False):
        assert "maillage.E001" in _deploy_errors()
    with override_settings(EMAIL_BACKEND=console_backend, MAILLAGE_MAIL_DISABLED=True):
        assert "maillage.E001" not in _deploy_errors()
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend"):
        assert "maillage.E001" not in _deploy_errors()


def _prod(*args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("EMAIL_", "MAILLAGE_MAIL")) and key != "DJANGO_SETTINGS_MODULE"
    }
    environ.update(SECRET_KEY="x" * 60 + "-deploy-check-in-tests", **env)
    return subprocess.run(  # noqa: S603 - our own command
        [sys.executable, str(ROOT / "manage.py"), *args, "--settings=config.settings.prod"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_email_host_fails_check_deploy_and_prints_no_mail():
    refused = _prod("check", "--deploy", "--fail-level", "ERROR")
    assert refused.returncode != 0
    assert "maillage.E001" in refused.stderr and "EMAIL_HOST" in refused.stderr
    assert (
        _prod("check", "--deploy", "--fail-level", "ERROR", EMAIL_HOST="smtp.exemple.fr").returncode
        == 0
    )
    disabled = _prod("check", "--deploy", "--fail-level", "ERROR", MAILLAGE_MAIL_DISABLED="1")
    assert disabled.returncode == 0
    backend = _prod(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.EMAIL_BACKEND)",
    )
    assert backend.stdout.strip() == "django.core.mail.backends.dummy.EmailBackend"
