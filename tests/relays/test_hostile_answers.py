"""A hostile relay's answers: odd task ids, failure codes of any type, reused ids and output
URLs that point anywhere. None may make a 500, a task that cannot be read or deleted, or a
task stuck on "Saving a copy…" (issue 12, items 6 and 7)."""

import asyncio

import httpx
import pytest
from bs4 import BeautifulSoup

from app.runway.client import RunwayClient
from app.runway.endpoints import resolve_upstream
from app.runway.guard import GuardedTransport, GuardPolicy, UpstreamRefused
from tests.helpers import POLL_DUE_S, create_body, form_fields, poll_until, read_task
from tests.relay_stub import Answer, RelayStub

KEY = {"X-Runway-Key": "hk-hostile-answers-0001"}
OTHER_KEY = {"X-Runway-Key": "hk-hostile-answers-0002"}


def succeeded_with(output: object):
    return lambda seen: Answer(body={"id": seen.task_id, "status": "SUCCEEDED", "output": output})


async def create(console: httpx.AsyncClient, relay: RelayStub, headers: dict = KEY) -> dict:
    body = {**create_body(), "baseUrl": relay.base_url}
    response = await console.post("/api/tasks", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def until_final(console: httpx.AsyncClient, task_id: str, headers: dict = KEY) -> dict:
    return await poll_until(
        lambda: read_task(console, task_id, headers),
        lambda task: task["status"] in ("SUCCEEDED", "FAILED", "CANCELLED"),
        what="final",
        interval_s=POLL_DUE_S,
    )


@pytest.mark.parametrize("code", [5, 2.5, True, None, {"a": 1}, [1, "x"], "", "C" * 5000])
async def test_a_failure_code_of_any_json_type_is_shown_as_text(
    relay: RelayStub, relay_console: httpx.AsyncClient, code: object
) -> None:
    relay.read = lambda seen: Answer(
        body={"id": seen.task_id, "status": "FAILED", "failure": {"x": 1}, "failureCode": code}
    )
    task = await create(relay_console, relay)
    failed = await until_final(relay_console, task["id"])
    assert failed["status"] == "FAILED"
    assert failed["failureCode"] is None or isinstance(failed["failureCode"], str)
    assert isinstance(failed["failure"], str)
    page = await relay_console.get(f"/tasks/{task['id']}", headers=KEY)
    assert page.status_code == 200
    assert (await relay_console.get("/api/tasks", headers=KEY)).status_code == 200


@pytest.mark.parametrize("upstream_id", ["ü€-id", "line\r\nX-Injected: 1", "a/b", "../x", "%2F"])
async def test_any_relay_task_id_makes_a_task_that_can_be_read_and_deleted(
    relay: RelayStub, relay_console: httpx.AsyncClient, upstream_id: str
) -> None:
    relay.create = lambda seen: Answer(body={"id": upstream_id})
    task = await create(relay_console, relay)
    page = await relay_console.post(
        "/tasks", data=form_fields(baseUrl=relay.base_url), headers={**KEY, "HX-Request": "true"}
    )
    assert page.status_code == 200
    assert task["upstreamId"] == upstream_id
    await asyncio.sleep(POLL_DUE_S)  # the create was this interval's check: the next read asks
    read = await relay_console.get(f"/api/tasks/{task['id']}", headers=KEY)
    assert read.status_code == 200 and read.json()["id"] == task["id"]
    assert (await relay_console.get(f"/tasks/{task['id']}", headers=KEY)).status_code == 200
    reads = [seen for seen in relay.seen if seen.method == "GET"]
    assert reads and all(seen.task_id == upstream_id for seen in reads)
    listed = (await relay_console.get("/api/tasks", headers=KEY)).json()["tasks"]
    for listed_task in listed:
        deleted = await relay_console.delete(f"/api/tasks/{listed_task['id']}", headers=KEY)
        assert deleted.status_code == 204
    assert (await relay_console.get("/api/tasks", headers=KEY)).json()["tasks"] == []


async def test_the_same_upstream_id_from_two_keys_or_two_relays_makes_two_tasks(
    relay: RelayStub, relay_console: httpx.AsyncClient
) -> None:
    relay.create = lambda seen: Answer(body={"id": "same-id"})
    first = await create(relay_console, relay, KEY)
    second = await create(relay_console, relay, OTHER_KEY)
    third = await create(relay_console, relay, KEY)
    assert len({first["id"], second["id"], third["id"]}) == 3
    assert (
        await relay_console.get(f"/api/tasks/{first['id']}", headers=OTHER_KEY)
    ).status_code == 404
    assert len((await relay_console.get("/api/tasks", headers=KEY)).json()["tasks"]) == 2
    assert len((await relay_console.get("/api/tasks", headers=OTHER_KEY)).json()["tasks"]) == 1


@pytest.mark.parametrize(
    "output",
    [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "http://127.0.0.1:9/private.mp4",  # another loopback port than the relay's
        "https://169.254.169.254/latest/meta-data",
        "https://10.0.0.1/v.mp4",
        "https:\\\\[::127.0.0.1]:8399/v.mp4",
        "https://localhost/v.mp4",
        "data:video/mp4;base64,AAAA",
    ],
)
async def test_an_output_url_off_limits_is_refused_before_it_is_stored_and_the_card_says_so(
    relay: RelayStub, relay_console: httpx.AsyncClient, output: str
) -> None:
    relay.read = succeeded_with([output])
    task = await create(relay_console, relay)
    done = await until_final(relay_console, task["id"])
    assert done["status"] == "SUCCEEDED"
    assert done["output"] == [] and done["videoUrl"] is None
    assert "refused" in (done["lastError"] or "")
    htmx = {**KEY, "HX-Request": "true"}
    card = await relay_console.get(f"/tasks/{task['id']}", headers=htmx)
    share = await relay_console.get(f"/api/tasks/{task['id']}/share.html", headers=KEY)
    for html in (card.text, share.text):
        links = [
            tag.get(name)
            for tag in BeautifulSoup(html, "html.parser").find_all(True)
            for name in ("href", "src")
        ]
        assert output not in links  # the transcript may quote the answer, as text
    assert "Saving a copy" not in card.text
    assert "refused" in card.text


async def test_an_output_on_the_relays_own_host_and_port_is_kept(
    relay: RelayStub, relay_console: httpx.AsyncClient
) -> None:
    own = f"{relay.base_url}/files/v.mp4"
    relay.read = succeeded_with([own])
    task = await create(relay_console, relay)
    done = await until_final(relay_console, task["id"])
    assert done["output"] == [own]


async def test_an_output_whose_name_resolves_to_this_machine_is_not_fetched() -> None:
    """Private upstreams allowed, an https output named by a host that resolves to loopback
    passes the store-time check (a name, not an address) and is refused at connect time."""
    fetched: list[httpx.Request] = []

    def network(request: httpx.Request) -> httpx.Response:
        fetched.append(request)
        return httpx.Response(200, content=b"")

    inner = GuardedTransport(GuardPolicy(allow_private=True), httpx.MockTransport(network))
    client = RunwayClient(inner, httpx.MockTransport(network))
    relay = resolve_upstream("http://127.0.0.1:8399")
    with pytest.raises(UpstreamRefused):
        async with client.stream_output(relay, "https://localhost:8399/v.mp4"):
            pass
    async with client.stream_output(relay, "http://127.0.0.1:8399/files/v.mp4") as own:
        assert own.status_code == 200  # the relay's own host and port stay reachable
    assert [str(r.url) for r in fetched] == ["http://127.0.0.1:8399/files/v.mp4"]
    await client.aclose()
