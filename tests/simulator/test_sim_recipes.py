"""The simulator's recipes: each checks its body against its schema with its own code, prices
a video recipe by the second, makes its output from its inputs (a product ad from the product
photo), the same for the same seed; its text carries the markers, as `promptText` does."""

import asyncio
import io
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from app.catalog.hand import RECIPE_CREDITS
from app.simulator.app import create_simulator_app
from tests.helpers import data_uri, image_bytes
from tests.simulator.test_sim_media_endpoints import video
from tests.simulator.test_sim_upscale_inputs import ALICE

RED = data_uri(image_bytes((320, 320), color=(200, 30, 30)))


@pytest.fixture
async def sim(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_simulator_app(tmp_path / "sim", speed=10)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://sim") as c:
        yield c


async def settled(sim: httpx.AsyncClient, made: httpx.Response) -> dict:
    assert made.status_code == 200, made.text
    deadline = time.monotonic() + 60
    while (task := (await sim.get(f"/v1/tasks/{made.json()['id']}", headers=ALICE)).json())[
        "status"
    ] in ("PENDING", "THROTTLED", "RUNNING"):
        assert time.monotonic() < deadline, task
        await asyncio.sleep(0.1)
    return task


def _ad(**change: object) -> dict:
    body = {"version": "2026-07", "productImages": [{"uri": RED}], "duration": 4}
    return {**body, "ratio": "960:960", **change}


async def test_a_product_ad_is_the_product_photo_moving_priced_by_the_second(
    sim: httpx.AsyncClient,
) -> None:
    made = await sim.post("/v1/recipes/product_ad", json=_ad(), headers=ALICE)
    assert made.json()["estimatedCost"]["credits"] == RECIPE_CREDITS["recipes/product_ad"] * 4
    task = await settled(sim, made)
    assert task["status"] == "SUCCEEDED"
    size, frames, colour = video((await sim.get(task["output"][0])).content)
    assert size == (960, 960) and frames == 4 * 24
    assert colour[0] > 150 and colour[1] < 80  # the red product fills the first frame


async def test_the_same_seed_makes_the_same_image(sim: httpx.AsyncClient) -> None:
    """A recipe takes no seed: the simulator draws one, or keeps one a relay passed along, and
    the same one paints the same picture. An image recipe is priced per image."""
    pictures = []
    for seed in (7, 7, 8):
        body = {"version": "2026-06", "prompt": "a desk", "outputCount": 2, "seed": seed}
        made = await sim.post("/v1/recipes/marketing_stock_image", json=body, headers=ALICE)
        price = RECIPE_CREDITS["recipes/marketing_stock_image"] * 2
        assert made.json()["estimatedCost"]["credits"] == price
        task = await settled(sim, made)
        pictures.append((await sim.get(task["output"][0])).content)
    picture = Image.open(io.BytesIO(pictures[0]))
    assert (picture.format, picture.size) == ("PNG", (1024, 1024))
    assert pictures[0] == pictures[1] != pictures[2]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("product_ad", _ad(productImages=[]), ["productImages"]),
        ("product_ad", _ad(version="latest"), ["version"]),
        ("multi_shot_video", {"version": "2026-06", "mode": "story"}, ["mode"]),
        ("product_ad", _ad(productImages=[{"uri": "runway://uploads/nope"}]), None),
    ],
)
async def test_a_bad_recipe_is_runways_400_with_its_path(
    sim: httpx.AsyncClient, path: str, body: dict, field: list | None
) -> None:
    answer = await sim.post(f"/v1/recipes/{path}", json=body, headers=ALICE)
    assert answer.status_code == 400, answer.text
    issue = answer.json()["issues"][0]
    assert issue["path"] == (field or ["productImages", 0, "uri"])


async def test_a_recipe_s_text_carries_the_markers(sim: httpx.AsyncClient) -> None:
    failed = await settled(
        sim,
        await sim.post(
            "/v1/recipes/product_ad", json=_ad(userConcept="calm [sim:moderation]"), headers=ALICE
        ),
    )
    assert failed["status"] == "FAILED" and failed["failureCode"].startswith("SAFETY")
    busy = await sim.post(
        "/v1/recipes/marketing_stock_image",
        json={"version": "2026-06", "prompt": "x [sim:429]"},
        headers=ALICE,
    )
    assert busy.status_code == 429
