"""Per-client throttles: one counter for the API, the costly pages and the forms."""

from __future__ import annotations

import socket
import uuid

import pytest
from django.core.cache import caches
from django.test import RequestFactory, override_settings
from django.urls import reverse

from maillage.core.antispam import rate_limited
from maillage.core.throttle import (
    Rate,
    demand_counts,
    rate_parse,
    repeated_call,
    throttle_hit,
)

RATES = {"api": "3/min", "api_write": "2/min", "orientation": "2/min", "login": "2/min"}


def rates(**changes: str) -> dict[str, str]:
    from django.conf import settings

    return {**settings.MAILLAGE_THROTTLE_RATES, **RATES, **changes}


def test_rates_are_read_from_count_and_period():
    assert rate_parse("30/min") == Rate(30, 60)
    assert rate_parse("10/h") == Rate(10, 3600)
    assert rate_parse("5/15min") == Rate(5, 900)
    assert rate_parse("off") is None
    with pytest.raises(ValueError):
        rate_parse("trente par minute")
    with pytest.raises(ValueError):
        rate_parse("3/semaine")


def test_a_refused_call_is_not_counted_and_says_when_to_come_back():
    rate = Rate(3, 60)
    start = 6000.0  # the start of a window
    assert [throttle_hit("t", "a", rate, now=start + i).allowed for i in range(3)] == [True] * 3
    refused = throttle_hit("t", "a", rate, now=start + 10)
    assert not refused.allowed
    assert 1 <= refused.retry_after <= 120
    # Another client is not concerned.
    assert throttle_hit("t", "b", rate, now=start + 10).allowed
    # Hammering does not push the limit further: once the window has slid, calls pass again.
    for second in range(11, 50):
        throttle_hit("t", "a", rate, now=start + second)
    assert throttle_hit("t", "a", rate, now=start + 10 + refused.retry_after + 60).allowed


def test_the_sliding_window_keeps_the_previous_window_in_proportion():
    rate = Rate(10, 60)
    for i in range(10):
        assert throttle_hit("s", "a", rate, now=6050.0 + i * 0.1).allowed
    # 15 s into the next window, 75 % of the previous 10 calls still count: 2 more pass.
    allowed = [throttle_hit("s", "a", rate, now=6075.0).allowed for _ in range(4)]
    assert allowed == [True, True, False, False]


