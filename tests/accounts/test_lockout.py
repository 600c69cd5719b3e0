"""Login lock after repeated failures, per account and per address, without telling anyone
which addresses have an account."""

from __future__ import annotations

import time

import pytest
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOCK = {
    "MAILLAGE_LOGIN_FAILURES_PER_ACCOUNT": 3,
    "MAILLAGE_LOGIN_FAILURES_PER_ADDRESS": 5,
    "MAILLAGE_LOGIN_LOCK_S": 600,
}


def login(client, email: str, password: str, address: str = "127.0.0.1"):
    return client.post(
        reverse("accounts:login"),
        {"username": email, "password": password},
        REMOTE_ADDR=address,
    )


@override_settings(**LOCK)
def test_the_account_locks_after_n_failures_and_the_right_password_does_not_log_in(
    client, make_user, password
):
    make_user("claire@morlaix.fr")
    codes = [login(client, "claire@morlaix.fr", "faux").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    response = login(client, "claire@morlaix.fr", password)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 500
    page = response.content.decode()
    assert "Trop de tentatives de connexion" in page and "10 minutes" in page
    assert "_auth_user_id" not in client.session
    # From another address too: the lock is the account's.
    assert login(client, "claire@morlaix.fr", password, address="203.0.113.5").status_code == 429
    assert "_auth_user_id" not in client.session


@override_settings(**LOCK)
def test_the_lock_ends_after_its_time(client, make_user, password, monkeypatch):
    make_user("claire@morlaix.fr")
    for _ in range(3):
        login(client, "claire@morlaix.fr", "faux")
    later = time.time() + 601
    monkeypatch.setattr("maillage.accounts.lockout.time.time", lambda: later)
    # The local-memory cache also expires its keys by the clock.
    monkeypatch.setattr("django.core.cache.backends.locmem.time.time", lambda: later)
    assert login(client, "claire@morlaix.fr", password).status_code == 302


@override_settings(**LOCK)
def test_the_address_locks_after_n_failures_on_any_accounts(client, make_user, password):
    make_user("claire@morlaix.fr")
    for i in range(5):
        login(client, f"inconnu{i}@example.fr", "faux", address="203.0.113.9")
    assert login(client, "claire@morlaix.fr", password, address="203.0.113.9").status_code == 429
    assert "_auth_user_id" not in client.session
    # The account itself is not locked: from elsewhere it logs in.
    assert login(client, "claire@morlaix.fr", password, address="198.51.100.4").status_code == 302


@override_settings(**LOCK)
def test_the_lock_does_not_reveal_which_addresses_have_an_account(client, make_user):
    make_user("claire@morlaix.fr")
    answers = []
    for email, address in [
        ("claire@morlaix.fr", "198.51.100.1"),
        ("personne@morlaix.fr", "198.51.100.2"),
    ]:
        responses = [login(client, email, "faux", address=address) for _ in range(3)]
        answers.append([(r.status_code, r.context["form"].non_field_errors()) for r in responses])
    (known, unknown) = answers
    assert known == unknown
    assert [code for code, _ in known] == [200, 200, 429]


@override_settings(**LOCK)
def test_a_success_forgets_the_account_failures(client, make_user, password):
    make_user("claire@morlaix.fr")
    login(client, "claire@morlaix.fr", "faux")
    login(client, "claire@morlaix.fr", "faux")
    assert login(client, "claire@morlaix.fr", password).status_code == 302
    client.logout()
    assert [login(client, "claire@morlaix.fr", "faux").status_code for _ in range(2)] == [200, 200]


@override_settings(**LOCK)
def test_the_admin_login_is_locked_too(client, make_user, password):
    make_user("admin@morlaix.fr", is_staff=True, is_superuser=True)
    url = reverse("admin:login")
    for _ in range(3):
        client.post(url, {"username": "admin@morlaix.fr", "password": "faux"})
    response = client.post(url, {"username": "admin@morlaix.fr", "password": password})
    assert response.status_code == 200  # the admin's form, with its error
    assert "_auth_user_id" not in client.session
