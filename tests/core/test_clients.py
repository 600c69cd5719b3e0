"""The client's address behind proxies: only the hops we trust are read, from the right."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from maillage.core.clients import client_address, client_ip, trusted_proxies_parse

NONE = trusted_proxies_parse("0")
ONE = trusted_proxies_parse("1")
TWO = trusted_proxies_parse("2")
NETWORKS = trusted_proxies_parse("10.0.0.0/8, 192.168.1.0/24")


def test_without_trusted_proxies_the_header_is_ignored():
    assert client_address("198.51.100.7", "203.0.113.9", NONE) == "198.51.100.7"
    assert client_address("198.51.100.7", "", NONE) == "198.51.100.7"


def test_one_trusted_hop_takes_the_address_the_balancer_appended():
    """The balancer appends what it saw on the right; what the client wrote on the left is
    ignored."""
    assert client_address("10.0.0.2", "203.0.113.9", ONE) == "203.0.113.9"
    assert client_address("10.0.0.2", "1.2.3.4, 203.0.113.9", ONE) == "203.0.113.9"
    assert client_address("10.0.0.2", "evil, 1.2.3.4,203.0.113.9", ONE) == "203.0.113.9"


def test_two_trusted_hops_skip_the_cdn_as_well():
    assert client_address("10.0.0.2", "6.6.6.6, 203.0.113.9, 172.16.0.5", TWO) == "203.0.113.9"


def test_a_request_that_skipped_the_proxies_keeps_its_own_address():
    assert client_address("198.51.100.7", "", ONE) == "198.51.100.7"
    assert client_address("198.51.100.7", "203.0.113.9", TWO) == "203.0.113.9"


def test_trusted_networks_walk_left_until_an_outside_address():
    assert client_address("10.0.0.2", "203.0.113.9, 192.168.1.4", NETWORKS) == "203.0.113.9"
    # Not from one of our proxies: the header is not believed.
    assert client_address("198.51.100.7", "203.0.113.9", NETWORKS) == "198.51.100.7"
    # A garbled hop stops the walk at the last address we could read.
    assert client_address("10.0.0.2", "203.0.113.9, garbage", NETWORKS) == "10.0.0.2"


def test_addresses_with_ports_and_ipv6_are_read():
    assert client_address("10.0.0.2", "203.0.113.9:5123", ONE) == "203.0.113.9"
    assert client_address("10.0.0.2", "[2001:db8::1]:443", ONE) == "2001:db8::1"
    assert client_address("10.0.0.2", "2001:db8::1", ONE) == "2001:db8::1"
    assert client_address("10.0.0.2", "unknown", ONE) == "10.0.0.2"


def test_the_setting_is_parsed_strictly():
    assert trusted_proxies_parse("") == NONE
    assert trusted_proxies_parse(3).hops == 3
    with pytest.raises(ValueError):
        trusted_proxies_parse("beaucoup")


def test_client_ip_reads_the_setting_and_remembers_its_answer():
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    with override_settings(MAILLAGE_TRUSTED_PROXIES="1"):
        assert client_ip(request) == "203.0.113.9"
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    with override_settings(MAILLAGE_TRUSTED_PROXIES="0"):
        assert client_ip(request) == "10.0.0.2"


def test_behind_tls_proxy_alone_trusts_one_hop(monkeypatch):
    """BEHIND_TLS_PROXY=1 without MAILLAGE_TRUSTED_PROXIES: one balancer in front."""
    import importlib

    import config.settings.base as base

    monkeypatch.setenv("BEHIND_TLS_PROXY", "1")
    monkeypatch.delenv("MAILLAGE_TRUSTED_PROXIES", raising=False)
    try:
        assert importlib.reload(base).MAILLAGE_TRUSTED_PROXIES == "1"
        monkeypatch.setenv("MAILLAGE_TRUSTED_PROXIES", "10.0.0.0/8")
        assert importlib.reload(base).MAILLAGE_TRUSTED_PROXIES == "10.0.0.0/8"
    finally:
        monkeypatch.undo()
        importlib.reload(base)
