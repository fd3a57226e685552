"""The console checks the schema-driven endpoints (video_to_video, Act-Two, video_to_hdr,
image_upscale, the recipes) against the SDK's JSON Schemas: each bad field by its API name,
before anything is sent; and the simulator, reading the same schemas with its own code, agrees
on the field."""

import httpx
import pytest

from app.catalog.endpoints import ENDPOINTS
from app.catalog.schema_check import body_errors
from app.catalog.validation import Invalid
from app.simulator.checks import BodyRefused
from app.simulator.schema_checks import check_schema

VIDEO = "https://example.com/in.mp4"
IMAGE = "https://example.com/face.png"
GOOD = {
    "video_to_video": {"model": "aleph2", "videoUri": VIDEO, "promptText": "in winter"},
    "character_performance": {
        "model": "act_two",
        "character": {"type": "image", "uri": IMAGE},
        "reference": {"type": "video", "uri": VIDEO},
    },
    "video_to_hdr": {"model": "ruby", "videoUri": VIDEO},
    "image_upscale": {"model": "magnific_precision_upscaler_v2", "imageUri": IMAGE},
    # The recipes name no model: a dated version, and multi_shot_video's mode picks its schema.
    "recipes/product_ad": {"version": "2026-07", "productImages": [{"uri": IMAGE}]},
    "recipes/multi_shot_video": {
        "version": "2026-06",
        "mode": "custom",
        "shots": [{"duration": 5, "prompt": "a door"}] * 3,
    },
    "recipes/ad_localization": {
        "version": "2026-06",
        "referenceImage": {"uri": IMAGE},
        "targetLanguage": "ja",
    },
    "recipes/product_swap": {
        "version": "2026-06",
        "newProductImages": [{"uri": IMAGE, "view": "front"}],
        "originalProductImage": {"uri": IMAGE},
        "referenceVideo": {"uri": VIDEO},
    },
}
BAD = [
    ("video_to_video", {"videoUri": None}, "videoUri"),
    ("video_to_video", {"model": "aleph9"}, "model"),
    ("video_to_video", {"promptText": " "}, "promptText"),
    ("video_to_video", {"keyframes": [{"at": 2, "uri": IMAGE}]}, "keyframes[0].at"),
    ("video_to_video", {"keyframes": [{"seconds": 1, "uri": IMAGE}] * 6}, "keyframes"),
    ("video_to_video", {"targetAspectRatio": "5:4"}, "targetAspectRatio"),
    ("video_to_video", {"seed": 2**40}, "seed"),
    ("character_performance", {"character": {"type": "audio", "uri": IMAGE}}, "character.type"),
    ("character_performance", {"reference": {"type": "video"}}, "reference.uri"),
    ("character_performance", {"expressionIntensity": 0}, "expressionIntensity"),
    ("character_performance", {"bodyControl": "yes"}, "bodyControl"),
    ("character_performance", {"ratio": "1920:1080"}, "ratio"),
    ("video_to_hdr", {"outputFormat": "hdr11"}, "outputFormat"),
    ("image_upscale", {"scaleFactor": 3}, "scaleFactor"),
    ("image_upscale", {"scaleFactor": True}, "scaleFactor"),
    ("image_upscale", {"sharpen": 101}, "sharpen"),
    ("image_upscale", {"flavor": "painting"}, "flavor"),
    ("recipes/product_ad", {"productImages": []}, "productImages"),
    ("recipes/product_ad", {"version": "2025-01"}, "version"),
    ("recipes/product_ad", {"version": None}, "version"),
    ("recipes/product_ad", {"duration": 3}, "duration"),
    ("recipes/product_ad", {"styleImages": [{"uri": IMAGE}] * 5}, "styleImages"),
    ("recipes/multi_shot_video", {"mode": "story"}, "mode"),
    ("recipes/multi_shot_video", {"shots": [{"duration": 5, "prompt": "x"}] * 2}, "shots"),
    (
        "recipes/multi_shot_video",
        {"shots": [{"duration": 5}, *[{"duration": 5, "prompt": "x"}] * 2]},
        "shots[0].prompt",
    ),
    ("recipes/ad_localization", {"targetLanguage": "xx"}, "targetLanguage"),
    (
        "recipes/product_swap",
        {"newProductImages": [{"uri": IMAGE, "view": "top"}]},
        "newProductImages[0].view",
    ),
]
# URIs: the console's own rules by `x-media`; the simulator checks them after the schema
# walk, against what it may read (app/simulator/media_tasks.py).
BAD_URIS = [
    ("video_to_video", {"keyframes": [{"seconds": 1, "uri": "ftp://x"}]}, "keyframes[0].uri"),
    ("video_to_hdr", {"videoUri": "file:///etc/passwd"}, "videoUri"),
    ("image_upscale", {"imageUri": "data:text/html;base64,PGgxPg=="}, "imageUri"),
    (
        "character_performance",
        {"reference": {"type": "video", "uri": "ftp://e.com/r.mp4"}},
        "reference.uri",
    ),
    ("recipes/product_ad", {"productImages": [{"uri": "ftp://x"}]}, "productImages[0].uri"),
    ("recipes/product_swap", {"referenceVideo": {"uri": "file:///x"}}, "referenceVideo.uri"),
]


