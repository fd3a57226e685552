"""The endpoints around image-to-video, driven by the official SDK against the standalone
simulator: uploads, text_to_image, text_to_video and video_upscale."""

import base64
import io
import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import httpx
import pytest
import runwayml
from PIL import Image

from tests.helpers import data_uri, image_bytes

HEADERS = {"Authorization": "Bearer key", "X-Runway-Version": "2024-11-06"}


@pytest.fixture
def sdk(live_simulator: str) -> Iterator[runwayml.RunwayML]:
    with runwayml.RunwayML(
        base_url=live_simulator, api_key="key", _strict_response_validation=True
    ) as client:
        yield client


@pytest.fixture
def http(live_simulator: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_simulator, headers=HEADERS, timeout=30) as client:
        yield client


def output(sdk: runwayml.RunwayML, created: Any) -> bytes:
    """Read the task through the SDK until it ends; the output's bytes."""
    assert created.estimated_cost.credits > 0
    deadline = time.monotonic() + 90  # a full-size render on a busy machine
    while (task := sdk.tasks.retrieve(created.id)).status not in ("SUCCEEDED", "FAILED"):
        assert time.monotonic() < deadline, f"task never finished: {task}"
        time.sleep(0.1)
    assert task.status == "SUCCEEDED", task
    answer = httpx.get(task.output[0], timeout=30)
    assert answer.status_code == 200
    return answer.content


def video_facts(data: bytes) -> tuple[tuple[int, int], float, list[Image.Image]]:
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        frames = [frame.to_image() for frame in container.decode(video=0)]
        seconds = float(stream.duration * stream.time_base)
        return (stream.width, stream.height), seconds, frames


def test_an_upload_is_a_runway_uri_usable_as_a_first_frame(sdk: runwayml.RunwayML) -> None:
    frame = image_bytes((1280, 768), color=(20, 160, 60))
    uploaded = sdk.uploads.create_ephemeral(file=("frame.png", frame))
    assert uploaded.uri.startswith("runway://")
    created = sdk.image_to_video.create(
        model="gen4_turbo", prompt_image=uploaded.uri, ratio="1280:720", duration=2, seed=1
    )
    (_, _, frames) = video_facts(output(sdk, created))
    red, green, blue = frames[0].resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    assert green > 140 and red < 50 and blue < 90, "the uploaded frame, not a placeholder"


def test_an_unknown_upload_is_refused_by_name(http: httpx.Client) -> None:
    body = {
        "model": "gen3a_turbo",
        "promptImage": "runway://uploads/00000000-0000-4000-8000-000000000000",
        "promptText": "x",
        "ratio": "1280:768",
        "duration": 5,
    }
    answer = http.post("/v1/image_to_video", json=body)
    assert answer.status_code == 400
    assert answer.json()["error"] == "Invalid parameter 'promptImage'"


def test_an_upload_with_a_forged_signature_is_refused(
    http: httpx.Client, live_simulator: str
) -> None:
    slot = http.post("/v1/uploads", json={"filename": "a.png", "type": "ephemeral"}).json()
    fields = {**slot["fields"], "signature": "0" * 32}
    answer = httpx.post(slot["uploadUrl"], data=fields, files={"file": ("a.png", b"x")})
    assert answer.status_code == 403


def test_an_upload_announced_over_the_limit_is_refused_before_a_byte_is_read(
    http: httpx.Client, live_simulator: str
) -> None:
    """The form is not parsed (nor spooled to disk) first: an upload URL is handed to anyone
    who asks for a slot, so a body's size is refused by its length, before its signature."""
    slot = http.post("/v1/uploads", json={"filename": "a.png", "type": "ephemeral"}).json()
    path = httpx.URL(slot["uploadUrl"]).path
    host, port = httpx.URL(live_simulator).host, httpx.URL(live_simulator).port
    with socket.create_connection((host, port), timeout=10) as conn:
        conn.sendall(
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\n"
            "Content-Type: multipart/form-data; boundary=b\r\n"
            f"Content-Length: {200 * 1024 * 1024}\r\n\r\n".encode()
        )
        status_line = conn.recv(4096).split(b"\r\n", 1)[0]  # no body was sent at all
    assert status_line.split()[1] == b"413"


def test_expired_uploads_are_removed_from_disk(http: httpx.Client, tmp_path: Path) -> None:
    """runway:// URIs last a day: their files go when a later slot is made, not only when
    a create names them."""
    folder = tmp_path / "simdata" / "simulator" / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    old, live = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
    for upload_id, expires in ((old, time.time() - 60), (live, time.time() + 3600)):
        (folder / upload_id).write_bytes(b"a file")
        (folder / f"{upload_id}.json").write_text(json.dumps({"expires": int(expires)}))
    (folder / "33333333-3333-4333-8333-333333333333.part").write_bytes(b"half")  # killed writer
    os.utime(folder / "33333333-3333-4333-8333-333333333333.part", (0, 0))
    assert http.post("/v1/uploads", json={"filename": "a.png"}).status_code == 200
    assert sorted(p.name for p in folder.iterdir()) == [live, f"{live}.json"]


