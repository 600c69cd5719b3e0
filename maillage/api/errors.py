"""Error responses shared by the whole API: always JSON, always a French message.

Three layers, so that no error under /api/ answers HTML whoever raises it:
- ninja exception handlers for what an endpoint raises (not found, refused, invalid body,
  body too large, throttled…);
- `JsonParser`: a body that is not JSON, or nested too deeply for the decoder, is a clear 400;
- `JsonErrorsMiddleware`: any other error response under the API prefix that is not JSON
  (Django's own 404 for an unknown path, a 405, a 500 page in production or the debug page
  in development) is replaced by `{"detail": "…"}` with the same status, without traceback.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.parser import Parser

from maillage.core.throttle import retry_message

API_PREFIX = "/api/"
NINJA_MESSAGES = {"Too many requests.", "Unauthorized", "Forbidden", "Not Found"}


class BodyError(ValueError):
    """The request body cannot be read as JSON; the message is French, for the client."""


class JsonParser(Parser):
    """ninja's parser with French reasons for a body that is not JSON."""

    def parse_body(self, request: HttpRequest) -> Any:
        try:
            return json.loads(request.body)
        except RecursionError as exc:
            raise BodyError(
                "Corps de la requête illisible : le JSON est imbriqué trop profondément."
            ) from exc
        except UnicodeDecodeError as exc:
            raise BodyError(
                "Corps de la requête illisible : il n'est pas encodé en UTF-8."
            ) from exc
        except json.JSONDecodeError as exc:
            raise BodyError(
                f"Corps de la requête illisible : JSON invalide (ligne {exc.lineno}, "
                f"colonne {exc.colno})."
            ) from exc


def body_limit_text() -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    return f"{limit / 1_048_576:.1f}".replace(".", ",").replace(",0", "") + " Mo"


def status_message(status: int) -> str:
    """The French message of an error status with nothing more specific to say."""
    messages = {
        400: "Requête invalide.",
        401: "Authentification requise : connectez-vous puis réessayez.",
        403: "Accès refusé : votre compte n'a pas les droits sur cette ressource.",
        404: "Ressource introuvable.",
        405: "Méthode non autorisée pour cette adresse.",
        413: f"Corps de la requête trop volumineux : la limite est de {body_limit_text()}.",
        429: "Trop de requêtes : réessayez dans quelques secondes.",
    }
    if status in messages:
        return messages[status]
    if status >= 500:
        return "Erreur interne du serveur : réessayez plus tard."
    return f"Erreur {status}."


def register_error_handlers(api: NinjaAPI) -> None:
    def reply(request: HttpRequest, status: int, detail: Any, **extra: Any) -> HttpResponse:
        return api.create_response(request, {"detail": detail, **extra}, status=status)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return reply(request, 404, str(exc) or status_message(404))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return reply(request, 401, status_message(401))

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return reply(request, 403, status_message(403))

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return reply(request, 422, "Paramètres invalides.", erreurs=exc.errors)

    @api.exception_handler(Throttled)
    def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        wait = int(exc.wait or getattr(request, "_maillage_retry_after", 0) or 1)
        response = reply(request, 429, retry_message(wait))
        response["Retry-After"] = str(wait)
        return response

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return reply(request, 413, status_message(413))

    @api.exception_handler(SuspiciousOperation)
    def suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
            return reply(request, 400, "Requête invalide : trop de champs.")
        return reply(request, 400, status_message(400))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, BodyError):
            return reply(request, exc.status_code, str(exc.__cause__))
        if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
            return reply(request, 400, "Corps de la requête illisible.")
        message = str(exc)
        if not message or message in NINJA_MESSAGES:  # ninja's own English words
            message = status_message(exc.status_code)
        return reply(request, exc.status_code, message)


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip().endswith("json")


class JsonErrorsMiddleware:
    """Under the API prefix, an error response that is not JSON becomes `{"detail": …}`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith(API_PREFIX)
            or _is_json(response)
            or getattr(response, "streaming", False)
        ):
            return response
        replaced = JsonResponse(
            {"detail": status_message(response.status_code)}, status=response.status_code
        )
        for header in ("Allow", "Retry-After", "WWW-Authenticate", "Vary"):
            if response.has_header(header):
                replaced[header] = response[header]
        return replaced
