"""What the notify_hook receiver keeps of a delivery: never the key, and never past its limit.

A relay may echo the key it was called with into its callback (a header, the body, a JSON
escape of it); the delivery is kept and shown, so the key is masked there as it is in every
upstream answer. A relay retrying in parallel must not get past the per-task limit either: the
count and the write are one step, on SQLite and on PostgreSQL.
"""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from app.callbacks.hooks import MAX_DELIVERIES
from app.core.keys import mask_key
from tests.conftest import TEAM_SECRET, in_process, make_settings
from tests.helpers import create_body

PERSONAL_KEY = "hk-hook-echo-key-1f3a9c"
KEY = {"X-Runway-Key": PERSONAL_KEY}


@asynccontextmanager
async def console(settings_dir: Path, **overrides: object) -> AsyncIterator[httpx.AsyncClient]:
    """A console with a public URL whose simulator tasks run for minutes: the only
    callbacks are the ones a test posts itself."""
    settings = make_settings(
        settings_dir,
        CONSOLE_PUBLIC_URL="http://console",
        CONSOLE_SIMULATOR_POLL_INTERVAL_S=600,
        CONSOLE_SIMULATOR_SPEED=0.05,
        **overrides,
    )
    async with in_process(settings, first_page=None) as http:
        yield http


async def hooked_task(http: httpx.AsyncClient, headers: dict = KEY) -> tuple[dict, str]:
    created = await http.post("/api/tasks", json=create_body(notifyHere=True), headers=headers)
    assert created.status_code == 201, created.text
    task = created.json()
    return task, task["hook"]["url"].removeprefix("http://console")


def echoing(task_id: str, key: str) -> tuple[bytes, dict[str, str]]:
    """A callback that carries the key in a header, a body field and a JSON escape."""
    escaped = "\\u00" + format(ord(key[0]), "02x") + key[1:]
    fields = f'"id": "{task_id}", "note": "called with Bearer {key}", "raw": "{escaped}"'
    body = ("{" + fields + ', "status": "SUCCEEDED"}').encode()
    headers = {"X-Echo": f"Bearer {key}", "X-Relay-Trace": f"k={key};t=1"}
    return body, headers


async def test_a_key_echoed_into_a_delivery_is_masked_everywhere(tmp_path: Path) -> None:
    """Once while the console holds the task's key in memory, once after a restart (the key
    is held nowhere then, only its HMAC as the task's owner): both deliveries are masked."""
    data = tmp_path / "data"
    async with console(data) as http:
        task, path = await hooked_task(http)
        await echo(http, path, task["id"])
    async with console(data) as http:
        await echo(http, path, task["id"])
        seen = await http.get(f"/api/tasks/{task['id']}", headers=KEY)
        card = await http.get(f"/tasks/{task['id']}", headers={**KEY, "HX-Request": "true"})
    assert len(seen.json()["hook"]["deliveries"]) == 2
    assert card.status_code == 200 and "2 deliveries" in card.text
    for shown in (seen.text, json.dumps(seen.json()), card.text):
        assert PERSONAL_KEY not in shown
        assert PERSONAL_KEY[1:] not in shown  # nor its JSON-escaped spelling
    for delivery in seen.json()["hook"]["deliveries"]:
        assert delivery["headers"]["x-echo"] == f"Bearer {mask_key(PERSONAL_KEY)}"
        assert f"Bearer {mask_key(PERSONAL_KEY)}" in delivery["body"]
    database = (data / "console.db").read_bytes()
    assert PERSONAL_KEY[1:].encode() not in database


async def echo(http: httpx.AsyncClient, path: str, task_id: str) -> None:
    body, headers = echoing(task_id, PERSONAL_KEY)
    assert (await http.post(path, content=body, headers=headers)).status_code == 200


async def test_the_operators_key_echoed_into_a_delivery_is_masked(tmp_path: Path) -> None:
    operator_key = "key_operator-echo-0123456789abcdef"
    operator = {
        "RUNWAYML_API_SECRET": operator_key,
        "RUNWAYML_BASE_URL": "simulator",  # the operator's upstream is the built-in simulator
        "CONSOLE_ALLOW_ANONYMOUS": True,
    }
    async with console(tmp_path / "data", **operator) as http:
        task, path = await hooked_task(http, headers={})
        body, headers = echoing(task["id"], operator_key)
        assert (await http.post(path, content=body, headers=headers)).status_code == 200
        seen = await http.get(f"/api/tasks/{task['id']}")
        assert seen.json()["hook"]["deliveries"]
        assert operator_key not in seen.text and operator_key[1:] not in seen.text


async def test_concurrent_deliveries_stop_at_the_limit(tmp_path: Path, database_url: str) -> None:
    """100 posts at once: exactly MAX_DELIVERIES kept, every other one answered 429."""
    overrides = {"CONSOLE_DATABASE_URL": database_url, "CONSOLE_SECRET_KEY": TEAM_SECRET}
    async with console(tmp_path / "data", **overrides) as http:
        task, path = await hooked_task(http)
        answers = await asyncio.gather(*(http.post(path, content=b"{}") for _ in range(100)))
        codes = sorted(answer.status_code for answer in answers)
        assert codes == [400] * MAX_DELIVERIES + [429] * (100 - MAX_DELIVERIES)
        seen = (await http.get(f"/api/tasks/{task['id']}", headers=KEY)).json()
        assert len(seen["hook"]["deliveries"]) == MAX_DELIVERIES


async def test_a_key_glued_to_punctuation_is_masked_after_the_key_is_let_go(
    tmp_path: Path,
) -> None:
    """After a restart the key is held nowhere, only its HMAC as the task's owner: a key a
    relay writes against a `.`, `-` or `~`, or a key with `+`, `/` or `=` in it, is still a
    word the receiver recognises and masks."""
    for key in ("hk-glued-echo-key-0123456789", "hk+glued/echo=key+0123456789="):
        data = tmp_path / key.replace("/", "_")
        async with console(data) as http:
            task, path = await hooked_task(http, headers={"X-Runway-Key": key})
        async with console(data) as http:
            for glued in (f"with {key}.", f"{key}-7", f"~{key}~", f"{key}.{key}"):
                fields = {"id": task["id"], "status": "SUCCEEDED", "note": glued}
                body = json.dumps(fields).encode()  # one glued spelling per delivery
                posted = await http.post(path, content=body, headers={"X-Echo": glued})
                assert posted.status_code == 200
            seen = await http.get(f"/api/tasks/{task['id']}", headers={"X-Runway-Key": key})
        assert seen.json()["hook"]["deliveries"], seen.text
        assert key not in seen.text and key not in json.dumps(seen.json()), key
        assert key.encode() not in (data / "console.db").read_bytes()
