"""A hostile relay on 127.0.0.1: a real HTTP server whose answers each test scripts.

The console reaches it over a loopback socket through its own guard and client, exactly as it
reaches a real relay (with `CONSOLE_ALLOW_PRIVATE_UPSTREAMS`). A test sets `create`, `read` and
`cancel` to functions of the request that return what the relay answers; every request is kept
in `seen`, so a test can check what the console sent.
"""

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
import uvicorn

from tests.conftest import in_process, make_settings
from tests.helpers import free_port


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def authorization(self) -> str:
        return self.headers.get("authorization", "")

    @property
    def task_id(self) -> str:
        """The task id a read or cancel names (percent-decoded, as a relay would see it)."""
        return unquote(self.path.split("/tasks/", 1)[1]) if "/tasks/" in self.path else ""


@dataclass
class Answer:
    status: int = 200
    body: Any = None  # JSON-encoded unless bytes
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode()


Script = Callable[[Seen], Answer]


def _default_create(seen: Seen) -> Answer:
    return Answer(body={"id": f"relay-{time.monotonic_ns()}"})


def _default_read(seen: Seen) -> Answer:
    return Answer(body={"id": seen.task_id, "status": "RUNNING", "progress": 0.5})


class RelayStub:
    """The scripted relay; `base_url` is what the console is given as the API address."""

    def __init__(self) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.create: Script = _default_create
        self.read: Script = _default_read
        self.cancel: Script = lambda seen: Answer(204, b"")
        self.other: Script = lambda seen: Answer(404, {"error": "not found"})
        self.seen: list[Seen] = []

    def _script_for(self, seen: Seen) -> Script:
        if seen.method == "POST" and seen.path.endswith("/image_to_video"):
            return self.create
        if "/tasks/" in seen.path and seen.method == "GET":
            return self.read
        if "/tasks/" in seen.path and seen.method == "DELETE":
            return self.cancel
        return self.other

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        raw_path = scope.get("raw_path") or scope["path"].encode()
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        seen = Seen(scope["method"], raw_path.decode("latin-1"), headers, body)
        self.seen.append(seen)
        answer = self._script_for(seen)(seen)
        if answer.delay_s:
            await asyncio.sleep(answer.delay_s)
        content = answer.encoded()
        head = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(content))]
        head += [(k.encode(), v.encode()) for k, v in answer.headers.items()]
        await send({"type": "http.response.start", "status": answer.status, "headers": head})
        await send({"type": "http.response.body", "body": content})


@contextmanager
def relay_stub() -> Iterator[RelayStub]:
    """Serve a RelayStub on a loopback port for the length of the block."""
    stub = RelayStub()
    config = uvicorn.Config(
        stub,
        host="127.0.0.1",
        port=stub.port,
        log_level="warning",
        lifespan="off",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the relay stub did not start")
        time.sleep(0.02)
    try:
        yield stub
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def relay() -> Iterator[RelayStub]:
    """A scripted relay on a loopback port (import this fixture into a test module)."""
    with relay_stub() as stub:
        yield stub


@asynccontextmanager
async def console_for_relays(
    data_dir: Path, **settings: object
) -> AsyncIterator[httpx.AsyncClient]:
    """The console in process, allowed to call private upstreams, with `settings` on top."""
    settings_ = make_settings(data_dir, CONSOLE_ALLOW_PRIVATE_UPSTREAMS=True, **settings)
    async with in_process(settings_, timeout=60) as http:
        yield http


@pytest.fixture
async def relay_console(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The console in process, allowed to call private upstreams; data in `tmp_path/data`."""
    async with console_for_relays(tmp_path / "data") as http:
        yield http
