"""Who is calling: the client's address, worked out once for every rate limit and log line.

Behind a load balancer, REMOTE_ADDR is the balancer: every visitor would share one rate limit.
The balancer appends the address it saw to `X-Forwarded-For`; a client can put anything it
likes on the left of that header, so only the hops we trust are read, from the right:

- `MAILLAGE_TRUSTED_PROXIES` unset or `0` (and no `BEHIND_TLS_PROXY`): REMOTE_ADDR, the header
  is ignored whatever it says;
- a number N (`BEHIND_TLS_PROXY=1` alone means 1): there are N proxies of ours in front of
  the app servers, the client is the N-th address from the right of REMOTE_ADDR + the header;
- a list of networks (`10.0.0.0/8,192.168.0.0/16`): walking from REMOTE_ADDR to the left, every
  address inside those networks is one of our proxies; the client is the first one outside.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class TrustedProxies:
    """How many hops are ours (`hops`), or which networks they live in (`networks`)."""

    hops: int = 0
    networks: tuple[Network, ...] = ()


def trusted_proxies_parse(value: str | int | None) -> TrustedProxies:
    """`MAILLAGE_TRUSTED_PROXIES` as written in the environment: a number of hops or a
    comma-separated list of addresses or networks. Raises ValueError on anything else."""
    if value is None:
        return TrustedProxies()
    if isinstance(value, int):
        if value < 0:
            raise ValueError("MAILLAGE_TRUSTED_PROXIES : nombre de relais négatif")
        return TrustedProxies(hops=value)
    text = value.strip()
    if not text:
        return TrustedProxies()
    if text.isdigit():
        return TrustedProxies(hops=int(text))
    networks = tuple(
        ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip()
    )
    return TrustedProxies(networks=networks)


@lru_cache(maxsize=8)
def _trusted(value: str | int | None) -> TrustedProxies:
    return trusted_proxies_parse(value)


def _address(text: str) -> Address | None:
    """An address as proxies write it: `203.0.113.7`, `2001:db8::1`, `[2001:db8::1]:443`,
    `203.0.113.7:5123`; None for anything else (`unknown`, garbage)."""
    text = text.strip().strip('"')
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # IPv4 with a port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_address(remote_addr: str, forwarded_for: str, trusted: TrustedProxies) -> str:
    """The client's address from the connection's address and the `X-Forwarded-For` header,
    trusting only `trusted` (pure: the rule of this module's docstring)."""
    if not trusted.hops and not trusted.networks:
        return remote_addr
    # Right to left: the connecting peer first, then what each proxy of ours appended.
    chain = [remote_addr] + [part for part in reversed(forwarded_for.split(",")) if part.strip()]
    if trusted.hops:
        # A header shorter than our chain of proxies: the request skipped some of them (a direct
        # hit on an app server); the furthest address seen is the best we know.
        candidate = chain[min(trusted.hops, len(chain) - 1)]
        parsed = _address(candidate)
        return str(parsed) if parsed else remote_addr
    best = remote_addr
    for hop in chain:
        parsed = _address(hop)
        if parsed is None:
            return best  # a garbled hop: nothing to its left can be trusted
        best = str(parsed)
        if not any(parsed in network for network in trusted.networks):
            return best
    return best


def client_ip(request: HttpRequest) -> str:
    """The address of the client that sent `request`, according to the trusted-proxy setting;
    computed once per request."""
    cached = getattr(request, "_maillage_client_ip", None)
    if cached is not None:
        return str(cached)
    trusted = _trusted(getattr(settings, "MAILLAGE_TRUSTED_PROXIES", None))
    address = client_address(
        request.META.get("REMOTE_ADDR", "") or "",
        request.META.get("HTTP_X_FORWARDED_FOR", "") or "",
        trusted,
    )
    request._maillage_client_ip = address  # type: ignore[attr-defined]
    return address
