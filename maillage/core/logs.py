"""Logs without personal data: one line per request, and every record scrubbed.

- `RequestLogMiddleware` writes one line per request on the `maillage.requests` logger:
  method, path with its secret segments cut out (`settings.MAILLAGE_LOG_SECRET_PATHS`), the
  names of the query parameters without their values, status and duration. It replaces
  gunicorn's access log, which prints the raw URL (config/gunicorn.py turns it off).
- `RequestContextFilter` gives every record the client's address (`client_ip`) as
  `%(client)s`, so any line written while serving a request says whose request it was.
- `RedactingFilter` masks, in any record (message, arguments, traceback), e-mail addresses,
  phone numbers, long random tokens and the secret path segments: defence in depth, the code
  itself never logs personal data.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse

from .clients import client_ip

logger = logging.getLogger("maillage.requests")

_client: ContextVar[str] = ContextVar("maillage_log_client", default="-")

HIDDEN = "…"
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# French numbers (0X XX XX XX XX, +33 X…, 0033 X…, any of space . - between pairs) and
# international ones written with a +.
PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+33|0033)[\s.-]?(?:\(0\)[\s.-]?)?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)"
    r"|(?<![\w+])\+\d{1,3}(?:[\s.-]?\d){7,13}(?!\d)"
)
# Random-looking tokens (private links, keys): 32 characters or more of the URL-safe
# alphabet mixing letters and digits.
TOKEN = re.compile(r"(?<![A-Za-z0-9_-])(?=[A-Za-z_-]*\d)(?=[0-9_-]*[A-Za-z])[A-Za-z0-9_-]{32,}")


@lru_cache(maxsize=4)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern) for pattern in patterns)


def _secret_patterns() -> tuple[re.Pattern[str], ...]:
    try:
        return _compiled(tuple(getattr(settings, "MAILLAGE_LOG_SECRET_PATHS", ())))
    except ImproperlyConfigured:  # gunicorn's master before Django is set up
        return ()


def _groups_cut(match: re.Match[str]) -> str:
    whole, start = match.group(0), match.start(0)
    spans = [match.span(i) for i in range(1, (match.re.groups or 0) + 1)]
    pieces, position = [], 0
    for begin, end in sorted(span for span in spans if span[0] >= 0):
        pieces += [whole[position : begin - start], HIDDEN]
        position = end - start
    return "".join(pieces) + whole[position:]


def secrets_cut(text: str, patterns: Iterable[re.Pattern[str]]) -> str:
    """`text` with every group matched by `patterns` replaced by « … »."""
    for pattern in patterns:
        text = pattern.sub(_groups_cut, text)
    return text


def redact(text: str) -> str:
    """`text` without secret path segments, e-mail addresses, phone numbers or tokens."""
    text = secrets_cut(text, _secret_patterns())
    text = EMAIL.sub("[courriel]", text)
    text = PHONE.sub("[téléphone]", text)
    return TOKEN.sub(HIDDEN, text)


def path_for_log(request: HttpRequest) -> str:
    """The request's path with secrets cut out, and its query's parameter names only."""
    path = secrets_cut(request.path, _secret_patterns())
    names = list(dict.fromkeys(request.GET.keys()))
    return path + ("?" + "&".join(f"{name}={HIDDEN}" for name in names) if names else "")


class RequestContextFilter(logging.Filter):
    """Gives every record `client`: the address of the client being served, or `-`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "client"):
            record.client = _client.get()
        return True


class RedactingFilter(logging.Filter):
    """Masks personal data and secrets in the message, its arguments and its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record logging will report as malformed: leave it be
            return True
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class RequestLogMiddleware:
    """One `maillage.requests` line per request: `GET /path 200 12ms`, client in context."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        # Kept until the response is closed (request_finished): Django logs 4xx and 5xx
        # responses after the middlewares have returned.
        _client.set(client_ip(request))
        response = self.get_response(request)
        logger.info(
            "%s %s %s %.0fms",
            request.method,
            path_for_log(request),
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
        return response


def _client_forget(**kwargs: object) -> None:
    _client.set("-")


request_finished.connect(_client_forget, dispatch_uid="maillage.core.logs.client")
