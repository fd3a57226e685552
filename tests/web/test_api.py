"""The JSON API against the real app and its in-process simulator (README.md, "JSON API")."""

import asyncio
import json
import time

import httpx
import pytest

from app.core.settings import Settings
from tests.helpers import POLL_DUE_S, create_body, data_uri, image_bytes, seed_body, wait_final


@pytest.fixture
def settings(engine_settings: Settings) -> Settings:
    """Every test here runs on SQLite and on a real PostgreSQL."""
    return engine_settings


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.json() == {"status": "ok"}


async def test_the_seed_body_runs_to_a_video(client: httpx.AsyncClient) -> None:
    created = await client.post("/api/tasks", json=seed_body(data_uri(image_bytes())))
    assert created.status_code == 201
    task = created.json()
    assert task["status"] == "PENDING"
    assert task["seed"] == 4294967295
    assert task["baseUrl"] == "simulator"
    final = await wait_final(client, task["id"])
    assert final["status"] == "SUCCEEDED"
    assert final["videoUrl"].startswith("http://console/simulator/outputs/")
    video = await client.get(final["videoUrl"])
    assert video.status_code == 200
    assert video.content[4:8] == b"ftyp"


async def test_bad_input_is_422_per_field_and_nothing_is_sent(client: httpx.AsyncClient) -> None:
    await client.delete("/simulator/_sim/stats")
    response = await client.post("/api/tasks", json=create_body(ratio="1:1", seed=-5))
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"ratio", "seed"}
    assert (await client.get("/simulator/_sim/stats")).json().get("create", 0) == 0


