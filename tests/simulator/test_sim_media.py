"""The simulator's videos: the seed picks the camera path, the watermark is drawn, the size is
the model's own. Checked on decoded frames (PyAV), not only on bytes."""

import asyncio
import io
import threading
from pathlib import Path

import av
import httpx
import pytest
from PIL import Image, ImageChops, ImageStat

from app.simulator.camera import CameraPath
from app.simulator.video import RenderStopped, output_size, placeholder_frame, render_video
from tests.helpers import data_uri

AUTH = {"Authorization": "Bearer hk-test-key", "X-Runway-Version": "2024-11-06"}


def textured_png(size: tuple[int, int] = (1280, 768)) -> bytes:
    """A picture with detail everywhere, so a camera move shows in every part of the frame."""
    detail = Image.effect_mandelbrot(size, (-2.2, -1.2, 1.0, 1.2), 60)
    rings = Image.radial_gradient("L").resize(size)
    image = Image.merge("RGB", (detail, Image.linear_gradient("L").resize(size), rings))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def body(seed: int, watermark: bool = False, ratio: str = "1280:768") -> dict:
    return {
        "model": "gen3a_turbo",
        "promptImage": data_uri(textured_png()),
        "promptText": "A slow dolly shot across a misty lake at dawn",
        "seed": seed,
        "watermark": watermark,
        "duration": 5,
        "ratio": ratio,
    }


async def video_of(sim: httpx.AsyncClient, create: dict) -> bytes:
    created = await sim.post("/v1/image_to_video", headers=AUTH, json=create)
    assert created.status_code == 200, created.text
    for _ in range(600):
        task = (await sim.get(f"/v1/tasks/{created.json()['id']}", headers=AUTH)).json()
        if task["status"] == "SUCCEEDED":
            return (await sim.get(task["output"][0])).content
        assert task["status"] in ("PENDING", "RUNNING"), task
        await asyncio.sleep(0.05)
    raise AssertionError("the task never finished")


def frames(video: bytes) -> list[Image.Image]:
    with av.open(io.BytesIO(video)) as container:
        return [frame.to_image() for frame in container.decode(video=0)]


def difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference per channel, 0..255."""
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3


async def test_the_same_frames_and_seed_give_the_same_video(sim: httpx.AsyncClient) -> None:
    one, two = await video_of(sim, body(7)), await video_of(sim, body(7))
    decoded_one, decoded_two = frames(one), frames(two)
    assert len(decoded_one) == len(decoded_two) > 0
    assert all(a.tobytes() == b.tobytes() for a, b in zip(decoded_one, decoded_two, strict=True))


async def test_different_seeds_move_the_camera_differently(sim: httpx.AsyncClient) -> None:
    videos = [frames(await video_of(sim, body(seed))) for seed in (1, 2, 3)]
    for index, a in enumerate(videos):
        for b in videos[index + 1 :]:
            middle, end = len(a) // 2, len(a) - 1
            assert difference(a[middle], b[middle]) > 8 or difference(a[end], b[end]) > 8
    # The camera moves: every video's last frame is well away from its first.
    assert all(difference(video[0], video[-1]) > 8 for video in videos)


async def test_a_watermark_is_a_visible_mark_in_a_corner(sim: httpx.AsyncClient) -> None:
    plain, marked = frames(await video_of(sim, body(5))), frames(await video_of(sim, body(5, True)))
    width, height = plain[0].size
    corner = (width * 3 // 4, height * 3 // 4, width, height)
    rest = (0, 0, width // 2, height // 2)
    for index in (0, len(plain) // 2, len(plain) - 1):
        a, b = plain[index], marked[index]
        # Elsewhere only the encoder's rounding differs.
        assert difference(a.crop(corner), b.crop(corner)) > 3 * difference(
            a.crop(rest), b.crop(rest)
        )
        assert difference(a.crop(corner), b.crop(corner)) > 6


@pytest.mark.parametrize(
    ("ratio", "size"),
    [
        ((1280, 768), (1280, 768)),
        ((768, 1280), (768, 1280)),
        ((1584, 672), (1584, 672)),
        ((360, 640), (360, 640)),
        ((1920, 1080), (1920, 1080)),
        # A 4K model is rendered at 1080p's pixel count in its shape: a rehearsal, not a master.
        ((3840, 2160), (1920, 1080)),
        ((3840, 3840), (1440, 1440)),
        # Aspect-only ratios are rendered at 720p in their shape.
        ((16, 9), (1280, 720)),
        ((9, 16), (720, 1280)),
        ((21, 9), (1680, 720)),
        ((1, 1), (720, 720)),
    ],
)
def test_the_video_size_is_the_models_own_for_the_ratio(
    ratio: tuple[int, int], size: tuple[int, int]
) -> None:
    assert output_size(*ratio) == size


async def test_a_video_comes_at_the_ratios_full_size(sim: httpx.AsyncClient) -> None:
    decoded = frames(await video_of(sim, body(3)))
    assert decoded[0].size == (1280, 768)
    assert len(decoded) == 5 * 24


def test_a_stopped_render_leaves_no_file(tmp_path: Path) -> None:
    stop = threading.Event()
    stop.set()
    path = tmp_path / "out.mp4"
    picture = Image.new("RGB", (800, 480), (30, 90, 200))
    with pytest.raises(RenderStopped):
        render_video(picture, None, (640, 384), 5, path, CameraPath.from_seed(1), stop=stop)
    assert list(tmp_path.iterdir()) == []


def test_a_placeholders_text_stays_in_view_whatever_the_camera_does() -> None:
    """An image URL the simulator does not fetch is named on the frame; at a tenth from the
    left, a pan cut the start of it off ("mage URL (not fetched…")."""
    url = "https://images.example.com/a/rather/long/path/to/the/first-frame-of-the-video.png"
    frame = placeholder_frame(url, (1600, 960))
    red, green, blue = (band.point(lambda v: 255 if v > 200 else 0) for band in frame.split())
    text = ImageChops.multiply(ImageChops.multiply(red, green), blue)  # white: the text alone
    left, top, right, bottom = text.getbbox() or (0, 0, 0, 0)
    box = (left / 1600, top / 960, right / 1600, bottom / 960)
    assert box[2] - box[0] > 0.2, box  # the text is there
    for seed in range(60):
        path = CameraPath.from_seed(seed)
        for step in range(11):
            q = path.window(step / 10)
            inner = (max(q[0], q[2]), q[1], min(q[4], q[6]), q[3])
            assert inner[0] <= box[0] and box[2] <= inner[2], (seed, step, inner, box)
            assert inner[1] <= box[1] and box[3] <= inner[3], (seed, step, inner, box)
