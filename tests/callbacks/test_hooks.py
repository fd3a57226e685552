"""The console's notify_hook receiver: a relay's callback recorded with its task, settling it.

The built-in simulator calls back through the console's own app; most tests here play the relay
themselves (a POST to the task's receiver URL) on a console whose tasks run for minutes.
tests/callbacks/test_hooks_live.py has the standalone simulator, a real process, call a real
console.
"""

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup

from app.callbacks.hooks import unavailable
from tests.conftest import in_process, make_settings
from tests.helpers import create_body, task_until

KEY = {"X-Runway-Key": "hk-hook-test-key-5e1d"}
SIM_AUTH = {"Authorization": "Bearer hk-hook-test-key-5e1d", "X-Runway-Version": "2024-11-06"}


async def hook_console(tmp_path: Path, speed: float) -> AsyncIterator[httpx.AsyncClient]:
    """A console with a public URL, polling the simulator so rarely that only a hook settles."""
    settings = make_settings(
        tmp_path / "data",
        CONSOLE_PUBLIC_URL="http://console",
        CONSOLE_SIMULATOR_POLL_INTERVAL_S=600,
        CONSOLE_SIMULATOR_SPEED=speed,
    )
    async with in_process(settings, first_page=None) as http:
        yield http


@pytest.fixture
async def hook_client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """Its built-in simulator calls the task's hook about a second after the create."""
    async for http in hook_console(tmp_path, speed=5):
        yield http


@pytest.fixture
async def quiet_client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """Its tasks run for minutes: the only callbacks are the ones a test posts itself."""
    async for http in hook_console(tmp_path, speed=0.05):
        yield http


async def create_with_hook(http: httpx.AsyncClient) -> dict:
    created = await http.post("/api/tasks", json=create_body(notifyHere=True), headers=KEY)
    assert created.status_code == 201, created.text
    return created.json()


async def reads(http: httpx.AsyncClient) -> int:
    return (await http.get("/simulator/_sim/stats")).json().get("read", 0)


def hook_path(task: dict) -> str:
    url = task["hook"]["url"]
    assert url.startswith("http://console/hooks/")
    return url.removeprefix("http://console")


async def test_a_delivery_is_recorded_and_settles_the_task_with_one_read(
    hook_client: httpx.AsyncClient,
) -> None:
    """The built-in simulator calls back through the console's own app; nothing polls."""
    task = await create_with_hook(hook_client)
    assert task["hook"]["deliveries"] == []
    seen = await task_until(
        hook_client, task["id"], lambda t: t["hook"]["deliveries"], what="called back", headers=KEY
    )
    assert seen["status"] == "SUCCEEDED"
    assert await reads(hook_client) == 1  # the confirming read, nothing trusted from the body
    [delivery] = seen["hook"]["deliveries"]
    assert delivery["status"] == "SUCCEEDED"
    assert json.loads(delivery["body"])["id"] == task["id"]
    assert delivery["headers"]["user-agent"] == "runway-console-simulator"
    await hook_client.get(f"/api/tasks/{task['id']}", headers=KEY)
    assert await reads(hook_client) == 1  # settled: no further upstream reads


async def test_secret_headers_of_a_delivery_are_masked(quiet_client: httpx.AsyncClient) -> None:
    task = await create_with_hook(quiet_client)
    answer = await quiet_client.post(
        hook_path(task),
        content=json.dumps({"id": task["id"], "status": "SUCCEEDED"}),
        headers={"Authorization": "Bearer relay-secret", "Cookie": "s=relay-cookie"},
    )
    assert answer.status_code == 200
    seen = (await quiet_client.get(f"/api/tasks/{task['id']}", headers=KEY)).json()
    [delivery] = seen["hook"]["deliveries"]
    assert delivery["headers"]["authorization"] == delivery["headers"]["cookie"] == "••••"
    assert "relay-secret" not in json.dumps(seen) and "relay-cookie" not in json.dumps(seen)
    assert seen["status"] in ("PENDING", "RUNNING")  # the upstream, read to confirm, disagrees


async def test_hostile_callbacks_are_refused_or_kept_apart(quiet_client: httpx.AsyncClient) -> None:
    task = await create_with_hook(quiet_client)
    other = await create_with_hook(quiet_client)
    relay = httpx.AsyncClient(transport=quiet_client._transport, base_url="http://console")
    assert (await relay.post("/hooks/not-a-token", content=b"{}")).status_code == 404
    huge = b"{" + b" " * (64 * 1024 + 1) + b"}"
    assert (await relay.post(hook_path(task), content=huge)).status_code == 413
    # The other task's JSON at this task's hook: recorded as received, never applied to either.
    claim = json.dumps({"id": other["id"], "status": "SUCCEEDED"}).encode()
    assert (await relay.post(hook_path(task), content=claim)).status_code == 400
    script = b"<script>alert(1)</script>"
    assert (await relay.post(hook_path(task), content=script)).status_code == 400
    seen = (await quiet_client.get(f"/api/tasks/{task['id']}", headers=KEY)).json()
    assert [d["status"] for d in seen["hook"]["deliveries"]] == [None, None]
    assert seen["status"] in ("PENDING", "RUNNING")  # a body never settles a task
    untouched = (await quiet_client.get(f"/api/tasks/{other['id']}", headers=KEY)).json()
    assert untouched["hook"]["deliveries"] == []
    assert untouched["status"] in ("PENDING", "RUNNING")