@pytest.mark.parametrize("bad", [{}, {"filename": ""}, {"filename": "a.png", "type": "other"}])
def test_a_bad_upload_request_is_400(http: httpx.Client, bad: dict) -> None:
    assert http.post("/v1/uploads", json=bad).status_code == 400


def test_text_to_image_is_a_png_at_the_ratios_size_fixed_by_prompt_and_seed(
    sdk: runwayml.RunwayML,
) -> None:
    def image(seed: int) -> bytes:
        created = sdk.text_to_image.create(
            model="gen4_image", prompt_text="A harbour at dawn", ratio="1920:1080", seed=seed
        )
        return output(sdk, created)

    one, again, other = image(3), image(3), image(4)
    assert one == again and one != other
    with Image.open(io.BytesIO(one)) as picture:
        assert (picture.format, picture.size) == ("PNG", (1920, 1080))


def test_text_to_image_checks_its_reference_images(http: httpx.Client) -> None:
    body = {
        "model": "gen4_image_turbo",
        "promptText": "@cat on a sofa",
        "ratio": "1024:1024",
        "referenceImages": [{"uri": data_uri(image_bytes()), "tag": "1cat"}],
    }
    answer = http.post("/v1/text_to_image", json=body)
    assert answer.status_code == 400
    assert answer.json()["issues"][0]["path"] == ["referenceImages", 0, "tag"]
    body["referenceImages"][0]["tag"] = "cat"
    assert http.post("/v1/text_to_image", json=body).status_code == 200
    del body["referenceImages"]
    assert http.post("/v1/text_to_image", json=body).status_code == 400, "turbo needs them"


def test_text_to_video_is_an_mp4_of_the_ratio_and_duration(sdk: runwayml.RunwayML) -> None:
    created = sdk.text_to_video.create(
        model="gen4.5", prompt_text="A forest at night", ratio="720:1280", duration=2
    )
    size, seconds, _ = video_facts(output(sdk, created))
    assert size == (720, 1280)
    assert seconds == pytest.approx(2, abs=0.1)


def small_video(sdk: runwayml.RunwayML) -> Any:
    return sdk.text_to_video.create(
        model="gen4.5", prompt_text="A lake", ratio="1280:720", duration=2
    )


@pytest.mark.parametrize("given", ["data URI", "output URL"])
def test_video_upscale_makes_the_video_larger(sdk: runwayml.RunwayML, given: str) -> None:
    made = small_video(sdk)
    video = output(sdk, made)
    if given == "data URI":
        uri = f"data:video/mp4;base64,{base64.b64encode(video).decode()}"
    else:  # the simulator's own output link (http on loopback), as a result card passes it
        uri = sdk.tasks.retrieve(made.id).output[0]
    created = sdk.video_upscale.create(
        model="magnific_video_upscaler_creative", video_uri=uri, resolution="1k"
    )
    size, seconds, _ = video_facts(output(sdk, created))
    assert size == (1920, 1080)
    assert seconds == pytest.approx(2, abs=0.1)


def test_enhance_frame_rate_takes_an_uploaded_video_and_doubles_its_frames(
    sdk: runwayml.RunwayML,
) -> None:
    video = output(sdk, small_video(sdk))
    uploaded = sdk.uploads.create_ephemeral(file=("lake.mp4", video))
    created = sdk.video_upscale.create(
        model="enhance_frame_rate", video_uri=uploaded.uri, target_framerate="48"
    )
    size, seconds, frames = video_facts(output(sdk, created))
    assert size == (1280, 720)
    assert len(frames) == 96
    assert seconds == pytest.approx(2, abs=0.1)


@pytest.mark.parametrize(
    ("endpoint", "body", "field"),
    [
        ("text_to_image", {"model": "gen4_image", "ratio": "1024:1024"}, "promptText"),
        ("text_to_image", {"model": "nope", "promptText": "x"}, "model"),
        (
            "text_to_video",
            {"model": "gen4.5", "promptText": "x", "ratio": "1:1", "duration": 5},
            "ratio",
        ),
        ("video_upscale", {"model": "magnific_video_upscaler_creative"}, "videoUri"),
        (
            "video_upscale",
            {"model": "magnific_video_upscaler_creative", "videoUri": "http://example.com/a.mp4"},
            "videoUri",
        ),
    ],
)
def test_bad_bodies_are_400_naming_the_field(
    http: httpx.Client, endpoint: str, body: dict, field: str
) -> None:
    answer = http.post(f"/v1/{endpoint}", json=body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == f"Invalid parameter '{field}'"
