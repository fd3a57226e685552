"""Shared by the benchmarks: servers on loopback ports, and a load client that measures honestly.

The load client keeps connections alive, sends each request in one write and sets TCP_NODELAY,
so delayed ACKs (~40 ms) cannot turn every comparison into noise (bench/README.md).
"""

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def unlimited_account(sim_base: str, key: str) -> None:
    """Lift the simulator's books for a benchmark's key (app/simulator/books.py): it creates
    hundreds of tasks with one key, past a fresh account's 200 a day and 10,000 credits."""
    lifted = {"creditBalance": 10**9, "maxConcurrentGenerations": None, "maxDailyGenerations": None}
    httpx.post(
        f"{sim_base}/_sim/account", json=lifted, headers={"Authorization": f"Bearer {key}"}
    ).raise_for_status()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_up(url: str, timeout_s: float = 20) -> float:
    """Seconds until `url` answered."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout_s:
        try:
            httpx.get(url, timeout=0.5)
            return time.perf_counter() - started
        except httpx.HTTPError:
            time.sleep(0.01)
    raise RuntimeError(f"{url} did not come up")


@contextmanager
def server(
    args: list[str], env: dict[str, str], port: int, cwd: Path = ROOT
) -> Iterator[subprocess.Popen]:
    """`python -m app …` run in `cwd` (the project's own checkout, or a baseline's)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "app", *args, "--port", str(port)],
        env={**os.environ, **env},
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_up(
            f"http://127.0.0.1:{port}/healthz"
            if args[0] == "serve"
            else f"http://127.0.0.1:{port}/"
        )
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and its children (nginx's worker)."""
    ticks = os.sysconf("SC_CLK_TCK")
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    used = (int(fields[11]) + int(fields[12])) / ticks
    children = Path(f"/proc/{pid}/task/{pid}/children")
    for child in children.read_text().split() if children.exists() else []:
        used += cpu_seconds(int(child))
    return used


@contextmanager
def nginx_proxy(upstream_port: int) -> Iterator[tuple[int, int]]:
    """Debian's nginx as a plain reverse proxy on a loopback port: (port, master pid)."""
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "nginx.conf"
        config.write_text(f"""
worker_processes 1; daemon off; pid {tmp}/nginx.pid; error_log {tmp}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off; client_body_temp_path {tmp}; proxy_temp_path {tmp};
  # A frame's data URI is ~100 KB: held in memory and sent on in one write, as the
  # console does, not spooled to a temp file (whose separate write met delayed ACKs).
  client_body_buffer_size 8m; client_max_body_size 16m;
  fastcgi_temp_path {tmp}; uwsgi_temp_path {tmp}; scgi_temp_path {tmp};
  # Idle connections dropped after 4 s, before the simulator's uvicorn drops them at 5 s: a
  # request sent on one it was closing came back 502 (nginx's default keeps them 60 s).
  upstream sim {{ server 127.0.0.1:{upstream_port}; keepalive 64; keepalive_timeout 4s; }}
  server {{
    listen 127.0.0.1:{port};
    location / {{ proxy_pass http://sim; proxy_http_version 1.1;
                 proxy_set_header Connection ""; proxy_set_header Host $host; }}
  }}
}}""")
        process = subprocess.Popen(
            ["nginx", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            wait_up(f"http://127.0.0.1:{port}/")
            yield port, process.pid
        finally:
            process.terminate()
            process.wait(timeout=10)


@dataclass
class Reply:
    status: int
    body: bytes


class Connection:
    """One keep-alive HTTP/1.1 connection; a request is one write."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> "Connection":
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(reader, writer)

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Reply:
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: keep-alive"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if body:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        fields = {
            k.strip().lower(): v.strip()
            for k, _, v in (
                line.partition(b":") for line in head.split(b"\r\n")[1:] if b":" in line
            )
        }
        if fields.get(b"transfer-encoding") == b"chunked":
            data = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                data += chunk[:-2]
            return Reply(status, data)
        length = int(fields.get(b"content-length", b"0"))
        return Reply(status, await self.reader.readexactly(length))

    def close(self) -> None:
        self.writer.close()


def summary(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return {"median": statistics.median(ordered), "p99": p99, "n": len(ordered)}


def json_body(value: object) -> bytes:
    return json.dumps(value).encode()
