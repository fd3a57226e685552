"""The simulator's video_to_video, Act-Two, video_to_hdr and image_upscale: each checks its body
against the SDK's schema with its own code, answers Runway's 400 with the field's path, and
renders a real output from the real input, deterministic by seed."""

import asyncio
import io
import time
from pathlib import Path

import av
import httpx
import pytest
from PIL import Image

from tests.helpers import ROOT, data_uri, image_bytes
from tests.simulator.test_sim_upscale_inputs import ALICE, BOB, small_video, upload

SIMULATOR = ROOT / "app" / "simulator"


async def output(sim: httpx.AsyncClient, made: httpx.Response, headers: dict = ALICE) -> bytes:
    assert made.status_code == 200, made.text
    deadline = time.monotonic() + 60
    while (task := (await sim.get(f"/v1/tasks/{made.json()['id']}", headers=headers)).json())[
        "status"
    ] != "SUCCEEDED":
        assert task["status"] not in ("FAILED", "CANCELLED"), task
        assert time.monotonic() < deadline, task
        await asyncio.sleep(0.1)
    return (await sim.get(task["output"][0])).content


def video(data: bytes) -> tuple[tuple[int, int], int, tuple[int, int, int]]:
    """A video's size, frame count and its first frame's mean colour."""
    with av.open(io.BytesIO(data)) as given:
        stream = given.streams.video[0]
        frames = [f.to_image() for f in given.decode(video=0)]
    colour = frames[0].resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    return (stream.width, stream.height), len(frames), colour


@pytest.mark.parametrize(
    ("endpoint", "body", "path"),
    [
        ("video_to_video", {"model": "aleph2"}, ["videoUri"]),
        ("video_to_video", {"model": "aleph3", "videoUri": "https://e.com/v.mp4"}, ["model"]),
        (
            "video_to_video",
            {
                "model": "aleph2",
                "videoUri": "https://e.com/v.mp4",
                "keyframes": [{"at": 1.5, "uri": "https://e.com/k.png"}],
            },
            ["keyframes", 0, "at"],
        ),
        (
            "video_to_video",
            {"model": "seedance2", "promptVideo": "https://e.com/v.mp4", "duration": "long"},
            ["duration"],
        ),
        (
            "character_performance",
            {"model": "act_two", "character": {"type": "image"}, "reference": {"type": "video"}},
            ["character", "uri"],
        ),
        (
            "character_performance",
            {
                "model": "act_two",
                "character": {"type": "image", "uri": "https://e.com/c.png"},
                "reference": {"type": "video", "uri": "https://e.com/r.mp4"},
                "expressionIntensity": 6,
            },
            ["expressionIntensity"],
        ),
        ("video_to_hdr", {"model": "ruby", "videoUri": "ftp://e.com/v.mp4"}, ["videoUri"]),
        (
            "image_upscale",
            {
                "model": "magnific_precision_upscaler_v2",
                "imageUri": "https://e.com/a.png",
                "scaleFactor": 3,
            },
            ["scaleFactor"],
        ),
    ],
)
async def test_a_bad_field_is_runways_400_with_its_path(
    sim: httpx.AsyncClient, endpoint: str, body: dict, path: list
) -> None:
    answer = await sim.post(f"/v1/{endpoint}", headers=ALICE, json=body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == f"Invalid parameter '{path[0]}'"
    assert path in [issue["path"] for issue in answer.json()["issues"]]


async def test_video_to_video_restyles_the_real_frames_by_seed(
    sim: httpx.AsyncClient, tmp_path: Path
) -> None:
    uri = await upload(sim, small_video(tmp_path / "in.mp4", (40, 90, 200)))
    body = {"model": "aleph2", "videoUri": uri, "promptText": "in winter", "seed": 7}
    first = await output(sim, await sim.post("/v1/video_to_video", headers=ALICE, json=body))
    again = await output(sim, await sim.post("/v1/video_to_video", headers=ALICE, json=body))
    other = {**body, "seed": 8}
    third = await output(sim, await sim.post("/v1/video_to_video", headers=ALICE, json=other))
    size, count, colour = video(first)
    assert size == (64, 64) and count == 48  # 16 frames at 8 fps: 2 s at 24 fps
    assert video(again)[2] == colour and video(third)[2] != colour
    sized = {"model": "seedance2", "promptVideo": uri, "ratio": "640:640", "duration": 4}
    made = await output(sim, await sim.post("/v1/video_to_video", headers=ALICE, json=sized))
    assert video(made)[:2] == ((640, 640), 96)


async def test_hdr_keeps_the_size_and_act_two_follows_the_reference(
    sim: httpx.AsyncClient, tmp_path: Path
) -> None:
    uri = await upload(sim, small_video(tmp_path / "in.mp4", (200, 60, 40)))
    hdr = await sim.post("/v1/video_to_hdr", headers=ALICE, json={"model": "ruby", "videoUri": uri})
    size, count, colour = video(await output(sim, hdr))
    assert (size, count) == ((64, 64), 48) and colour[0] > 150
    character = {"type": "image", "uri": data_uri(image_bytes((320, 320), color=(20, 160, 60)))}
    body = {
        "model": "act_two",
        "character": character,
        "reference": {"type": "video", "uri": uri},
        "ratio": "960:960",
    }
    made = await sim.post("/v1/character_performance", headers=ALICE, json=body)
    size, count, colour = video(await output(sim, made))
    assert size == (960, 960) and count == 48 and colour[1] > 120 > colour[0]


async def test_image_upscale_multiplies_the_size(sim: httpx.AsyncClient) -> None:
    body = {
        "model": "magnific_precision_upscaler_v2",
        "imageUri": data_uri(image_bytes((64, 36))),
        "scaleFactor": 16,
    }
    made = await sim.post("/v1/image_upscale", headers=ALICE, json=body)
    assert made.json()["estimatedCost"]["credits"] == 80
    picture = Image.open(io.BytesIO(await output(sim, made)))
    assert picture.format == "PNG" and picture.size == (1024, 576)


async def test_another_keys_output_is_no_input(sim: httpx.AsyncClient, tmp_path: Path) -> None:
    uri = await upload(sim, small_video(tmp_path / "in.mp4", (40, 90, 200)))
    mine = await sim.post(
        "/v1/video_to_hdr", headers=ALICE, json={"model": "ruby", "videoUri": uri}
    )
    await output(sim, mine)
    task = (await sim.get(f"/v1/tasks/{mine.json()['id']}", headers=ALICE)).json()
    body = {"model": "kling_4", "videoUri": task["output"][0], "promptText": "snow"}
    refused = await sim.post("/v1/video_to_video", headers=BOB, json=body)
    assert refused.status_code == 400 and refused.json()["issues"][0]["path"] == ["videoUri"]
    used = await sim.post("/v1/video_to_video", headers=ALICE, json={**body, "ratio": "auto_720p"})
    assert video(await output(sim, used))[0] == (720, 720)


def test_the_simulator_reads_the_schemas_with_its_own_code() -> None:
    source = (SIMULATOR / "schema_checks.py").read_text()
    assert "app.catalog.schema_check" not in source and "app.catalog.validation" not in source
