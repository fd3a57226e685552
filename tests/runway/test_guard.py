"""The SSRF guard's decisions, checked without connecting anywhere but loopback."""

import ipaddress
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest

from app.runway.guard import (
    GuardedTransport,
    GuardPolicy,
    UpstreamRefused,
    address_refusal,
    ip_refusal,
    resolve_checked,
)

STRICT = GuardPolicy()
PRIVATE_OK = GuardPolicy(allow_private=True)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "169.254.169.254",
        "0.0.0.0",
        "100.64.0.1",
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "fd00:ec2::254",
        "240.0.0.1",
        "198.18.0.1",
    ],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert ip_refusal(ipaddress.ip_address(address), STRICT)


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:4700::1111", "8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    assert ip_refusal(ipaddress.ip_address(address), STRICT) is None


@pytest.mark.parametrize(
    "address",
    [
        "169.254.169.254",
        "169.254.170.2",  # ECS task metadata and credentials
        "169.254.170.23",  # EKS pod identity
        "fd00:ec2::254",
        "fd00:ec2::23",
        "100.100.100.200",
        # the same addresses behind IPv6 transition forms
        "::ffff:169.254.169.254",
        "::169.254.169.254",
        "64:ff9b::a9fe:a9fe",
        "64:ff9b:1::a9fe:a9fe",
        "2002:a9fe:a9fe::1",
        "::ffff:0:169.254.169.254",
        "2001:0:4136:e378:8000:63bf:5601:5601",  # Teredo, client 169.254.169.254
    ],
)
def test_metadata_stays_refused_even_when_private_upstreams_are_allowed(address: str) -> None:
    ip = ipaddress.ip_address(address)
    assert ip_refusal(ip, PRIVATE_OK)
    assert ip_refusal(ip, STRICT)


def test_private_upstreams_allowed_means_loopback_passes() -> None:
    assert ip_refusal(ipaddress.ip_address("127.0.0.1"), PRIVATE_OK) is None
    assert ip_refusal(ipaddress.ip_address("::ffff:127.0.0.1"), PRIVATE_OK) is None


@pytest.mark.parametrize(
    "address",
    [
        "::127.0.0.1",  # IPv4-compatible, also spelled ::7f00:1
        "::10.0.0.1",
        "64:ff9b::127.0.0.1",  # NAT64 well-known prefix
        "64:ff9b::192.168.1.1",
        "64:ff9b:1::7f00:1",  # NAT64 local-use prefix
        "64:ff9b:1:7f00:0:100::",  # the same, with 127.0.0.1 placed as RFC 6052 puts it in a /48
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "2002:c0a8:101::1",  # 6to4 of 192.168.1.1
        "::ffff:0:127.0.0.1",  # IPv4-translated
        "fec0::1",  # site-local (deprecated, still private)
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
    ],
)
def test_ipv6_transition_forms_are_judged_by_the_ipv4_they_embed(address: str) -> None:
    assert ip_refusal(ipaddress.ip_address(address), STRICT)


@pytest.mark.parametrize("address", ["64:ff9b::808:808", "2002:808:808::1"])
def test_transition_forms_of_a_public_ipv4_pass(address: str) -> None:
    assert ip_refusal(ipaddress.ip_address(address), STRICT) is None


@pytest.mark.parametrize("host", ["2130706433", "0x7f000001", "017700000001", "127.1", "localhost"])
async def test_odd_spellings_of_loopback_are_refused_after_resolution(host: str) -> None:
    with pytest.raises(UpstreamRefused):
        await resolve_checked(host, 443, STRICT)


def test_plain_http_needs_the_operator_to_allow_private_upstreams() -> None:
    assert address_refusal("http://127.0.0.1:8099", STRICT)
    assert address_refusal("http://127.0.0.1:8099", PRIVATE_OK) is None
    assert address_refusal("https://api.openai-hk.com", STRICT) is None


def test_an_allow_list_pins_the_upstreams() -> None:
    policy = GuardPolicy(allowed_bases=("https://api.dev.runwayml.com",))
    assert address_refusal("https://api.dev.runwayml.com", policy) is None
    assert address_refusal("https://api.openai-hk.com", policy)


@pytest.fixture
def loopback_listener() -> Iterator[int]:
    """A tiny HTTP server on 127.0.0.1 that answers 200 to anything."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield port
    server.close()


async def test_connect_time_check_refuses_a_loopback_listener(loopback_listener: int) -> None:
    transport = GuardedTransport(GuardPolicy(), httpx.AsyncHTTPTransport())
    async with httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(UpstreamRefused):
            await client.get(f"https://localhost:{loopback_listener}/")
        with pytest.raises(UpstreamRefused):
            await client.get(f"http://localhost:{loopback_listener}/")


async def test_connect_time_check_allows_loopback_when_the_operator_does(
    loopback_listener: int,
) -> None:
    transport = GuardedTransport(PRIVATE_OK, httpx.AsyncHTTPTransport())
    async with httpx.AsyncClient(transport=transport) as client:
        response = await client.get(f"http://localhost:{loopback_listener}/")
    assert response.text == "ok"
