"""Small builders shared by the tests: real images, data URIs, free ports, live servers."""

import base64
import io
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
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
