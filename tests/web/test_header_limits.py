"""Request heads are bounded: at most 64 KB of request line and headers, at most 100 headers.

Checked in process (the ASGI check holds however the app is served) and against real
`runway-console` processes on 127.0.0.1 (the server itself stops reading a head that never ends).
"""

import contextlib
import socket

import httpx
import pytest

from app.web.middleware.header_limit import MAX_HEADER_BYTES, MAX_HEADERS


def raw_exchange(base_url: str, head: bytes, timeout_s: float = 10) -> bytes:
    """Send `head` on a fresh socket and return what the server answers before closing."""
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout_s) as sock:
        # The server may stop reading early; its answer is what matters.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(head)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
            if b"\r\n\r\n" in answer:
                break
        return answer


def many_headers(count: int) -> dict[str, str]:
    return {f"x-filler-{i}": "v" for i in range(count)}


async def test_too_many_headers_get_431(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers=many_headers(MAX_HEADERS + 1))
    assert response.status_code == 431
    assert "header" in response.text.lower()


async def test_a_huge_header_gets_431(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"x-big": "a" * (MAX_HEADER_BYTES + 1)})
    assert response.status_code == 431


async def test_headers_within_the_limits_pass(client: httpx.AsyncClient) -> None:
    headers = many_headers(MAX_HEADERS - 10)
    headers["x-big"] = "a" * (MAX_HEADER_BYTES // 2)
    assert (await client.get("/healthz", headers=headers)).status_code == 200


def endless_head() -> bytes:
    """A head four times the limit that never ends: a server without a bound waits for more."""
    return b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (4 * MAX_HEADER_BYTES)


def head_with_headers(count: int) -> bytes:
    lines = b"".join(b"X-%d: v\r\n" % i for i in range(count))
    return b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + lines + b"Connection: close\r\n\r\n"


@pytest.mark.parametrize("server", ["live_console", "live_simulator"])
def test_the_servers_refuse_a_head_that_never_ends(
    server: str, request: pytest.FixtureRequest
) -> None:
    base_url = request.getfixturevalue(server)
    answer = raw_exchange(base_url, endless_head())
    assert answer.startswith(b"HTTP/1.1 431"), answer[:200]


@pytest.mark.parametrize("server", ["live_console", "live_simulator"])
def test_the_servers_refuse_too_many_headers(server: str, request: pytest.FixtureRequest) -> None:
    base_url = request.getfixturevalue(server)
    for count in (MAX_HEADERS + 50, 20_000):  # a head under 64 KB, and one far over it
        answer = raw_exchange(base_url, head_with_headers(count))
        assert answer.startswith(b"HTTP/1.1 431"), (count, answer[:200])
    small = raw_exchange(base_url, head_with_headers(20))
    assert small.startswith(b"HTTP/1.1 200") or small.startswith(b"HTTP/1.1 404"), small[:200]
