"""The console's upstream connections never outlive the upstream's own keep-alive.

A create is never retried (it may have started a billed task), so a create must not be sent on
an idle connection the upstream is closing that very moment: seen as a 502 "could not reach
…: ReadError" in 3 of 9 benchmark runs, when the console and uvicorn both kept idle connections
for 5 s. The console's connector drops theirs first."""

import asyncio
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from app.main import UPSTREAM_KEEPALIVE_S, network_transport
from app.runway.guard import GuardedTransport, GuardPolicy, UpstreamRefused
from app.runway.pools import engine_transport


async def test_an_idle_upstream_connection_is_dropped_before_uvicorn_drops_it() -> None:
    uvicorns = uvicorn.Config(app=None).timeout_keep_alive
    transport = network_transport(GuardPolicy())
    session = transport._inner.get_client()  # the engine's session, as its first request makes
    try:
        assert session.connector._keepalive_timeout == UPSTREAM_KEEPALIVE_S
        assert uvicorns > UPSTREAM_KEEPALIVE_S
    finally:
        await session.close()


@pytest.fixture
def counted_listener() -> Iterator[tuple[int, list[int]]]:
    """A loopback listener that counts the connections it accepts."""
    accepted: list[int] = []
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            accepted.append(1)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    stop.set()
    thread.join()
    server.close()


async def test_the_engine_never_connects_to_an_address_the_guard_refuses(
    counted_listener: tuple[int, list[int]],
) -> None:
    port, accepted = counted_listener
    transport = network_transport(GuardPolicy())
    try:
        for url in (f"https://localhost:{port}/", f"http://127.0.0.1:{port}/"):
            with pytest.raises(UpstreamRefused):
                await transport.handle_async_request(httpx.Request("GET", url))
    finally:
        await transport.aclose()
    assert accepted == []


@pytest.fixture
def localhost_cert(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for the name `localhost` (not for 127.0.0.1)."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    request = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    names = ["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"]
    subprocess.run(
        ["openssl", *request, "-keyout", str(key), "-out", str(cert), *names],
        check=True,
        capture_output=True,
    )
    return cert, key


async def test_tls_is_checked_against_the_name_while_the_connection_is_pinned_to_the_ip(
    localhost_cert: tuple[Path, Path],
) -> None:
    """The guard connects to the address it checked; the engine must still verify the
    certificate for the name asked (SNI), or pinning would break TLS or its verification."""
    cert, key = localhost_cert
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    served.load_cert_chain(cert, key)
    names: list[str | None] = []
    served.sni_callback = lambda _sock, name, _ctx: names.append(name)

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=served)
    port = server.sockets[0].getsockname()[1]
    trusted = ssl.create_default_context(cafile=str(cert))
    transport = GuardedTransport(GuardPolicy(allow_private=True), engine_transport(trusted, 4.0))
    try:
        response = await transport.handle_async_request(
            httpx.Request("GET", f"https://localhost:{port}/")
        )
        assert await response.aread() == b"ok" and names == ["localhost"]
        with pytest.raises(httpx.ConnectError):  # the certificate is not for 127.0.0.1
            await transport.handle_async_request(httpx.Request("GET", f"https://127.0.0.1:{port}/"))
    finally:
        await transport.aclose()
        server.close()
