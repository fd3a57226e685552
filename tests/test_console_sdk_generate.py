"""The official SDK, with strict response validation, against a live console's gateway:
text_to_image, text_to_video and video_upscale, as an app written for Runway would call them.

The console's upstream is its built-in simulator; the SDK's key passes through (recorded under
it), so the tasks it makes are the key's history too.
"""

import io
import time
from collections.abc import Iterator
from typing import Any

import av
import httpx
import pytest
import runwayml
from PIL import Image

LIMIT_S = 120


@pytest.fixture
def sdk(live_console: str) -> Iterator[runwayml.RunwayML]:
    with runwayml.RunwayML(
        base_url=live_console, api_key="sdk-key", _strict_response_validation=True, max_retries=0
    ) as client:
        yield client


def finished(sdk: runwayml.RunwayML, created: Any) -> Any:
    """Read the task through the SDK until it ends (every read strictly validated)."""
    assert created.estimated_cost.credits > 0
    deadline = time.monotonic() + LIMIT_S
    while (task := sdk.tasks.retrieve(created.id)).status not in ("SUCCEEDED", "FAILED"):
        assert time.monotonic() < deadline, f"task never finished: {task}"
        time.sleep(0.2)
    assert task.status == "SUCCEEDED", task
    assert task.cost.credits >= 0
    return task


def fetch(url: str) -> bytes:
    answer = httpx.get(url, timeout=30)
    assert answer.status_code == 200, url
    return answer.content


def video_size(data: bytes) -> tuple[int, int]:
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        return stream.width, stream.height


def test_text_to_image_through_the_console(sdk: runwayml.RunwayML) -> None:
    created = sdk.text_to_image.create(
        model="gen4_image", prompt_text="a lighthouse at night", ratio="1080:1440", seed=3
    )
    task = finished(sdk, created)
    picture = Image.open(io.BytesIO(fetch(task.output[0])))
    assert picture.size == (1080, 1440)


def test_text_to_video_and_its_upscale_through_the_console(
    sdk: runwayml.RunwayML, live_console: str
) -> None:
    created = sdk.text_to_video.create(
        model="gen4.5", prompt_text="a slow pan over dunes", ratio="1280:720", duration=2
    )
    video = finished(sdk, created)
    assert video_size(fetch(video.output[0])) == (1280, 720)
    # Once saved, the console answers with its own copy, which the upstream cannot fetch:
    # an app hands it on as it is, and the console sends the upstream's own URL instead.
    deadline = time.monotonic() + LIMIT_S
    while "/v1/media/" not in (video := sdk.tasks.retrieve(video.id)).output[0]:
        assert time.monotonic() < deadline, "the video was never saved"
        time.sleep(0.2)
    upscaled = finished(
        sdk,
        sdk.video_upscale.create(
            model="magnific_video_upscaler_creative", video_uri=video.output[0]
        ),
    )
    assert video_size(fetch(upscaled.output[0])) == (2560, 1440)
    history = httpx.get(
        f"{live_console}/api/tasks", headers={"X-Runway-Key": "sdk-key"}, timeout=30
    ).json()["tasks"]
    assert [t["endpoint"] for t in history[:2]] == ["video_upscale", "text_to_video"]


def test_a_bad_upscale_is_runways_400_naming_the_parameter(sdk: runwayml.RunwayML) -> None:
    with pytest.raises(runwayml.BadRequestError) as refused:
        sdk.video_upscale.create(model="magnific_video_upscaler_creative", video_uri="ftp://x")
    assert "videoUri" in str(refused.value)
