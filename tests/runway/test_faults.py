"""The fault matrix: each upstream fault × create / read / download → what the person sees.

Faults come from the simulator's switches (in process, or the standalone simulator over a real
socket for dropped and refused connections), never from patching the console's own functions.
docs/security.md lists the same matrix.
"""

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import in_process, make_settings
from tests.helpers import POLL_DUE_S, create_body, task_until, wait_final, wait_saved

BODY = create_body()


async def set_fault(client: httpx.AsyncClient, prefix: str = "/simulator", **rule: object) -> None:
    response = await client.post(f"{prefix}/_sim/faults", json={"rules": [rule]})
    assert response.status_code == 200, response.text


async def calls(client: httpx.AsyncClient, target: str, prefix: str = "/simulator") -> int:
    return (await client.get(f"{prefix}/_sim/stats")).json().get(target, 0)


@pytest.fixture
async def impatient(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """A console that gives upstream 1 s per request, so timeouts are quick to show."""
    settings = make_settings(
        tmp_path / "data", CONSOLE_READ_TIMEOUT_S=0.5, CONSOLE_CONNECT_TIMEOUT_S=0.5
    )
    async with in_process(settings, first_page=None) as http:
        yield http


CREATE_FAULTS = [
    ({"kind": "status", "status": 401}, 401, "Simulated 401"),
    ({"kind": "status", "status": 429, "retry_after": 7}, 429, "Too many requests"),
    ({"kind": "status", "status": 500}, 500, "Simulated 500"),
    ({"kind": "status", "status": 502}, 502, "Simulated 502"),
    ({"kind": "status", "status": 503}, 503, "Simulated 503"),
    ({"kind": "malformed"}, 200, "not a JSON object"),
    ({"kind": "html", "status": 502}, 502, "Bad Gateway"),
]


@pytest.mark.parametrize(("rule", "status", "text"), CREATE_FAULTS)
async def test_create_faults_are_shown_once_and_never_retried(
    client: httpx.AsyncClient, rule: dict, status: int, text: str
) -> None:
    await set_fault(client, target="create", **rule)
    response = await client.post("/api/tasks", json=BODY)
    assert response.status_code == 502
    error = response.json()["error"]
    assert error["upstreamStatus"] == status
    assert text in error["message"]
    assert await calls(client, "create") == 1
    assert (await client.get("/api/tasks")).json()["tasks"] == []


async def test_a_create_timeout_warns_the_task_may_exist(impatient: httpx.AsyncClient) -> None:
    await set_fault(impatient, target="create", kind="latency", latency_ms=1500)
    response = await impatient.post("/api/tasks", json=BODY)
    assert response.status_code == 502
    message = response.json()["error"]["message"]
    assert "did not answer within 1 s" in message
    assert "may still have been created" in message


READ_FAULTS = [
    ({"kind": "status", "status": 401}, "HTTP 401", 1),
    ({"kind": "status", "status": 500, "remaining": 3}, "HTTP 500", 3),
    ({"kind": "status", "status": 503, "remaining": 3}, "HTTP 503", 3),
    ({"kind": "malformed", "remaining": 3}, "not a JSON object", 3),
    ({"kind": "html", "status": 502, "remaining": 3}, "Bad Gateway", 3),
]


@pytest.mark.parametrize(("rule", "text", "reads"), READ_FAULTS)
async def test_read_faults_are_shown_and_polling_goes_on(
    client: httpx.AsyncClient, rule: dict, text: str, reads: int
) -> None:
    task = (await client.post("/api/tasks", json=BODY)).json()
    await asyncio.sleep(POLL_DUE_S)
    await client.delete("/simulator/_sim/stats")
    await set_fault(client, target="read", **rule)
    seen = (await client.get(f"/api/tasks/{task['id']}")).json()
    assert text in seen["lastError"]
    assert seen["status"] == "PENDING", "a failed read changes nothing else"
    assert await calls(client, "read") == reads
    final = await wait_final(client, task["id"])
    assert final["status"] == "SUCCEEDED" and final["lastError"] is None


async def test_a_429_read_is_retried_honouring_retry_after(client: httpx.AsyncClient) -> None:
    task = (await client.post("/api/tasks", json=BODY)).json()
    await asyncio.sleep(POLL_DUE_S)
    await client.delete("/simulator/_sim/stats")
    await set_fault(client, target="read", kind="status", status=429, retry_after=0.2)
    seen = (await client.get(f"/api/tasks/{task['id']}")).json()
    assert seen["lastError"] is None
    assert await calls(client, "read") == 2


async def test_a_read_timeout_is_shown_and_polling_goes_on(impatient: httpx.AsyncClient) -> None:
    task = (await impatient.post("/api/tasks", json=BODY)).json()
    await asyncio.sleep(POLL_DUE_S)
    await set_fault(impatient, target="read", kind="latency", latency_ms=1500, remaining=3)
    # Three slow tries outlast the 3 s a read waits: it answers from the store, and the
    # background read records the failure for a later one.
    seen = await task_until(impatient, task["id"], lambda t: t["lastError"], what="failed")
    assert "did not answer within 1 s" in seen["lastError"]
    assert "may still have been created" not in seen["lastError"]
    assert (await wait_final(impatient, task["id"]))["status"] == "SUCCEEDED"


async def test_a_failing_download_is_retried_until_saved(client: httpx.AsyncClient) -> None:
    await set_fault(client, target="output", kind="status", status=500, remaining=2)
    task = (await client.post("/api/tasks", json=BODY)).json()
    await wait_final(client, task["id"])
    await wait_saved(client, task["id"])
    assert await calls(client, "output") == 3


async def test_a_dropped_download_leaves_no_half_file(client: httpx.AsyncClient, settings) -> None:
    await set_fault(client, target="output", kind="drop", remaining=1)
    task = (await client.post("/api/tasks", json=BODY)).json()
    await wait_final(client, task["id"])
    current = await wait_saved(client, task["id"])
    video = (await client.get(current["videoUrl"])).content
    assert video[4:8] == b"ftyp" and len(video) > 10_000
    assert not list((settings.data_dir / "videos").glob("*.part"))


async def test_throttled_then_moderated_tasks_are_shown_as_such(client: httpx.AsyncClient) -> None:
    body = {**BODY, "promptText": "wait [sim:throttle] then [sim:moderation]"}
    task = (await client.post("/api/tasks", json=body)).json()
    statuses = set()

    def failed(current: dict) -> bool:
        statuses.add(current["status"])
        return current["status"] == "FAILED"

    current = await task_until(client, task["id"], failed, what="failed")
    assert "THROTTLED" in statuses
    assert current["failureCode"] == "SAFETY.INPUT.TEXT"


def test_dropped_connections_over_a_real_socket(live_simulator: str, live_console: str) -> None:
    key = {"X-Runway-Key": "hk-drop-test-0000"}
    with httpx.Client(base_url=live_console, timeout=30) as http:
        httpx.post(
            f"{live_simulator}/_sim/faults", json={"rules": [{"target": "create", "kind": "drop"}]}
        )
        create = http.post("/api/tasks", json={**BODY, "baseUrl": live_simulator}, headers=key)
        assert create.status_code == 502
        assert "dropped the connection" in create.json()["error"]["message"]
        task = http.post("/api/tasks", json={**BODY, "baseUrl": live_simulator}, headers=key).json()
        time.sleep(POLL_DUE_S)
        httpx.post(
            f"{live_simulator}/_sim/faults",
            json={"rules": [{"target": "read", "kind": "drop", "remaining": 3}]},
        )
        seen = http.get(f"/api/tasks/{task['id']}", headers=key).json()
        assert "dropped the connection" in seen["lastError"]


@pytest.mark.parametrize(
    "rule",
    [
        {"kind": "status", "status": 429, "retry_after": 0},
        {"kind": "status", "status": 503},
        {"kind": "status", "status": 401},
        {"kind": "html", "status": 502},
    ],
)
async def test_download_faults_end_with_a_saved_copy(client: httpx.AsyncClient, rule: dict) -> None:
    await set_fault(client, target="output", **rule)
    task = (await client.post("/api/tasks", json=BODY)).json()
    await wait_final(client, task["id"])
    saved = await wait_saved(client, task["id"])
    assert (await client.get(saved["videoUrl"])).content[4:8] == b"ftyp"
    assert await calls(client, "output") == 2


async def test_a_download_timeout_is_retried(impatient: httpx.AsyncClient) -> None:
    await set_fault(impatient, target="output", kind="latency", latency_ms=6000)
    task = (await impatient.post("/api/tasks", json=BODY)).json()
    await wait_final(impatient, task["id"])
    await wait_saved(impatient, task["id"])
    assert await calls(impatient, "output") == 2, "the slow try abandoned, then one more"
