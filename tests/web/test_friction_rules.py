"""Issue 23's frictions held below the browser: history's count (9), a notify_hook on the
operator's own network (14), keyless history said to be shared (16), and a frame slot that
names the copy it sends (17)."""

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from bs4 import BeautifulSoup

from app.core.settings import Settings
from tests.conftest import in_process
from tests.frames.test_frame_uploads import BIG
from tests.helpers import data_uri, form_fields, image_bytes
from tests.relay_stub import RelayStub

HX = {"HX-Request": "true"}
KEY = {"X-Runway-Key": "hk-friction-rules-key-5e5e"}
LOCAL_HOOK = "http://127.0.0.1:9/hook"


def soup(response: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def body(**extra: object) -> dict[str, Any]:
    return {
        "model": "gen4_turbo",
        "promptImage": data_uri(image_bytes((1280, 720))),
        "promptText": "a harbour at dawn",
        "ratio": "1280:720",
        "duration": 5,
        **extra,
    }


@pytest.fixture
async def engine_client(engine_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with in_process(engine_settings) as http:
        yield http


async def test_history_counts_runs_and_rows_and_says_keyless_history_is_shared(
    engine_client: httpx.AsyncClient,
) -> None:
    """A group of two and a lone run were "History · 3" over two rows (9); without a key, the
    history is everyone's who comes without one, and the page says so (16)."""
    for runs in ("2", "1"):
        answer = await engine_client.post("/tasks", data=form_fields(runs=runs), headers=HX)
        assert answer.status_code == 200, answer.text
    history = soup(await engine_client.get("/history", headers=HX))
    assert "3 runs in 2 rows" in history.select_one("h2").text
    assert len(history.select(".history-row")) == 2
    assert "shared by everyone" in history.select_one(".shared-note").text
    keyed = soup(await engine_client.get("/history", headers={**HX, **KEY}))
    assert keyed.select_one(".shared-note") is None, "a key's history is its own"


async def test_a_local_http_hook_goes_where_private_upstreams_are_allowed(
    relay: RelayStub, relay_console: httpx.AsyncClient
) -> None:
    """With CONSOLE_ALLOW_PRIVATE_UPSTREAMS a callback can be rehearsed on a local http
    listener; a public http one, the metadata address or another scheme still cannot."""
    created = await relay_console.post(
        "/api/tasks", json={**body(notify_hook=LOCAL_HOOK), "baseUrl": relay.base_url}, headers=KEY
    )
    assert created.status_code < 300, created.text
    [create] = [seen for seen in relay.seen if seen.method == "POST"]
    assert json.loads(create.body)["notify_hook"] == LOCAL_HOOK
    for hook in ("http://example.com/hook", "http://169.254.169.254/hook", "ftp://127.0.0.1/h"):
        relay.seen.clear()
        refused = await relay_console.post(
            "/api/tasks", json={**body(notify_hook=hook), "baseUrl": relay.base_url}, headers=KEY
        )
        assert refused.status_code == 422 and "notify_hook" in refused.text, (hook, refused.text)
        assert relay.seen == [], "a refused create leaves nothing behind"


async def test_a_local_http_hook_is_refused_without_the_setting(
    client: httpx.AsyncClient,
) -> None:
    refused = await client.post("/api/tasks", json=body(notify_hook=LOCAL_HOOK), headers=KEY)
    assert refused.status_code == 422 and "https://" in refused.text, refused.text
    assert (await client.get("/api/tasks", headers=KEY)).json()["tasks"] == []


async def test_a_frame_slot_names_the_copy_each_address_gets(client: httpx.AsyncClient) -> None:
    """A PNG too big for a data URI: its slot said "JPEG 3.6 MB" beside "sent as it came
    (PNG, 14.4 MB)"; the line now names each copy, and CSS shows the one the address gets."""
    answer = await client.post(
        "/frames", params={"position": "first"}, files={"file": ("big.png", BIG, "image/png")}
    )
    slot = soup(answer)
    shrunk, full = slot.select_one(".meta .sent-shrunk").text, slot.select_one(".meta .sent-full")
    assert shrunk.startswith("JPEG ·")
    assert full is not None and full.text.startswith("PNG ·")
    size = full.text.split("·")[-1].strip()
    assert f"(PNG, {size})" in slot.select_one(".note-full").text
