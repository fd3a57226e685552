"""Side by side on two addresses: each address hears its own key, never the other's.

Two scripted relays on loopback stand for relay A (the page's address) and relay B (the
second address); every request each received is checked for the key it carried.
"""

import asyncio
from pathlib import Path

import httpx

from tests.helpers import form_fields
from tests.relay_stub import RelayStub, relay_console, relay_stub

__all__ = ["relay_console"]  # the fixture, imported for this module's tests

KEY_A = "key_relay_a_1111111111"
KEY_B = "key_relay_b_2222222222"


def as_page(key: str | None) -> dict[str, str]:
    """A card's read as htmx sends it, with the key the page gives that card."""
    return {"HX-Request": "true", **({"X-Runway-Key": key} if key else {})}


def keys_seen(stub: RelayStub) -> set[str]:
    return {seen.authorization for seen in stub.seen}


async def compare(
    console: httpx.AsyncClient, a: RelayStub, b: RelayStub, second_key: str
) -> httpx.Response:
    """Generate as the page sends it: the second key in its header (app.js), when given."""
    form = form_fields(baseUrl=a.base_url, compare_base_url=b.base_url, seed="7")
    headers = {"HX-Request": "true", "X-Runway-Key": KEY_A}
    if second_key:
        headers["X-Runway-Compare-Key"] = second_key
    answer = await console.post("/tasks", data=form, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer


async def card_ids(answer: httpx.Response) -> list[str]:
    return [part.split('"')[0] for part in answer.text.split('data-task-id="')[1:]]


async def test_the_second_address_gets_its_own_key(
    relay_console: httpx.AsyncClient, tmp_path: Path
) -> None:
    with relay_stub() as a, relay_stub() as b:
        answer = await compare(relay_console, a, b, KEY_B)
        assert KEY_B not in answer.text and KEY_A not in answer.text
        first, second = await card_ids(answer)
        for _ in range(3):  # each card polls with the key the page sends for it
            await asyncio.sleep(0.25)  # past the poll interval: the reads reach the relays
            await relay_console.get(f"/tasks/{first}", headers=as_page(KEY_A))
            await relay_console.get(f"/tasks/{second}", headers=as_page(KEY_B))
        # The first key reads nothing of the second task, so sends nothing to relay B.
        await relay_console.get(f"/tasks/{second}", headers=as_page(KEY_A))
    assert keys_seen(a) == {f"Bearer {KEY_A}"}
    assert keys_seen(b) == {f"Bearer {KEY_B}"}
    assert [s.method for s in b.seen].count("GET") >= 1, "the second card's reads reached B"
    kept = [p for p in (tmp_path / "data").rglob("*") if p.is_file()]
    assert kept and not [p for p in kept if KEY_B.encode() in p.read_bytes()], "never stored"


async def test_no_second_key_sends_none(relay_console: httpx.AsyncClient) -> None:
    with relay_stub() as a, relay_stub() as b:
        _first, second = await card_ids(await compare(relay_console, a, b, ""))
        await asyncio.sleep(0.25)
        await relay_console.get(
            f"/tasks/{second}", headers=as_page(None)
        )  # the page sends no key for that card
        await relay_console.get(f"/tasks/{second}", headers=as_page(KEY_A))
    assert keys_seen(a) == {f"Bearer {KEY_A}"}
    assert b.seen and keys_seen(b) == {""}