def _body(endpoint: str, change: dict) -> dict:
    body = {**GOOD[endpoint], **change}
    return {k: v for k, v in body.items() if v is not None}


@pytest.mark.parametrize("endpoint", list(GOOD))
def test_a_good_body_passes_both_sides(endpoint: str) -> None:
    ENDPOINTS[endpoint].validate(GOOD[endpoint])
    check_schema(endpoint, GOOD[endpoint])


@pytest.mark.parametrize(("endpoint", "change", "field"), BAD)
def test_the_console_and_the_simulator_name_the_same_field(
    endpoint: str, change: dict, field: str
) -> None:
    body = _body(endpoint, change)
    with pytest.raises(Invalid) as console:
        ENDPOINTS[endpoint].validate(body)
    assert [e.field for e in console.value.errors] == [field]
    with pytest.raises(BodyRefused) as simulator:
        check_schema(endpoint, body)
    path = "".join(
        f"[{p}]" if isinstance(p, int) else f".{p}" for p in simulator.value.issues[0].path
    )
    assert path.lstrip(".") == field


@pytest.mark.parametrize(("endpoint", "change", "field"), BAD_URIS)
async def test_a_bad_uri_is_refused_by_name_on_both_sides(
    client: httpx.AsyncClient, endpoint: str, change: dict, field: str
) -> None:
    body = _body(endpoint, change)
    with pytest.raises(Invalid) as console:
        ENDPOINTS[endpoint].validate(body)
    assert [e.field for e in console.value.errors] == [field]
    headers = {"Authorization": "Bearer key_test", "X-Runway-Version": "2024-11-06"}
    answer = await client.post(f"/simulator/v1/{endpoint}", json=body, headers=headers)
    assert answer.status_code == 400, answer.text
    path = [
        int(p) if p.isdigit() else p for p in field.replace("[", ".").replace("]", "").split(".")
    ]
    assert answer.json()["issues"][0]["path"] == path


def test_the_form_s_prompt_limit_holds_where_the_sdk_states_none() -> None:
    errors = body_errors(_body("video_to_video", {"promptText": "x" * 1001}), "video_to_video")
    assert [e.field for e in errors] == ["promptText"]
    long_ok = {"model": "seedance2", "promptVideo": VIDEO, "promptText": "x" * 3500}
    assert body_errors(long_ok, "video_to_video") == []


@pytest.mark.parametrize("endpoint", list(GOOD))
async def test_the_json_api_creates_at_each_endpoint(
    client: httpx.AsyncClient, endpoint: str
) -> None:
    created = await client.post("/api/tasks", json={**GOOD[endpoint], "endpoint": endpoint})
    assert created.status_code == 201, created.text
    task = (await client.get(f"/api/tasks/{created.json()['id']}")).json()
    assert task["endpoint"] == endpoint
    # A seed is drawn only where the model takes one.
    assert (task["seed"] is not None) == (endpoint in ("video_to_video", "character_performance"))


async def test_a_bad_body_is_422_by_field_and_nothing_is_sent(client: httpx.AsyncClient) -> None:
    await client.delete("/simulator/_sim/stats")
    body = {**_body("video_to_video", {"keyframes": [{"at": 2, "uri": IMAGE}]}), "seed": -1}
    response = await client.post("/api/tasks", json={**body, "endpoint": "video_to_video"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["keyframes[0].at", "seed"]
    assert (await client.get("/simulator/_sim/stats")).json().get("create", 0) == 0
    assert (await client.get("/api/tasks")).json()["tasks"] == []
