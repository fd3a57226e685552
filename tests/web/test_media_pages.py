"""The history, the inspector and copy as code show tasks of the schema-driven endpoints
(video_to_video, Act-Two, video_to_hdr, image_upscale) as they show the others."""

import asyncio
import io
import json
import time
import zipfile

import httpx
import pytest
from bs4 import BeautifulSoup

from app.catalog.endpoints import ENDPOINTS
from tests.catalog.test_schema_check import GOOD
from tests.helpers import wait_saved

LANGUAGES = ("curl", "python", "sdk", "js")
SDK_ARGUMENT = {
    "video_to_video": "video_uri='https://example.com/in.mp4'",
    "character_performance": "reference={'type': 'video', 'uri': 'https://example.com/in.mp4'}",
    "video_to_hdr": "video_uri='https://example.com/in.mp4'",
    "image_upscale": "image_uri='https://example.com/face.png'",
    "recipes/product_ad": "product_images=[{'uri': 'https://example.com/face.png'}]",
    "recipes/multi_shot_video": "mode='custom'",
    "recipes/ad_localization": "target_language='ja'",
    "recipes/product_swap": "reference_video={'uri': 'https://example.com/in.mp4'}",
}


def sdk_call(endpoint: str) -> str:
    """How the SDK's snippet starts the call: `client.<endpoint>.create(`, or for a recipe
    (no model, a method per recipe) `client.recipes.<name>(`."""
    group, _, recipe = endpoint.partition("/")
    return f"client.{group}.{recipe}(" if recipe else f"client.{endpoint}.create("


async def finished(client: httpx.AsyncClient, task_id: str) -> dict:
    deadline = time.monotonic() + 60
    while (task := (await client.get(f"/api/tasks/{task_id}")).json())["status"] != "SUCCEEDED":
        assert task["status"] not in ("FAILED", "CANCELLED"), task
        assert time.monotonic() < deadline, task
        await asyncio.sleep(0.2)
    return task


@pytest.mark.parametrize("endpoint", list(GOOD))
async def test_each_endpoint_s_task_shows_everywhere(
    client: httpx.AsyncClient, endpoint: str
) -> None:
    created = await client.post("/api/tasks", json={**GOOD[endpoint], "endpoint": endpoint})
    assert created.status_code == 201, created.text
    task = await finished(client, created.json()["id"])
    history = await client.get("/history")
    recorded = ENDPOINTS[endpoint].model_of(GOOD[endpoint])  # a recipe records its version
    assert history.status_code == 200 and recorded in history.text
    inspector = await client.get(f"/tasks/{task['id']}")
    assert inspector.status_code == 200, inspector.text
    assert "does not know" not in inspector.text  # the SDK's snippet is offered
    for language in LANGUAGES:
        code = await client.get(f"/tasks/{task['id']}/code/{language}")
        assert code.status_code == 200, (language, code.text)
        assert f"/{endpoint}" in code.text or sdk_call(endpoint) in code.text
    sdk = (await client.get(f"/tasks/{task['id']}/code/sdk")).text
    compile(sdk, "snippet.py", "exec")
    assert sdk_call(endpoint) in sdk and SDK_ARGUMENT[endpoint] in sdk, sdk


OUTPUT_FILE = {
    "video": ("video.mp4", "data:video/mp4;base64,"),
    "image": ("image.png", "data:image/png;base64,"),
}
INPUT_SHOWN = {
    "video_to_video": "videoUri",
    "character_performance": "reference.uri",
    "video_to_hdr": "videoUri",
    "image_upscale": "imageUri",
    "recipes/product_ad": "productImages.0.uri",
    "recipes/multi_shot_video": None,  # a story in shots: no media input
    "recipes/ad_localization": "referenceImage.uri",
    "recipes/product_swap": "referenceVideo.uri",
}


@pytest.mark.parametrize("endpoint", list(GOOD))
async def test_each_endpoint_s_task_shares_and_exports_its_output_and_inputs(
    client: httpx.AsyncClient, endpoint: str
) -> None:
    """Share as HTML names the endpoint, embeds the output as what it is (an upscaled image
    as an image) and lists the inputs; the export zip holds the output under its kind."""
    created = await client.post("/api/tasks", json={**GOOD[endpoint], "endpoint": endpoint})
    task = await wait_saved(client, created.json()["id"])
    name, embedded = OUTPUT_FILE[ENDPOINTS[endpoint].result]
    share = await client.get(f"/api/tasks/{task['id']}/share.html")
    assert share.status_code == 200
    page = BeautifulSoup(share.text, "html.parser")
    assert ENDPOINTS[endpoint].label in page.select_one("h1").text
    assert "image-to-video" not in page.select_one("h1").text
    assert embedded in share.text
    inputs = {
        dt.text: dd.text
        for dt, dd in zip(page.select(".inputs dt"), page.select(".inputs dd"), strict=True)
    }
    shown = INPUT_SHOWN[endpoint]
    assert shown is None or inputs[shown].startswith("https://example.com/"), inputs
    export = await client.get(f"/api/tasks/{task['id']}/export.zip")
    with zipfile.ZipFile(io.BytesIO(export.content)) as archive:
        assert name in archive.namelist()
        assert json.loads(archive.read("task.json"))["task"]["endpoint"] == endpoint
