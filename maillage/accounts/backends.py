"""The authentication backend: Django's ModelBackend behind the login lock."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from .lockout import login_failure_record, login_locked, login_success_record
from .models import User


class LockoutModelBackend(ModelBackend):
    """Refuses every attempt, right password included, while the account or the client is
    locked (`request.maillage_login_locked` then holds the seconds to wait); records failures
    and successes otherwise. Without a request (a command, the test client), no lock."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        email = username if username is not None else kwargs.get("email")
        if request is None or email is None:
            return super().authenticate(request, username=username, password=password, **kwargs)
        if wait := login_locked(request, email):
            request.maillage_login_locked = wait  # type: ignore[attr-defined]
            raise PermissionDenied  # stops authenticate() without trying other backends
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            login_failure_record(request, email)
            # The failure that reached a limit already refuses the next attempts.
            if wait := login_locked(request, email):
                request.maillage_login_locked = wait  # type: ignore[attr-defined]
        else:
            login_success_record(request, email)
        return user
