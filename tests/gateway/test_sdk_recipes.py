"""Every recipe of issue 26's table, made through the console's gateway with the official SDK
in strict mode (`client.recipes.<name>(...)`), against the built-in simulator, with its inputs
as ephemeral uploads: the saved output is a video of the size and seconds the request asks for,
or a PNG image."""

import io
from typing import Any

import av
import httpx
import pytest
from PIL import Image

from tests.gateway.test_console_sdk import PASSWORD, Stack
from tests.gateway.test_sdk_media_endpoints import _saved, stack, uploads  # noqa: F401 - fixtures

VERSION = "2026-06"
# recipe, the SDK's arguments (`{image}`, `{video}` stand for uploads), what it makes:
# ("video", size, seconds) or ("image", size).
TABLE: list[tuple[str, dict[str, Any], tuple[Any, ...]]] = [
    (
        "product_ad",
        {
            "product_images": [{"uri": "{image}"}],
            "style_images": [{"uri": "{small}"}],
            "user_concept": "sunlit kitchen, slow push-in",
            "ratio": "960:960",
            "duration": 4,
            "version": "2026-07",
        },
        ("video", (960, 960), 4),
    ),
    (
        "product_ugc",
        {"character_image": {"uri": "{image}"}, "product_image": {"uri": "{small}"}, "duration": 4},
        ("video", (720, 1280), 4),
    ),
    (
        "product_swap",
        {
            "new_product_images": [{"uri": "{image}", "view": "front"}],
            "original_product_image": {"uri": "{small}"},
            "reference_video": {"uri": "{video}"},
            "duration": 4,
        },
        ("video", (1280, 720), 4),
    ),
    (
        "multi_shot_video",
        {"mode": "auto", "prompt": "a lighthouse at dusk", "duration": 5, "ratio": "960:960"},
        ("video", (960, 960), 5),
    ),
    (
        "ad_localization",
        {"reference_image": {"uri": "{image}"}, "target_language": "ja"},
        ("image", (1024, 1024)),
    ),
    (
        "product_campaign_image",
        {"image": {"uri": "{image}"}, "prompt": "high-key fashion editorial"},
        ("image", (1024, 1024)),
    ),
    (
        "marketing_stock_image",
        {"prompt": "a desk by a window, morning", "output_count": 1, "quality": "low"},
        ("image", (1024, 1024)),
    ),
]


def _filled(value: Any, uris: dict[str, str]) -> Any:
    """The arguments with `{name}` placeholders replaced by the uploads' URIs."""
    if isinstance(value, dict):
        return {k: _filled(v, uris) for k, v in value.items()}
    if isinstance(value, list):
        return [_filled(v, uris) for v in value]
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return uris[value[1:-1]]
    return value


def _video_facts(data: bytes) -> tuple[tuple[int, int], float]:
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(video=0))
        return (stream.width, stream.height), frames / float(stream.average_rate or 24)


@pytest.mark.parametrize(("recipe", "arguments", "makes"), TABLE, ids=[t[0] for t in TABLE])
def test_each_recipe_makes_its_output_through_the_gateway(
    stack: Stack,  # noqa: F811 - the fixture imported above
    uploads: dict[str, str],  # noqa: F811
    recipe: str,
    arguments: dict[str, Any],
    makes: tuple[Any, ...],
) -> None:
    with stack.sdk() as sdk:
        create = getattr(sdk.recipes, recipe)
        created = create(**{"version": VERSION, **_filled(arguments, uploads)})
        assert created.id
        url = _saved(stack, sdk, created.id)
    answer = httpx.get(url, timeout=30)
    assert answer.status_code == 200, url
    if makes[0] == "image":
        assert answer.headers["content-type"] == "image/png"
        picture = Image.open(io.BytesIO(answer.content))
        assert (picture.format, picture.size) == ("PNG", makes[1])
        return
    assert answer.headers["content-type"] == "video/mp4"
    size, seconds = _video_facts(answer.content)
    assert size == makes[1]
    assert seconds == pytest.approx(makes[2], abs=0.1)


def test_the_history_names_each_recipe_and_its_version(stack: Stack) -> None:  # noqa: F811
    """Each recipe is in the member's history at its path, its version where a model goes."""
    headers = {"Authorization": f"Bearer {PASSWORD}", "X-Runway-Key": stack.token}
    listed = httpx.get(f"{stack.console}/api/tasks?limit=50", headers=headers, timeout=30)
    assert listed.status_code == 200, listed.text
    made = {(task["endpoint"], task["model"]) for task in listed.json()["tasks"]}
    wanted = {(f"recipes/{name}", args.get("version", VERSION)) for name, args, _m in TABLE}
    assert wanted <= made


def test_a_recipe_the_schema_refuses_is_a_400_naming_the_field(stack: Stack) -> None:  # noqa: F811
    """Nothing is sent upstream: the console's own check answers, in Runway's shape."""
    headers = {"Authorization": f"Bearer {stack.token}", "X-Runway-Version": "2024-11-06"}
    for body, field in (
        ({"version": VERSION, "productImages": []}, "productImages"),
        ({"productImages": [{"uri": "https://example.com/a.png"}]}, "version"),
        ({"version": VERSION, "mode": "story", "prompt": "x"}, "mode"),
    ):
        path = "multi_shot_video" if "mode" in body else "product_ad"
        answer = httpx.post(
            f"{stack.console}/v1/recipes/{path}", json=body, headers=headers, timeout=30
        )
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"] == f"Invalid parameter '{field}'", answer.text
