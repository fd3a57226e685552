"""The console's notify_hook receiver: a relay's callback recorded with its task, settling it.

These tests play the relay's callback themselves (a POST to the task's receiver URL), with the
built-in simulator as upstream; tests/test_hooks_live.py has the standalone simulator fire it.
"""

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from app.main import create_app
from tests.conftest import make_settings
from tests.helpers import create_body, poll_until

KEY = {"X-Runway-Key": "hk-hook-test-key-5e1d"}
SIM_AUTH = {"Authorization": "Bearer hk-hook-test-key-5e1d", "X-Runway-Version": "2024-11-06"}


@pytest.fixture
async def hook_client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """A console with a public URL, polling the simulator so rarely that only a hook settles."""
    settings = make_settings(
        tmp_path / "data",
        CONSOLE_PUBLIC_URL="http://console",
        CONSOLE_SIMULATOR_POLL_INTERVAL_S=600,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app)
        async with httpx.AsyncClient(transport=transport, base_url="http://console") as http:
            yield http


async def create_with_hook(http: httpx.AsyncClient) -> dict:
    created = await http.post("/api/tasks", json=create_body(notifyHere=True), headers=KEY)
    assert created.status_code == 201, created.text
    return created.json()


async def upstream_final(http: httpx.AsyncClient, task_id: str) -> bytes:
    """The task's final JSON as the simulator serves it (what a relay's callback carries)."""

    async def read() -> httpx.Response:
        return await http.get(f"/simulator/v1/tasks/{task_id}", headers=SIM_AUTH)

    answer = await poll_until(read, lambda r: r.json().get("status") == "SUCCEEDED", what="ended")
    await http.delete("/simulator/_sim/stats")
    return answer.content


async def reads(http: httpx.AsyncClient) -> int:
    return (await http.get("/simulator/_sim/stats")).json().get("read", 0)


def hook_path(task: dict) -> str:
    url = task["hook"]["url"]
    assert url.startswith("http://console/hooks/")
    return url.removeprefix("http://console")


async def test_a_delivery_is_recorded_and_settles_the_task_with_one_read(
    hook_client: httpx.AsyncClient,
) -> None:
    task = await create_with_hook(hook_client)
    assert task["hook"]["deliveries"] == []
    body = await upstream_final(hook_client, task["id"])
    relay = httpx.AsyncClient(transport=hook_client._transport, base_url="http://console")
    answer = await relay.post(
        hook_path(task),
        content=body,
        headers={"Content-Type": "application/json", "Authorization": "Bearer relay-secret"},
    )
    assert answer.status_code == 200, answer.text
    assert await reads(hook_client) == 1  # the confirming read, nothing trusted from the body
    seen = (await hook_client.get(f"/api/tasks/{task['id']}", headers=KEY)).json()
    assert seen["status"] == "SUCCEEDED"
    [delivery] = seen["hook"]["deliveries"]
    assert delivery["status"] == "SUCCEEDED"
    assert json.loads(delivery["body"])["id"] == task["id"]
    assert delivery["headers"]["authorization"] == "••••"
    await hook_client.get(f"/api/tasks/{task['id']}", headers=KEY)
    assert await reads(hook_client) == 1  # settled: no further upstream reads


async def test_hostile_callbacks_are_refused_or_kept_apart(hook_client: httpx.AsyncClient) -> None:
    task = await create_with_hook(hook_client)
    other = await create_with_hook(hook_client)
    relay = httpx.AsyncClient(transport=hook_client._transport, base_url="http://console")
    assert (await relay.post("/hooks/not-a-token", content=b"{}")).status_code == 404
    huge = b"{" + b" " * (64 * 1024 + 1) + b"}"
    assert (await relay.post(hook_path(task), content=huge)).status_code == 413
    # The other task's JSON at this task's hook: recorded as received, never applied to either.
    claim = json.dumps({"id": other["id"], "status": "SUCCEEDED"}).encode()
    assert (await relay.post(hook_path(task), content=claim)).status_code == 400
    script = b"<script>alert(1)</script>"
    assert (await relay.post(hook_path(task), content=script)).status_code == 400
    seen = (await hook_client.get(f"/api/tasks/{task['id']}", headers=KEY)).json()
    assert [d["status"] for d in seen["hook"]["deliveries"]] == [None, None]
    assert seen["status"] in ("PENDING", "RUNNING")  # a body never settles a task
    untouched = (await hook_client.get(f"/api/tasks/{other['id']}", headers=KEY)).json()
    assert untouched["hook"]["deliveries"] == []
    assert untouched["status"] in ("PENDING", "RUNNING")


async def test_notify_here_needs_a_public_url(client: httpx.AsyncClient) -> None:
    created = await client.post("/api/tasks", json=create_body(notifyHere=True), headers=KEY)
    assert created.status_code == 422
    assert "CONSOLE_PUBLIC_URL" in created.text


async def test_the_receiver_needs_no_login_nor_csrf_token(tmp_path: Path) -> None:
    """A relay can neither log in nor echo a CSRF cookie: the token alone decides."""
    settings = make_settings(tmp_path / "data", CONSOLE_PASSWORD="a-long-console-password")
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app)
        async with httpx.AsyncClient(transport=transport, base_url="http://console") as relay:
            assert (await relay.post("/api/tasks", json={})).status_code == 401
            assert (await relay.post("/hooks/unknown", content=b"{}")).status_code == 404


async def test_the_inspector_shows_deliveries_escaped(hook_client: httpx.AsyncClient) -> None:
    task = await create_with_hook(hook_client)
    relay = httpx.AsyncClient(transport=hook_client._transport, base_url="http://console")
    script = b"<script>alert(1)</script>"
    assert (await relay.post(hook_path(task), content=script)).status_code == 400
    card = await hook_client.get(f"/tasks/{task['id']}", headers={**KEY, "HX-Request": "true"})
    assert card.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in card.text
    assert "<script>alert(1)" not in card.text
    assert "1 deliveries to http://console/hooks/" in card.text


async def test_the_form_offers_the_receiver(hook_client: httpx.AsyncClient) -> None:
    page = await hook_client.get("/")
    assert 'name="notify_here"' in page.text
    assert "Set CONSOLE_PUBLIC_URL" not in page.text


async def test_the_form_says_why_the_receiver_is_unavailable(client: httpx.AsyncClient) -> None:
    page = await client.get("/")
    assert "Set CONSOLE_PUBLIC_URL so a relay can reach this console." in page.text
