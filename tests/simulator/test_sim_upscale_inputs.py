"""What the simulator's video_upscale reads: only its caller's own outputs, and only bytes in a
container it decodes (MP4, QuickTime, WebM), never a playlist that names local files."""

import base64
import io
from pathlib import Path

import av
import httpx
import pytest
from PIL import Image

from app.simulator.upscale import upscale_video
from tests.helpers import data_uri, image_bytes, seed_body

VERSION = {"X-Runway-Version": "2024-11-06"}
ALICE = {"Authorization": "Bearer key_alice", **VERSION}
BOB = {"Authorization": "Bearer key_bob", **VERSION}
UPSCALE = "magnific_video_upscaler_creative"


def small_video(path: Path, color: tuple[int, int, int]) -> bytes:
    """A real 16-frame H.264 MP4 of one colour."""
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=8)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for _ in range(16):
            picture = av.VideoFrame.from_image(Image.new("RGB", (64, 64), color))
            for packet in stream.encode(picture.reformat(format="yuv420p")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path.read_bytes()


async def upscale(sim: httpx.AsyncClient, headers: dict, uri: str) -> httpx.Response:
    return await sim.post(
        "/v1/video_upscale", headers=headers, json={"model": UPSCALE, "videoUri": uri}
    )


def refused_video(answer: httpx.Response) -> str:
    """The issue's message of Runway's 400 for `videoUri`."""
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "Invalid parameter 'videoUri'"
    return answer.json()["issues"][0]["message"]


def task_files(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in (tmp_path / "sim" / "tasks").iterdir())


async def upload(sim: httpx.AsyncClient, data: bytes) -> str:
    slot = (await sim.post("/v1/uploads", headers=ALICE, json={"filename": "v.mp4"})).json()
    files = {"file": ("v.mp4", data, "video/mp4")}
    sent = await sim.post(slot["uploadUrl"], data=slot["fields"], files=files)
    assert sent.status_code == 204
    return slot["runwayUri"]


async def test_another_keys_output_is_not_upscaled(sim: httpx.AsyncClient, tmp_path: Path) -> None:
    body = seed_body(data_uri(image_bytes()))
    made = await sim.post("/v1/image_to_video", headers=ALICE, json=body)
    alice_id = made.json()["id"]
    before = task_files(tmp_path)
    for uri in (
        f"http://sim/outputs/{alice_id}.mp4",
        f"https://example.com/anything/outputs/{alice_id}.mp4?x=1",
        "http://sim/outputs/00000000-0000-4000-8000-000000000000.mp4",  # no such task
    ):
        message = refused_video(await upscale(sim, BOB, uri))
        assert message == "Not the output of a task made with this API key"
    assert task_files(tmp_path) == before, "a refused create leaves nothing behind"
    assert (await upscale(sim, ALICE, f"http://sim/outputs/{alice_id}.mp4")).status_code == 200


async def test_an_ffconcat_playlist_naming_a_local_file_is_refused(
    sim: httpx.AsyncClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FFmpeg's probe would take it for a playlist and read `secret.mp4` from the working
    directory (or, for an upload, from the uploads folder): the create is refused instead."""
    monkeypatch.chdir(tmp_path)
    small_video(tmp_path / "secret.mp4", (255, 0, 0))
    playlist = b"ffconcat version 1.0\nfile 'secret.mp4'\n"
    before = task_files(tmp_path)
    for uri in (data_uri(playlist, "video/mp4"), await upload(sim, playlist)):
        assert (
            refused_video(await upscale(sim, ALICE, uri))
            == "Expected an MP4, QuickTime or WebM video"
        )
    assert task_files(tmp_path) == before
    assert list((tmp_path / "sim" / "outputs").iterdir()) == []


@pytest.mark.parametrize("suffix", ["mp4", "webm"])
async def test_an_mp4_or_webm_upscale_is_accepted(
    sim: httpx.AsyncClient, tmp_path: Path, suffix: str
) -> None:
    video = tmp_path / f"v.{suffix}"
    if suffix == "mp4":
        data = small_video(video, (0, 0, 255))
    else:
        with av.open(str(video), "w", format="webm") as out:
            stream = out.add_stream("libvpx", rate=8)
            stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
            for packet in stream.encode(av.VideoFrame.from_image(Image.new("RGB", (64, 64)))):
                out.mux(packet)
            for packet in stream.encode():
                out.mux(packet)
        data = video.read_bytes()
    uri = f"data:video/{suffix};base64,{base64.b64encode(data).decode()}"
    assert (await upscale(sim, ALICE, uri)).status_code == 200
    assert (await upscale(sim, ALICE, await upload(sim, data))).status_code == 200


def test_the_upscaler_names_the_container_and_never_probes(tmp_path: Path) -> None:
    """A playlist kept before the create's check still opens nothing: PyAV is told the
    container, and a playlist is no MP4."""
    small_video(tmp_path / "secret.mp4", (255, 0, 0))
    playlist = f"ffconcat version 1.0\nfile '{tmp_path / 'secret.mp4'}'\n".encode()
    with pytest.raises(av.error.InvalidDataError):
        upscale_video(io.BytesIO(playlist), "mov", tmp_path / "out.mp4")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret.mp4"]
