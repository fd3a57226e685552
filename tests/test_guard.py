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


def test_metadata_stays_refused_even_when_private_upstreams_are_allowed() -> None:
    assert ip_refusal(ipaddress.ip_address("169.254.169.254"), PRIVATE_OK)
    assert ip_refusal(ipaddress.ip_address("127.0.0.1"), PRIVATE_OK) is None


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