async def test_notify_here_needs_a_public_url(client: httpx.AsyncClient) -> None:
    created = await client.post("/api/tasks", json=create_body(notifyHere=True), headers=KEY)
    assert created.status_code == 422
    assert "CONSOLE_PUBLIC_URL" in created.text


async def test_the_receiver_needs_no_login_nor_csrf_token(tmp_path: Path) -> None:
    """A relay can neither log in nor echo a CSRF cookie: the token alone decides."""
    settings = make_settings(tmp_path / "data", CONSOLE_PASSWORD="a-long-console-password")
    async with in_process(settings, first_page=None) as relay:
        assert (await relay.post("/api/tasks", json={})).status_code == 401
        assert (await relay.post("/hooks/unknown", content=b"{}")).status_code == 404


async def test_the_inspector_shows_deliveries_escaped(quiet_client: httpx.AsyncClient) -> None:
    task = await create_with_hook(quiet_client)
    relay = httpx.AsyncClient(transport=quiet_client._transport, base_url="http://console")
    script = b"<script>alert(1)</script>"
    assert (await relay.post(hook_path(task), content=script)).status_code == 400
    card = await quiet_client.get(f"/tasks/{task['id']}", headers={**KEY, "HX-Request": "true"})
    assert card.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in card.text
    assert "<script>alert(1)" not in card.text
    assert "1 delivery to http://console/hooks/" in card.text


@pytest.mark.parametrize(
    ("public_url", "says", "enabled"),
    [
        ("", "Set CONSOLE_PUBLIC_URL so a relay can reach this console.", False),
        ("http://127.0.0.1:8000", "only the built-in simulator and relays on this machine", True),
        (
            "http://192.168.1.20:8000",
            "only the built-in simulator and relays on this network",
            True,
        ),
        ("https://console.example.com", None, True),
    ],
)
async def test_the_form_says_who_can_call_the_receiver(
    tmp_path: Path, public_url: str, says: str | None, enabled: bool
) -> None:
    settings = make_settings(tmp_path / "data", CONSOLE_PUBLIC_URL=public_url)
    async with in_process(settings, first_page=None) as http:
        page = BeautifulSoup((await http.get("/")).text, "html.parser")
    box = page.select_one('input[name="notify_here"]')
    assert (box.get("disabled") is None) is enabled
    note = box.find_parent("div", class_="field").get_text(" ", strip=True)
    if says:
        assert says in note
    else:
        assert "CONSOLE_PUBLIC_URL" not in note


@pytest.mark.parametrize(
    ("public_url", "address", "reason"),
    [
        ("", "simulator", "Set CONSOLE_PUBLIC_URL"),
        ("http://127.0.0.1:8000", "simulator", None),  # it calls back through the console
        ("http://127.0.0.1:8000", "http://127.0.0.1:8099", None),
        ("http://localhost:8000", "https://api.openai-hk.com", "loopback address"),
        ("http://10.0.0.5:8000", "http://10.0.0.9:8099", None),
        ("http://10.0.0.5:8000", "https://api.openai-hk.com", "private address"),
        ("https://console.example.com", "https://api.openai-hk.com", None),
    ],
)
def test_the_receiver_is_offered_only_where_the_relay_can_reach_it(
    public_url: str, address: str, reason: str | None
) -> None:
    """Decided from the addresses alone: nothing is looked up or connected to."""
    found = unavailable(public_url, address)
    assert (found is None) if reason is None else (reason in (found or ""))


async def test_a_streamed_body_is_bounded_and_deliveries_are_counted(
    quiet_client: httpx.AsyncClient,
) -> None:
    """No Content-Length does not lift the 64 KB bound; a relay retrying forever is cut off."""
    task = await create_with_hook(quiet_client)

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(70):
            yield b" " * 1024

    assert (await quiet_client.post(hook_path(task), content=chunks())).status_code == 413
    answers = [
        (await quiet_client.post(hook_path(task), content=b"{}")).status_code for _ in range(21)
    ]
    assert answers == [400] * 20 + [429]
    seen = (await quiet_client.get(f"/api/tasks/{task['id']}", headers=KEY)).json()
    assert len(seen["hook"]["deliveries"]) == 20
