"""Careless or hostile input to the console itself: odd addresses, text that is not text, and
bodies padded with megabytes of unknown fields (issue 12, items 3 and 7)."""

import asyncio
import json
from pathlib import Path

import httpx
import pytest

from tests.helpers import create_body, data_uri, form_fields, image_bytes
from tests.relay_stub import RelayStub

KEY = {"X-Runway-Key": "hk-hostile-inputs-0001"}
ADDRESSES = ["https://a..b:8399", "https:\\\\[::127.0.0.1]:8399", "https://[::1", "http://:80"]


@pytest.mark.parametrize("address", ADDRESSES)
async def test_an_address_that_is_not_one_is_a_field_error_everywhere(
    client: httpx.AsyncClient, address: str
) -> None:
    created = await client.post("/api/tasks", json={**create_body(), "baseUrl": address})
    assert created.status_code == 422, created.text
    assert created.json()["errors"][0]["field"] == "baseUrl"
    checked = await client.post("/api/relay-check", json={"baseUrl": address})
    assert checked.status_code == 422, checked.text
    htmx = {"HX-Request": "true"}
    for response in (
        await client.post("/tasks", data=form_fields(baseUrl=address), headers=htmx),
        await client.get("/form/url-preview", params={"baseUrl": address}, headers=htmx),
        await client.get("/account", params={"baseUrl": address}, headers=htmx),
    ):
        assert response.status_code < 500, response.text


async def test_a_prompt_with_a_lone_surrogate_is_a_field_error(client: httpx.AsyncClient) -> None:
    body = json.dumps(create_body(promptText="a \ud800 b"))  # valid JSON, not valid text
    response = await client.post(
        "/api/tasks", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "promptText"


async def test_unknown_fields_over_64_kb_are_refused_with_413_and_nothing_is_sent(
    relay: RelayStub, relay_console: httpx.AsyncClient
) -> None:
    body = {**create_body(), "baseUrl": relay.base_url, "pad": "x" * 70_000}
    response = await relay_console.post("/api/tasks", json=body, headers=KEY)
    assert response.status_code == 413, response.text
    assert "64 KB" in response.text
    assert relay.seen == []
    assert (await relay_console.get("/api/tasks", headers=KEY)).json()["tasks"] == []


async def test_frames_do_not_count_against_the_64_kb(
    relay: RelayStub, relay_console: httpx.AsyncClient
) -> None:
    noisy = bytes(range(256)) * 1600  # 400 KB that PNG cannot squeeze, inside a real image
    frame = data_uri(image_bytes((900, 600)) + noisy)
    first = data_uri(image_bytes((1280, 768), color=(10, 20, 30)))
    assert len(frame) > 64 * 1024
    body = {**create_body(first), "baseUrl": relay.base_url, "pad": "y" * 60_000}
    response = await relay_console.post("/api/tasks", json=body, headers=KEY)
    assert response.status_code == 201, response.text


async def test_deleting_tasks_gives_the_database_space_back(
    relay: RelayStub, relay_console: httpx.AsyncClient, tmp_path: Path
) -> None:
    database = tmp_path / "data" / "console.db"

    def size() -> int:
        return sum(p.stat().st_size for p in database.parent.glob("console.db*"))

    ids = []
    for number in range(25):
        body = {**create_body(), "baseUrl": relay.base_url, "pad": f"{number:02d}" * 30_000}
        created = await relay_console.post("/api/tasks", json=body, headers=KEY)
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
    await asyncio.sleep(0)
    full = size()
    assert full > 25 * 60_000
    for task_id in ids:
        assert (await relay_console.delete(f"/api/tasks/{task_id}", headers=KEY)).status_code == 204
    assert size() < full / 3


MIRELO = {"model": "mirelo_sfx_2_0", "videoUri": "https://example.com/a.mp4"}
SPEECH = {
    "model": "eleven_v3",
    "promptText": "hi",
    "voice": {"type": "runway-preset", "presetId": "Maya"},
}
HOSTILE_NUMBERS = [
    ("video_to_audio", {**MIRELO, "duration": 1e308}, "duration"),
    ("video_to_audio", {**MIRELO, "duration": -5}, "duration"),
    ("video_to_audio", {**MIRELO, "duration": 0}, "duration"),
    ("video_to_audio", {**MIRELO, "duration": 5, "numVariants": 1e300}, "numVariants"),
    ("sound_effect", {"model": "mirelo_sfx_2_0", "promptText": "x", "duration": 1e308}, "duration"),
    ("text_to_speech", {**SPEECH, "speed": 1e308}, "speed"),
    ("text_to_speech", {**SPEECH, "speed": -1e308}, "speed"),
    (
        "voice_dubbing",
        {
            "model": "eleven_voice_dubbing",
            "audioUri": "https://example.com/a.mp3",
            "targetLang": "es",
            "numSpeakers": 1e300,
        },
        "numSpeakers",
    ),
]


@pytest.mark.parametrize(("endpoint", "body", "field"), HOSTILE_NUMBERS)
async def test_a_hostile_number_is_a_field_error_on_the_gateway_and_the_simulator(
    client: httpx.AsyncClient, endpoint: str, body: dict, field: str
) -> None:
    """A duration of 1e308 once priced into an OverflowError (a 500 the gateway passed on), and
    a negative one was taken: each side refuses it with a 400 naming the field; the console
    before anything is sent upstream."""
    headers = {"Authorization": "Bearer k", "X-Runway-Version": "2024-11-06"}
    for path in (f"/v1/{endpoint}", f"/simulator/v1/{endpoint}"):
        answer = await client.post(path, json=body, headers=headers)
        assert answer.status_code == 400, (path, answer.text)
        assert field in answer.text, (path, answer.text)
        if path.startswith("/v1/"):  # the console's own check: the upstream never asked
            assert (await client.get("/simulator/_sim/stats")).json().get("create", 0) == 0