@pytest.mark.django_db
def test_api_over_the_limit_answers_429_in_french_with_retry_after(client):
    with override_settings(MAILLAGE_THROTTLE_RATES=rates()):
        codes = [client.get("/api/v1/sante").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    with override_settings(MAILLAGE_THROTTLE_RATES=rates()):
        response = client.get("/api/v1/sante")
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    wait = int(response["Retry-After"])
    assert wait >= 1
    assert response.json() == {"detail": f"Trop de requêtes : réessayez dans {wait} secondes."}


@pytest.mark.django_db
def test_api_writes_have_their_own_tighter_limit(client):
    body = {"besoin": "apprendre à utiliser ma tablette", "commune": "29151"}
    with override_settings(MAILLAGE_THROTTLE_RATES=rates(api="100/min")):
        codes = [
            client.post("/api/v1/orientations", body, content_type="application/json").status_code
            for _ in range(3)
        ]
        assert codes[:2] == [200, 200] and codes[2] == 429
        assert client.get("/api/v1/sante").status_code == 200  # reads still pass


@pytest.mark.django_db
def test_behind_the_proxy_two_forwarded_clients_have_separate_limits(client):
    """The check of issue 17: with the trusted-proxy setting, the limit follows the address
    the balancer forwards, not the balancer's own address."""
    with override_settings(MAILLAGE_TRUSTED_PROXIES="1", MAILLAGE_THROTTLE_RATES=rates()):

        def call(address: str) -> int:
            return client.get(
                "/api/v1/sante", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=address
            ).status_code

        assert [call("203.0.113.1") for _ in range(4)] == [200, 200, 200, 429]
        assert [call("203.0.113.2") for _ in range(2)] == [200, 200]
        # A client writing its own left part of the header is still itself: the throttled
        # one stays throttled, the other one uses its third call then is throttled too.
        assert call("203.0.113.77, 203.0.113.1") == 429
        assert call("203.0.113.1, 203.0.113.2") == 200
        assert call("198.51.100.1, 203.0.113.2") == 429


@pytest.mark.django_db
def test_without_the_setting_a_forged_header_changes_nothing(client):
    with override_settings(MAILLAGE_TRUSTED_PROXIES="0", MAILLAGE_THROTTLE_RATES=rates()):
        codes = [
            client.get("/api/v1/sante", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code
            for i in range(4)
        ]
    assert codes == [200, 200, 200, 429]


@pytest.mark.django_db
def test_a_costly_page_over_the_limit_gets_a_french_page_with_retry_after(client):
    """The orientation results page is throttled per client (settings' view list)."""
    url = reverse("orientation:resultats")
    with override_settings(MAILLAGE_THROTTLE_RATES=rates()):
        codes = [client.get(url).status_code for _ in range(3)]
        response = client.get(url)
    assert codes[:2] != [429, 429] and codes[2] == 429
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    html = response.content.decode()
    assert "Trop de requêtes" in html and "Réessayez dans" in html
    assert 'class="fr-alert fr-alert--warning' in html


@pytest.mark.django_db
def test_the_login_form_is_throttled_per_client(client):
    url = reverse("accounts:login")
    data = {"username": "personne@example.fr", "password": "x"}
    with override_settings(MAILLAGE_THROTTLE_RATES=rates(), MAILLAGE_LOGIN_FAILURES_PER_ADDRESS=99):
        codes = [client.post(url, data).status_code for _ in range(3)]
        assert client.get(url).status_code == 200  # showing the form is not limited
    assert codes == [200, 200, 429]


@pytest.mark.django_db
def test_form_rate_limits_follow_the_forwarded_client():
    factory = RequestFactory()

    def submit(address: str) -> bool:
        request = factory.post("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=address)
        return rate_limited(request, scope="essai", per_hour=2)

    with override_settings(MAILLAGE_TRUSTED_PROXIES="1"):
        assert [submit("203.0.113.1") for _ in range(3)] == [False, False, True]
        assert [submit("203.0.113.2") for _ in range(2)] == [False, False]


@pytest.mark.django_db
def test_a_view_answering_429_itself_gets_retry_after(client, settings):
    """The signalement form's hourly limit (its own 429) now says when to come back."""
    import time

    from tests.directory.factories import LieuFactory

    url = reverse("directory:signalement_create", args=[LieuFactory(morlaix=True).pk])
    settings.MAILLAGE_SIGNALEMENT_PER_HOUR = 1
    data = {
        "sujet": "horaires",
        "message": "Fermé le mercredi depuis septembre.",
        "courriel": "",
        "website": "",
        "started": str(time.time() - 30),
    }
    assert client.post(url, data).status_code == 200
    second = client.post(url, data)
    assert second.status_code == 429
    assert 1 <= int(second["Retry-After"]) <= 2 * 3600  # sliding window: at most 2 periods


def test_demand_helpers_mark_repeated_calls():
    """The helper the demand counters call: the same call from the same client within the
    hour is counted once; another client, or another need, is new demand."""
    factory = RequestFactory()
    first = factory.post("/", REMOTE_ADDR="203.0.113.1")
    assert not repeated_call(first, scope="orientation", fingerprint=("tablette", "29151"))
    assert demand_counts(first)
    again = factory.post("/", REMOTE_ADDR="203.0.113.1")
    assert repeated_call(again, scope="orientation", fingerprint=("tablette", "29151"))
    assert not demand_counts(again)
    other = factory.post("/", REMOTE_ADDR="203.0.113.2")
    assert not repeated_call(other, scope="orientation", fingerprint=("tablette", "29151"))
    other_need = factory.post("/", REMOTE_ADDR="203.0.113.1")
    assert not repeated_call(other_need, scope="orientation", fingerprint=("cv", "29151"))


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="Redis absent sur 127.0.0.1:6379")
def test_the_same_counter_works_on_redis():
    redis = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/0",
        "KEY_PREFIX": "hardening-core-test",
    }
    with override_settings(
        CACHES={"default": redis, "redis": redis}, MAILLAGE_THROTTLE_CACHE="redis"
    ):
        # A fresh client identity each run; the keys expire by themselves (never flush: the
        # Redis server is shared).
        ident, rate = f"redis-{uuid.uuid4()}", Rate(2, 60)
        allowed = [throttle_hit("redis-test", ident, rate).allowed for _ in range(3)]
        assert caches["redis"].get("nothing-here") is None
    assert allowed == [True, True, False]
