"""Every model of issue 25's table, made through the console's gateway with the official SDK
in strict mode, against the built-in simulator, with its inputs as ephemeral uploads: the
saved output is a video or an image of the size the request asks for."""

import io
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.gateway.test_console_sdk import LIMIT_S, PASSWORD, Stack, serving, small_mp4, video_facts
from tests.helpers import image_bytes
from tests.sdk_reads import is_variant

INPUT = (320, 180)  # small_mp4's size; a model that keeps its input's framing keeps it
# endpoint, model, the SDK's arguments besides the inputs, the output's size.
TABLE: list[tuple[str, str, dict[str, Any], tuple[int, int]]] = [
    ("video_to_video", "aleph2", {"prompt_text": "in winter", "seed": 3}, INPUT),
    ("video_to_video", "klingO3_4k", {"prompt_text": "snow"}, INPUT),
    ("video_to_video", "klingO3_pro", {"prompt_text": "snow"}, INPUT),
    ("video_to_video", "klingO3_standard", {"prompt_text": "snow"}, INPUT),
    ("video_to_video", "hailuo3", {"prompt_text": "snow", "ratio": "16:9"}, (1280, 720)),
    ("video_to_video", "seedance2", {"ratio": "640:640"}, (640, 640)),
    ("video_to_video", "seedance2_fast", {"ratio": "640:640"}, (640, 640)),
    ("video_to_video", "seedance2_mini", {"ratio": "640:640", "duration": 1}, (640, 640)),
    ("video_to_video", "seedance2_5", {"ratio": "640:640"}, (640, 640)),
    ("video_to_video", "gemini_omni_flash", {"prompt_text": "dusk"}, INPUT),
    (
        "video_to_video",
        "gemini_omni_flash_1.1",
        {"prompt_text": "dusk", "ratio": "640:360"},
        (640, 360),
    ),
    ("video_to_video", "kling_4", {"prompt_text": "dusk", "ratio": "auto_720p"}, (1280, 720)),
    (
        "character_performance",
        "act_two",
        {"ratio": "960:960", "expression_intensity": 4},
        (960, 960),
    ),
    ("video_to_hdr", "ruby", {}, INPUT),
    ("image_upscale", "magnific_precision_upscaler_v2", {"scale_factor": 4}, (256, 144)),
]
VIDEO_FIELD = {  # where each model takes its video
    "video_to_video": lambda model: (
        "video_uri"
        if model in ("aleph2", "gemini_omni_flash", "gemini_omni_flash_1.1", "kling_4")
        else "prompt_video"
    ),
    "video_to_hdr": lambda model: "video_uri",
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with serving(tmp_path_factory.mktemp("media")) as made:
        yield made


@pytest.fixture(scope="module")
def uploads(stack: Stack) -> dict[str, str]:
    """One video and one image, uploaded once as `create_ephemeral` sends them."""
    with stack.sdk() as sdk:
        video = sdk.uploads.create_ephemeral(file=("in.mp4", small_mp4())).uri
        face = image_bytes((320, 320), color=(20, 160, 60))
        image = sdk.uploads.create_ephemeral(file=("face.png", face)).uri
        small = sdk.uploads.create_ephemeral(file=("small.png", image_bytes((64, 36)))).uri
    return {"video": video, "image": image, "small": small}


def _arguments(endpoint: str, model: str, uploads: dict[str, str]) -> dict[str, Any]:
    if endpoint == "character_performance":
        return {
            "character": {"type": "image", "uri": uploads["image"]},
            "reference": {"type": "video", "uri": uploads["video"]},
        }
    if endpoint == "image_upscale":
        return {"image_uri": uploads["small"]}
    return {VIDEO_FIELD[endpoint](model): uploads["video"]}


def _saved(stack: Stack, sdk: Any, task_id: str) -> str:
    """The output URL once the console answers with its own saved copy."""
    deadline = time.monotonic() + LIMIT_S
    while True:
        task = sdk.tasks.retrieve(task_id)
        assert task.status not in ("FAILED", "CANCELLED"), task
        if task.status == "SUCCEEDED" and "/v1/media/" in task.output[0]:
            assert is_variant(task, "SUCCEEDED") and task.cost.credits > 0
            return task.output[0]
        assert time.monotonic() < deadline, f"never saved: {task}"
        time.sleep(0.2)


@pytest.mark.parametrize(("endpoint", "model", "extra", "size"), TABLE, ids=[t[1] for t in TABLE])
def test_each_model_makes_its_output_through_the_gateway(
    stack: Stack,
    uploads: dict[str, str],
    endpoint: str,
    model: str,
    extra: dict[str, Any],
    size: tuple[int, int],
) -> None:
    with stack.sdk() as sdk:
        create = getattr(sdk, endpoint).create
        created = create(model=model, **_arguments(endpoint, model, uploads), **extra)
        assert created.id
        url = _saved(stack, sdk, created.id)
    answer = httpx.get(url, timeout=30)
    assert answer.status_code == 200, url
    if endpoint == "image_upscale":
        assert answer.headers["content-type"] == "image/png"
        picture = Image.open(io.BytesIO(answer.content))
        assert (picture.format, picture.size) == ("PNG", size)
        return
    assert answer.headers["content-type"] == "video/mp4"
    assert video_facts(answer.content)[0] == size


def test_the_history_names_each_endpoint(stack: Stack) -> None:
    """Every task above is in the member's history, under the endpoint it was made at."""
    headers = {"Authorization": f"Bearer {PASSWORD}", "X-Runway-Key": stack.token}
    listed = httpx.get(f"{stack.console}/api/tasks?limit=50", headers=headers, timeout=30)
    assert listed.status_code == 200, listed.text
    made = [(task["endpoint"], task["model"]) for task in listed.json()["tasks"]]
    assert sorted(made) == sorted((endpoint, model) for endpoint, model, *_rest in TABLE)


def test_an_output_the_console_answered_with_goes_on_as_an_input(
    stack: Stack, uploads: dict[str, str]
) -> None:
    """An app hands the console's own copy (`/v1/media/<id>.mp4`, `.png`) to the next task,
    which the upstream could not fetch: the console sends the upstream's own URL instead, for
    a video to transform and an image to upscale as for a video to upscale."""
    model = "magnific_precision_upscaler_v2"
    with stack.sdk() as sdk:
        hdr = _saved(
            stack, sdk, sdk.video_to_hdr.create(model="ruby", video_uri=uploads["video"]).id
        )
        assert ".mp4?" in hdr
        again = sdk.video_to_video.create(model="aleph2", video_uri=hdr, prompt_text="snow")
        video = _saved(stack, sdk, again.id)
        small = sdk.image_upscale.create(model=model, image_uri=uploads["small"], scale_factor=2)
        image = _saved(stack, sdk, small.id)
        assert ".png?" in image
        larger = _saved(
            stack, sdk, sdk.image_upscale.create(model=model, image_uri=image, scale_factor=2).id
        )
    assert video_facts(httpx.get(video, timeout=30).content)[0] == INPUT
    picture = Image.open(io.BytesIO(httpx.get(larger, timeout=30).content))
    assert picture.size == (256, 144)  # 64×36, twice made twice as large: the real pixels
