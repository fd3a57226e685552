"""Small builders shared by the tests: real images, data URIs, bodies, polling, live servers."""

import asyncio
import base64
import io
import os
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_FRAME = "https://example.com/a.jpg"  # passed upstream untouched; nothing fetches it
FINAL_STATUSES = ("SUCCEEDED", "FAILED", "CANCELLED")
POLL_LIMIT_S = 30.0  # a bound on a wait that should end, never a measure of speed
T = TypeVar("T")
CHROMIUM = "/usr/bin/chromium"
# The test settings poll upstream at most every 0.2 s, and a create counts as the first check:
# a test that needs its next read to reach upstream waits this long after the create.
POLL_DUE_S = 0.25
# Debian's Chromium, headless, with nothing that reaches for the network on its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def image_bytes(
    size: tuple[int, int] = (640, 384),
    color: tuple[int, int, int] = (200, 90, 40),
    fmt: str = "PNG",
) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


def data_uri(data: bytes, media_type: str = "image/png") -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode()}"


def seed_body(first_uri: str, last_uri: str = "https://example.com/last.jpg") -> dict:
    """The relay documentation's example body, as a person would paste it."""
    return {
        "model": "gen3a_turbo",
        "promptImage": [
            {"uri": first_uri, "position": "first"},
            {"uri": last_uri, "position": "last"},
        ],
        "promptText": "A slow dolly shot across a misty lake at dawn",
        "seed": 4294967295,
        "watermark": False,
        "duration": 5,
        "ratio": "1280:768",
    }


def create_body(first_uri: str = EXAMPLE_FRAME, **fields: Any) -> dict:
    """A valid create body (the relay documentation's example) with `fields` set on top."""
    return {**seed_body(first_uri), **fields}


def form_fields(**fields: str) -> dict[str, str]:
    """The page form's fields for one run from an https frame, with `fields` set on top."""
    form = {
        "model": "gen3a_turbo",
        "first_url": EXAMPLE_FRAME,
        "promptText": "x",
        "ratio": "1280:768",
        "duration": "5",
    }
    return {**form, **fields}


async def poll_until(
    read: Callable[[], Awaitable[T]],
    done: Callable[[T], bool],
    *,
    what: str = "done",
    interval_s: float = 0.05,
    limit_s: float = POLL_LIMIT_S,
) -> T:
    """Call `read` until `done` holds for its result, and return that result.

    A wait that never ends fails the test, naming `what` and the last result, rather than
    falling through to assertions about a state that was never reached.
    """
    deadline = time.monotonic() + limit_s
    while True:
        result = await read()
        if done(result):
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"never {what}; last seen: {result!r}")
        await asyncio.sleep(interval_s)


async def read_task(client: httpx.AsyncClient, task_id: str, headers: dict | None = None) -> dict:
    response = await client.get(f"/api/tasks/{task_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def task_until(
    client: httpx.AsyncClient,
    task_id: str,
    done: Callable[[dict], bool],
    *,
    what: str,
    headers: dict | None = None,
) -> dict:
    """Read the task through the API until `done` holds for it."""
    return await poll_until(lambda: read_task(client, task_id, headers), done, what=what)


async def wait_final(client: httpx.AsyncClient, task_id: str, headers: dict | None = None) -> dict:
    return await task_until(client, task_id, is_final, what="finished", headers=headers)


async def wait_saved(client: httpx.AsyncClient, task_id: str, headers: dict | None = None) -> dict:
    return await task_until(client, task_id, is_saved, what="saved a copy", headers=headers)


def is_final(task: dict) -> bool:
    return task["status"] in FINAL_STATUSES


def is_saved(task: dict) -> bool:
    return bool(task["videoSaved"])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def live_process(
    args: list[str], env: dict[str, str], port: int, log: Path
) -> Iterator[subprocess.Popen]:
    """Run `python -m app ARGS` until /healthz or / answers; stop it afterwards."""
    full_env = {**os.environ, **env}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "app", *args],
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=str(ROOT),
        )
        try:
            wait_until_up(f"http://127.0.0.1:{port}/", process)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_until_up(url: str, process: subprocess.Popen, timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")