async def test_a_body_that_is_not_an_image_is_refused(client: httpx.AsyncClient) -> None:
    body = seed_body(data_uri(b"<svg onload=alert(1)>", "image/png"))
    response = await client.post("/api/tasks", json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "promptImage[0].uri"


async def test_an_upstream_error_is_502_with_its_status_and_body(client: httpx.AsyncClient) -> None:
    body = create_body(promptText="busy [sim:429]")
    response = await client.post("/api/tasks", json=body)
    assert response.status_code == 502
    error = response.json()["error"]
    assert error["upstreamStatus"] == 429
    assert "Simulated 429" in error["message"]
    assert "Simulated 429" in error["body"]


async def test_a_failed_task_carries_its_code_and_a_hint(client: httpx.AsyncClient) -> None:
    body = create_body(promptText="x [sim:moderation]")
    task = (await client.post("/api/tasks", json=body)).json()
    final = await wait_final(client, task["id"])
    assert final["status"] == "FAILED"
    assert final["failureCode"] == "SAFETY.INPUT.TEXT"
    assert "moderation" in final["failureHint"].lower()


async def test_history_is_per_key(client: httpx.AsyncClient) -> None:
    mine = {"X-Runway-Key": "sim-key-one-0001"}
    theirs = {"X-Runway-Key": "sim-key-two-0002"}
    task = (await client.post("/api/tasks", headers=mine, json=create_body())).json()
    assert [t["id"] for t in (await client.get("/api/tasks", headers=mine)).json()["tasks"]] == [
        task["id"]
    ]
    assert (await client.get("/api/tasks", headers=theirs)).json()["tasks"] == []
    assert (await client.get(f"/api/tasks/{task['id']}", headers=theirs)).status_code == 404
    assert (await client.get("/api/tasks")).json()["tasks"] == []


async def test_delete_cancels_and_forgets(client: httpx.AsyncClient) -> None:
    body = create_body(promptText="x [sim:slow]")
    task = (await client.post("/api/tasks", json=body)).json()
    assert (await client.delete(f"/api/tasks/{task['id']}")).status_code == 204
    assert (await client.get(f"/api/tasks/{task['id']}")).status_code == 404
    assert (await client.delete(f"/api/tasks/{task['id']}")).status_code == 404


async def test_polls_are_coalesced_across_many_watchers(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    task = (await client.post("/api/tasks", json=create_body())).json()
    await asyncio.sleep(POLL_DUE_S)
    await client.delete("/simulator/_sim/stats")
    started = time.monotonic()
    await asyncio.gather(*(client.get(f"/api/tasks/{task['id']}") for _ in range(30)))
    elapsed = time.monotonic() - started
    reads = (await client.get("/simulator/_sim/stats")).json().get("read", 0)
    # One read per poll interval however many watch (30 without coalescing). On a loaded
    # machine the 30 reads can outlast an interval, and then one more read is due, rightly.
    assert 1 <= reads <= 1 + int(elapsed / settings.simulator_poll_interval_s), (reads, elapsed)


async def test_the_create_counts_as_the_first_check(client: httpx.AsyncClient) -> None:
    """A read straight after the create is served from the store: the create's answer is news
    as fresh as a poll, and asking again at once would double the upstream calls per task."""
    await client.delete("/simulator/_sim/stats")
    task = (await client.post("/api/tasks", json=create_body())).json()
    read = (await client.get(f"/api/tasks/{task['id']}")).json()
    assert read["status"] == "PENDING"
    assert (await client.get("/simulator/_sim/stats")).json() == {"create": 1}


async def test_a_finished_task_is_never_asked_for_again(client: httpx.AsyncClient) -> None:
    task = (await client.post("/api/tasks", json=create_body())).json()
    await wait_final(client, task["id"])
    await client.delete("/simulator/_sim/stats")
    await asyncio.sleep(0.3)
    for _ in range(5):
        await client.get(f"/api/tasks/{task['id']}")
    assert (await client.get("/simulator/_sim/stats")).json().get("read", 0) == 0


async def test_a_failing_read_is_shown_and_polling_goes_on(client: httpx.AsyncClient) -> None:
    task = (await client.post("/api/tasks", json=create_body())).json()
    await asyncio.sleep(POLL_DUE_S)
    await client.post(
        "/simulator/_sim/faults",
        json={"rules": [{"target": "read", "kind": "status", "status": 503, "remaining": 3}]},
    )
    failed = (await client.get(f"/api/tasks/{task['id']}")).json()
    assert failed["status"] == "PENDING"
    assert "503" in failed["lastError"]
    final = await wait_final(client, task["id"])
    assert final["status"] == "SUCCEEDED"
    assert final["lastError"] is None


async def test_a_private_api_address_is_refused_by_default(client: httpx.AsyncClient) -> None:
    body = create_body(baseUrl="https://127.0.0.1:9/")
    response = await client.post("/api/tasks", json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "baseUrl"
    assert "loopback" in response.json()["errors"][0]["message"]


async def test_openapi_documents_the_task_routes(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert {"/api/tasks", "/api/tasks/{task_id}"} <= set(paths)


async def test_a_nan_in_the_body_is_a_422_and_nothing_is_sent(client: httpx.AsyncClient) -> None:
    """Found by schemathesis: this was a 500 (the upstream body could not be encoded)."""
    await client.delete("/simulator/_sim/stats")
    raw = json.dumps(create_body(note=float("nan")))
    reply = await client.post(
        "/api/tasks", content=raw, headers={"Content-Type": "application/json"}
    )
    assert reply.status_code == 422
    assert reply.json()["errors"] == [
        {"field": "note", "message": "NaN and Infinity are not JSON numbers"}
    ]
    assert (await client.get("/simulator/_sim/stats")).json() == {}


async def test_the_task_list_refreshes_running_tasks_as_the_history_does(
    client: httpx.AsyncClient,
) -> None:
    """Listing alone (never reading the task by id) brings a running task's news, coalesced."""
    task = (await client.post("/api/tasks", json=seed_body("https://example.com/a.jpg"))).json()
    listed = task
    for _ in range(200):
        listed = (await client.get("/api/tasks")).json()["tasks"][0]
        if listed["status"] == "SUCCEEDED":
            break
        await asyncio.sleep(0.05)
    assert listed["id"] == task["id"] and listed["status"] == "SUCCEEDED", listed
