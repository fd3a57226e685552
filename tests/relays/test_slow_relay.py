"""A relay that never answers a read must not hold the person's read (issue 12, item 12).

The console tries a read three times for 30 s each; a browser's poll that waited for all of it
would hang 90 s. A read answers from what is stored after a short wait, while the console goes
on asking upstream in the background and keeps the answer when it comes.
"""

import asyncio
from pathlib import Path

import httpx

from tests.helpers import POLL_DUE_S, create_body, poll_until, read_task
from tests.relay_stub import Answer, RelayStub, Seen, console_for_relays

KEY = {"X-Runway-Key": "hk-slow-relay-0001"}
HANG_S = 600.0  # far longer than any read may take
TRY_S = 5.0  # the console's read timeout here: three tries would hang a read 30 s or more
NOT_HUNG_S = 10.0  # a bound on a read that must not wait for the tries


async def test_a_read_answers_from_the_store_while_the_relay_hangs_and_keeps_asking(
    relay: RelayStub, tmp_path: Path
) -> None:
    async with console_for_relays(tmp_path / "data", CONSOLE_READ_TIMEOUT_S=TRY_S) as console:
        await hanging_relay_then_news(relay, console)


async def hanging_relay_then_news(relay: RelayStub, relay_console: httpx.AsyncClient) -> None:
    answer_now = asyncio.Event()

    def read(seen: Seen) -> Answer:
        if answer_now.is_set():
            return Answer(body={"id": seen.task_id, "status": "RUNNING", "progress": 0.4})
        return Answer(body={"id": seen.task_id, "status": "RUNNING"}, delay_s=HANG_S)

    relay.read = read
    created = await relay_console.post(
        "/api/tasks", json={**create_body(), "baseUrl": relay.base_url}, headers=KEY
    )
    task_id = created.json()["id"]
    await asyncio.sleep(POLL_DUE_S)
    stored = await asyncio.wait_for(read_task(relay_console, task_id, KEY), NOT_HUNG_S)
    assert stored["status"] == "PENDING"
    page = await asyncio.wait_for(
        relay_console.get(f"/tasks/{task_id}", headers={**KEY, "HX-Request": "true"}), NOT_HUNG_S
    )
    assert page.status_code == 200
    assert any(seen.method == "GET" for seen in relay.seen)
    answer_now.set()  # the relay recovers: a later read in the background brings the news
    running = await poll_until(
        lambda: asyncio.wait_for(read_task(relay_console, task_id, KEY), NOT_HUNG_S),
        lambda task: task["progress"] == 0.4,
        what="the relay's late answer kept",
        interval_s=POLL_DUE_S,
    )
    assert running["status"] == "RUNNING"
