"""The simulator is an independent oracle: its own checks, read from the SDK's model data, and
its own answers, so a rule the console gets wrong shows up between the two."""

import ast
import asyncio

import httpx
import pytest

from tests.helpers import ROOT, seed_body

AUTH = {"Authorization": "Bearer hk-test-key", "X-Runway-Version": "2024-11-06"}
SIMULATOR = ROOT / "app" / "simulator"


def test_the_simulator_imports_nothing_of_the_console_s_validation() -> None:
    for path in SIMULATOR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert node.module not in ("app.catalog.validation", "app.tasks.service"), path.name
                assert not (node.module or "").startswith("app.web"), path.name


async def create(sim: httpx.AsyncClient, body: dict) -> httpx.Response:
    return await sim.post("/v1/image_to_video", headers=AUTH, json=body)


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"model": "gen2"}, ["model"]),
        ({"ratio": "1280:720"}, ["ratio"]),
        ({"duration": 7}, ["duration"]),
        ({"duration": "auto"}, ["duration"]),
        ({"duration": 5.5}, ["duration"]),
        ({"seed": -1}, ["seed"]),
        ({"promptText": None}, ["promptText"]),
        ({"promptText": "   "}, ["promptText"]),
        (
            {"promptImage": [{"uri": "http://e.com/a.jpg", "position": "first"}]},
            ["promptImage", 0, "uri"],
        ),
        (
            {"promptImage": [{"uri": "https://e.com/a.jpg", "position": "middle"}]},
            ["promptImage", 0, "position"],
        ),
        ({"promptImage": [{"uri": "https://e.com/a.jpg", "position": "last"}]}, ["promptImage"]),
    ],
)
async def test_a_bad_field_is_400_with_its_path(
    sim: httpx.AsyncClient, change: dict, path: list
) -> None:
    response = await create(sim, {**seed_body("https://example.com/a.jpg"), **change})
    assert response.status_code == 400, response.text
    answer = response.json()
    assert answer["error"] == f"Invalid parameter '{path[0]}'"
    assert answer["issues"][0]["path"] == path


async def test_each_model_s_own_rules_apply(sim: httpx.AsyncClient) -> None:
    first = "https://example.com/a.jpg"
    last_frame = [{"uri": first, "position": "first"}, {"uri": first, "position": "last"}]
    gen4 = {"model": "gen4_turbo", "promptImage": last_frame, "ratio": "1280:720"}
    assert (await create(sim, gen4)).json()["issues"][0]["path"] == ["promptImage", 1, "position"]
    veo = {"model": "veo3.1", "promptImage": last_frame, "ratio": "1080:1920", "duration": 6}
    assert (await create(sim, veo)).status_code == 200
    kling = {"model": "kling2.5_turbo_pro", "promptImage": first, "promptText": "x"}
    assert (await create(sim, kling)).status_code == 200  # no ratio at all: it follows the image
    seedance = {"model": "seedance2", "promptImage": first, "duration": "auto"}
    assert (await create(sim, seedance)).status_code == 200


async def test_a_prompt_is_measured_in_utf16_code_units(sim: httpx.AsyncClient) -> None:
    """600 emoji are 600 characters to Python but 1200 UTF-16 units: over gen4.5's 1000."""
    body = {
        "model": "gen4.5",
        "promptImage": "https://example.com/a.jpg",
        "ratio": "1280:720",
        "duration": 5,
    }
    assert (await create(sim, {**body, "promptText": "🌊" * 500})).status_code == 200
    refused = await create(sim, {**body, "promptText": "🌊" * 501})
    assert refused.json()["issues"][0]["path"] == ["promptText"]


async def test_extra_relay_fields_are_ignored_not_refused(sim: httpx.AsyncClient) -> None:
    body = {**seed_body("https://example.com/a.jpg"), "watermark": False, "anything": {"x": 1}}
    assert (await create(sim, body)).status_code == 200


async def wait_final(sim: httpx.AsyncClient, task_id: str) -> dict:
    for _ in range(200):
        body = (await sim.get(f"/v1/tasks/{task_id}", headers=AUTH)).json()
        if body["status"].upper() in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return body
        await asyncio.sleep(0.05)
    raise AssertionError(f"task never finished: {body}")


async def test_status_lowercase_keeps_the_failure_of_a_failed_task(sim: httpx.AsyncClient) -> None:
    await sim.post("/_sim/faults", json={"quirks": ["status_lowercase"]})
    body = {**seed_body("https://example.com/a.jpg"), "promptText": "x [sim:moderation]"}
    final = await wait_final(sim, (await create(sim, body)).json()["id"])
    assert final["status"] == "failed"
    assert final["failureCode"] == "SAFETY.INPUT.TEXT"
    assert final["failure"] == "The prompt was flagged by content moderation."
