"""Target 4: a 15 MB JPEG and a 12-megapixel PNG become ≤ 5 MB data URIs quickly, in bounded memory.

Usage: python bench/uploads.py
Each file goes to a fresh console (so the process's peak RSS, VmHWM, is this upload's); the
growth is the peak minus the resident size just before the upload, after a warm-up upload.
"""

import io
import os
import sys
import tempfile
import time
from pathlib import Path

import httpx
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import free_port, server


def memory_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def big_jpeg(target_mb: float = 15) -> bytes:
    """A photo-like noisy JPEG of about `target_mb` (noise keeps JPEG from compressing it)."""
    side = 2600
    while True:
        noise = Image.frombytes("RGB", (side, side * 2 // 3), os.urandom(side * side * 2))
        buffer = io.BytesIO()
        noise.save(buffer, "JPEG", quality=92)
        if buffer.tell() >= target_mb * 1e6 * 0.95:
            return buffer.getvalue()
        side = int(side * 1.1)


def twelve_mp_png() -> bytes:
    """4000×3000 PNG: a gradient with a little noise, the size of a camera export."""
    gradient = Image.linear_gradient("L").resize((4000, 3000))
    noise = Image.effect_noise((4000, 3000), 24)
    image = Image.merge("RGB", (gradient, noise, Image.blend(gradient, noise, 0.5)))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def upload(data: bytes, name: str, media_type: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = {"CONSOLE_DATA_DIR": tmp, "CONSOLE_MAX_UPLOAD_MB": "60"}
        with (
            server(["serve"], env, port) as process,
            httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as http,
        ):
            http.get("/")
            headers = {"X-CSRF-Token": http.cookies["rc_csrf"], "HX-Request": "true"}
            small = io.BytesIO()
            Image.new("RGB", (64, 64)).save(small, "PNG")
            http.post(
                "/frames",
                files={"file": ("warm.png", small.getvalue(), "image/png")},
                headers=headers,
            )
            before = memory_kb(process.pid, "VmRSS")
            started = time.perf_counter()
            reply = http.post("/frames", files={"file": (name, data, media_type)}, headers=headers)
            elapsed = time.perf_counter() - started
            peak = memory_kb(process.pid, "VmHWM")
            assert reply.status_code == 200 and "frame:" in reply.text, reply.text[:300]
            stored = sorted(Path(tmp, "frames").glob("*.jpg"), key=lambda p: p.stat().st_size)
            stored_bytes = max(
                (p.stat().st_size for p in stored if ".thumb" not in p.name), default=0
            )
    return {
        "mb": len(data) / 1e6,
        "seconds": elapsed,
        "growth_mb": (peak - before) / 1024,
        "stored_mb": stored_bytes / 1e6,
    }


def run() -> dict[str, dict[str, float]]:
    return {
        "15 MB JPEG": upload(big_jpeg(), "big.jpg", "image/jpeg"),
        "12 MP PNG": upload(twelve_mp_png(), "camera.png", "image/png"),
    }


def report(results: dict) -> list[tuple[str, str]]:
    return [
        (
            f"upload {name}",
            f"{r['mb']:.1f} MB in {r['seconds']:.2f} s; peak RSS growth "
            f"{r['growth_mb']:.0f} MB = {r['growth_mb'] / r['mb']:.1f}× the file",
        )
        for name, r in results.items()
    ]


if __name__ == "__main__":
    for name, value in report(run()):
        print(f"{name}: {value}")
