"""Shared fixtures. The whole French reference is loaded once per test session (≈ 15 s):
most tests ask questions about real communes, which a hand-made sample would not answer."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from maillage.accounts.models import User


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # noqa: PT004
    with django_db_blocker.unblock():
        call_command("load_reference", verbosity=0)
        call_command("load_taxonomie", verbosity=0)
        call_command("load_demo", verbosity=0)


@pytest.fixture(autouse=True)
def _throttle_counters_empty(settings):
    """Each test starts with no throttle counts and no login lock (all clients are 127.0.0.1)."""
    from django.core.cache import caches

    caches[settings.MAILLAGE_THROTTLE_CACHE].clear()


@pytest.fixture
def password() -> str:
    return "un mot de passe solide 2026"


@pytest.fixture
def make_user(db, password):
    def make(email: str = "agent@example.fr", **extra) -> User:
        return User.objects.create_user(email=email, password=password, **extra)

    return make
