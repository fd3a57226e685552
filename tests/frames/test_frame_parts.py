"""Frames in the local store are written whole or not at all, and what a killed writer leaves
(`frames/*.part`) is removed at start-up, unless another live process on the same disk (a
replica sharing the data dir) is still writing it; a frame it left without its thumbnail is
completed when the image comes again."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from bs4 import BeautifulSoup

from app.core.settings import Settings
from tests.conftest import in_process, make_settings
from tests.helpers import ROOT, image_bytes

FRAME_BYTES = 32 * 1024 * 1024
# The real writer, in a process of its own so it can be killed mid-write: frame after frame,
# over three names in turn, so a writer left running for seconds holds ~100 MB of disk, not GBs.
WRITER = f"""
import sys
from pathlib import Path
from app.storage.objects import LocalObjects
objects, data = LocalObjects(Path(sys.argv[1])), bytes(range(256)) * {FRAME_BYTES // 256}
for n in range(1000):
    objects.put_bytes(f"frames/{{n % 3:04d}}.png", data)
"""
# Small frames, written as fast as they can be, and a replica's start-up sweep run in a loop.
SMALL_WRITES = """
import sys
from pathlib import Path
from app.storage.objects import LocalObjects
objects = LocalObjects(Path(sys.argv[1]))
for n in range(3000):
    objects.put_bytes(f"frames/{n % 5}.png", b"a small frame")
"""
SWEEPER = """
import sys, time
from pathlib import Path
from app.storage import scratch
deadline = time.monotonic() + 120
while time.monotonic() < deadline:
    scratch.sweep(Path(sys.argv[1]))
"""
# A writer on another replica, caught mid-write: it holds its `.part` as the store's writer does.
HOLDER = """
import sys, time
from pathlib import Path
from app.storage import scratch
handle = scratch.claim(Path(sys.argv[1]))
handle.write(b"half a frame")
handle.flush()
print("holding", flush=True)
time.sleep(120)
"""


async def upload(client: httpx.AsyncClient) -> BeautifulSoup:
    """The page's upload of one picture into the first slot."""
    answer = await client.post(
        "/frames",
        params={"position": "first"},
        files={"file": ("a.png", image_bytes((640, 384), (200, 90, 30)), "image/png")},
    )
    assert answer.status_code == 200
    return BeautifulSoup(answer.text, "html.parser")


def parts(data: Path) -> list[Path]:
    return sorted((data / "frames").glob("*.part"))


def python(code: str, arg: Path, **options: object) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, str(arg)], cwd=ROOT, **options)


async def start_up(data: Path) -> None:
    """A console starting on this data dir (and serving one request)."""
    async with in_process(make_settings(data), first_page=None) as http:
        assert (await http.get("/healthz")).status_code == 200


def kill_mid_write(data: Path) -> None:
    """SIGKILL the writer while a frame is half written (tried again if it fell between two)."""
    for _ in range(10):
        writer = python(WRITER, data)
        deadline = time.monotonic() + 30
        while not parts(data) and writer.poll() is None:
            assert time.monotonic() < deadline, "the writer never started a frame"
            time.sleep(0.001)
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=10)
        if parts(data):
            return
    raise AssertionError("never caught the writer mid-write")


async def test_a_writer_killed_mid_write_leaves_whole_frames_and_a_part_start_up_removes(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    kill_mid_write(data)
    frames = [p for p in (data / "frames").iterdir() if not p.name.endswith(".part")]
    assert all(p.stat().st_size == FRAME_BYTES for p in frames), "a frame is whole or absent"
    await start_up(data)
    assert parts(data) == [], "the dead writer's .part is gone"
    assert sorted((data / "frames").iterdir()) == sorted(frames), "whole frames are kept"


async def test_start_up_leaves_a_live_writers_part_alone_and_removes_it_once_it_died(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    (data / "frames").mkdir(parents=True)
    stale = data / "frames" / f"{'a' * 64}.png.0123456789ab.part"
    stale.write_bytes(b"left by a writer killed long ago")
    live = data / "frames" / f"{'b' * 64}.png.ba9876543210.part"
    holder = python(HOLDER, live, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        await start_up(data)
        assert parts(data) == [live], "the stale one went, the live one stayed"
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        await start_up(data)
        assert parts(data) == []
    finally:
        holder.kill()
        holder.wait(timeout=10)


async def test_start_up_beside_a_live_writer_never_cuts_its_frames(tmp_path: Path) -> None:
    """Another replica starting on the shared dir while this one writes frame after frame: a
    `.part` it removed from under the writer would fail that write (its rename finds nothing)."""
    data = tmp_path / "data"
    writer = python(WRITER, data, stderr=subprocess.PIPE, text=True)
    try:
        while not parts(data):
            assert writer.poll() is None, writer.stderr.read()
            time.sleep(0.001)
        for _ in range(5):
            await start_up(data)
            assert writer.poll() is None, writer.stderr.read()
    finally:
        writer.kill()
        writer.wait(timeout=10)


def test_frames_are_written_while_another_replica_sweeps_beside_them(tmp_path: Path) -> None:
    """A sweep can remove a writer's fresh `.part` between its creation and its lock; the
    write takes a new name rather than failing (an upload answered 500). A sweeper looping as
    fast as it can hits that gap within a few hundred writes."""
    data = tmp_path / "data"
    (data / "frames").mkdir(parents=True)
    sweeper = python(SWEEPER, data / "frames")
    try:
        writes = python(SMALL_WRITES, data, stderr=subprocess.PIPE, text=True)
        _out, errors = writes.communicate(timeout=120)
        assert writes.returncode == 0, errors
    finally:
        sweeper.kill()
        sweeper.wait(timeout=10)


async def test_a_frame_whose_writer_died_after_its_bytes_gets_its_thumbnail_on_the_next_upload(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    """Killed after the frame's own file and before its thumbnail and facts: the image comes
    again, and the frame is made whole (its bytes, already whole, are not written twice)."""
    first = await upload(client)
    sha = first.select_one("input[name=first_ref]")["value"].removeprefix("frame:")
    frames = settings.data_dir / "frames"
    for left_out in (f"{sha}.thumb.jpg", f"{sha}.json"):
        (frames / left_out).unlink()
    again = await upload(client)
    assert (await client.get(again.select_one("img.thumb")["src"])).status_code == 200
