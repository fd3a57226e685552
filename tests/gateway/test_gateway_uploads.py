"""`POST /v1/uploads` at the gateway, and `runway://` URIs in the console's creates.

In process: the console on its built-in simulator (a password set, which the gateway and the
signed upload form need none of), or on a scripted relay on loopback. The official SDK's own
run of the whole round trip is in test_console_sdk.py; here are what it cannot see: the slot's
shape and URL, the guard on a relay's upload URL, refused bodies, and how history shows a task
whose frame the upstream holds.
"""

import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI

from app.web.deps import services
from tests.conftest import asgi_client, make_settings, started
from tests.helpers import image_bytes
from tests.relay_stub import Answer, RelayStub, console_for_relays

BASE = "http://console.test"
PASSWORD = "uploads password 1234"
SLOT = {"filename": "frame.png", "type": "ephemeral"}
VERSION = {"X-Runway-Version": "2024-11-06"}


@dataclass
class Console:
    http: httpx.AsyncClient  # no key and no session: what an app has
    token: str  # a member's
    app: FastAPI

    @property
    def member(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **VERSION}


async def console(tmp_path: Path, **settings: object) -> AsyncIterator[Console]:
    """The console in process on its built-in simulator, with a member."""
    settings_ = make_settings(tmp_path / "data", CONSOLE_PASSWORD=PASSWORD, **settings)
    async with started(settings_) as app, asgi_client(app, base_url=BASE, timeout=60) as http:
        _member, token = await services(app).members.create("uploader", None)
        yield Console(http, token, app)


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[Console]:
    async for made in console(tmp_path):
        yield made


async def uploaded(site: Console) -> str:
    """A PNG up through the gateway's slot and the signed form, as the SDK sends them (the form
    with no credentials at all)."""
    slot = await site.http.post("/v1/uploads", json=SLOT, headers=site.member)
    assert slot.status_code == 200, slot.text
    answer = slot.json()
    assert answer["uploadUrl"].startswith(f"{BASE}/simulator/uploads/"), answer
    assert answer["runwayUri"].startswith("runway://") and answer["fields"]
    form = await site.http.post(
        answer["uploadUrl"],
        data=answer["fields"],
        files={"file": ("frame.png", image_bytes(), "image/png")},
    )
    assert form.status_code == 204, form.text
    return answer["runwayUri"]


async def test_an_upload_is_a_frame_in_the_json_api_and_history_names_it(site: Console) -> None:
    uri = await uploaded(site)
    body = {
        "model": "gen3a_turbo",
        "promptImage": [
            {"uri": uri, "position": "first"},
            {"uri": "https://example.com/last.jpg", "position": "last"},
        ],
        "promptText": "waves",
        "ratio": "1280:768",
    }
    owner = {"Authorization": f"Bearer {PASSWORD}", "X-Runway-Key": site.token}
    created = await site.http.post("/api/tasks", json=body, headers=owner)
    assert created.status_code == 201, created.text
    page = BeautifulSoup((await site.http.get("/history", headers=owner)).text, "html.parser")
    row = page.select_one(f"li.history-row[data-task-id='{created.json()['id']}']")
    assert row is not None and row.select_one("img") is None  # no picture to show, none faked
    placeholder = row.select_one(".history-thumb.placeholder")
    assert placeholder.text == "UPL" and placeholder["title"] == f"uploaded frame ({uri})"


async def test_the_slot_is_on_the_public_url_when_one_is_set(tmp_path: Path) -> None:
    async for made in console(tmp_path, CONSOLE_PUBLIC_URL="https://console.example.net"):
        slot = await made.http.post("/v1/uploads", json=SLOT, headers=made.member)
        assert slot.json()["uploadUrl"].startswith("https://console.example.net/simulator/uploads/")


async def test_files_posted_to_the_simulator_s_slots_count_against_the_allowance(
    tmp_path: Path,
) -> None:
    """An app posts its file to the built-in simulator's form itself, which keeps it on this
    server: the member the gateway gave the slot to is charged as for a frame, and past 1 MB a
    day the form is refused with the allowance's sentence and the file is not kept. A slot
    from the simulator's own `/v1/uploads` (no member to charge) counts to the address."""
    limits = {"CONSOLE_FRAME_MB_PER_DAY": 1, "CONSOLE_FRAME_MB_PER_ADDRESS_DAY": 1.5}
    async for made in console(tmp_path, **limits):
        folder = tmp_path / "data" / "simulator" / "uploads"

        async def posted(
            headers: dict[str, str], made: Console = made, at: str = "/v1/uploads"
        ) -> httpx.Response:
            answer = (await made.http.post(at, json=SLOT, headers=headers)).json()
            big = image_bytes() + os.urandom(600_000)  # ~0.6 MB
            files = {"file": ("frame.png", big, "image/png")}
            return await made.http.post(answer["uploadUrl"], data=answer["fields"], files=files)

        assert (await posted(made.member)).status_code == 204
        before = sorted(folder.rglob("*"))
        refused = await posted(made.member)
        assert refused.status_code == 413
        assert "allowance of 1 MB of stored images is used up" in refused.text
        assert sorted(folder.rglob("*")) == before
        _other, token = await services(made.app).members.create("another", None)
        other = {**made.member, "Authorization": f"Bearer {token}"}
        assert (await posted(other)).status_code == 204
        # 1.2 MB from this address so far: the simulator's own slot takes it past 1.5.
        page = BeautifulSoup((await made.http.get("/login")).text, "html.parser")
        token = page.select_one("input[name=csrf_token]")["value"]  # the mount's API needs a login
        await made.http.post("/login", data={"password": PASSWORD, "csrf_token": token})
        own = {"Authorization": "Bearer sim-key-0001", **VERSION}
        direct = await posted(own, at="/simulator/v1/uploads")
        assert direct.status_code == 413 and "1.5 MB of stored images is used up" in direct.text
        assert len(list(folder.rglob("*"))) == len(before) + 2  # the other's file and its facts


@pytest.mark.parametrize(
    ("content", "status", "error"),
    [
        (json.dumps({"type": "ephemeral"}), 400, "Invalid parameter 'filename'"),
        (json.dumps({"filename": "a\nb.png"}), 400, "Invalid parameter 'filename'"),
        (json.dumps({"filename": "a.png", "type": "forever"}), 400, "Invalid parameter 'type'"),
        ("[]", 400, "Request body must be a JSON object"),
        (json.dumps({"filename": "a.png", "pad": "x" * 20_000}), 413, "Request body over 16 KB"),
    ],
)
async def test_a_bad_slot_request_is_refused_in_runways_shape(
    site: Console, content: str, status: int, error: str
) -> None:
    answer = await site.http.post("/v1/uploads", content=content, headers=site.member)
    assert (answer.status_code, answer.json()["error"]) == (status, error)


async def test_a_bad_runway_uri_is_the_json_apis_field_error(site: Console) -> None:
    body = {"model": "gen4_turbo", "promptImage": "runway://up\u0000loads", "ratio": "1280:720"}
    password = {"Authorization": f"Bearer {PASSWORD}"}
    answer = await site.http.post("/api/tasks", json=body, headers=password)
    assert answer.status_code == 422
    [error] = answer.json()["errors"]
    assert error["field"] == "promptImage" and "is not a runway:// upload URI" in error["message"]


@pytest.fixture
async def relay_gateway(relay: RelayStub, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The console whose operator upstream is the relay; a developer's own key passes through."""
    async with console_for_relays(tmp_path / "data", RUNWAYML_BASE_URL=relay.base_url) as http:
        http.headers["Authorization"] = "Bearer key_developer_own"
        http.headers.update(VERSION)
        yield http


@pytest.mark.parametrize(
    ("slot", "said"),
    [
        ({"runwayUri": "runway://u/1", "uploadUrl": "https://10.0.0.5/bucket"}, "refused"),
        ({"runwayUri": "runway://u/1", "uploadUrl": "javascript:alert(1)"}, "refused"),
        ({"runwayUri": "runway://u 1", "uploadUrl": "https://up.example.com/b"}, "no runwayUri"),
        ({"uploadUrl": "https://up.example.com/b"}, "no runwayUri"),
        (b"<html>uploads</html>", "not a JSON object"),
    ],
)
async def test_a_relays_unusable_slot_is_a_502_and_nothing_is_reached(
    relay: RelayStub, relay_gateway: httpx.AsyncClient, slot: object, said: str
) -> None:
    relay.other = lambda seen: Answer(200, slot)
    answer = await relay_gateway.post("/v1/uploads", json=SLOT)
    assert answer.status_code == 502 and said in answer.json()["error"]
    assert [seen.path for seen in relay.seen] == ["/runwayml/v1/uploads"]


async def test_a_relays_own_upload_url_is_handed_on_as_it_is(
    relay: RelayStub, relay_gateway: httpx.AsyncClient
) -> None:
    slot = {"runwayUri": "runway://u/1", "uploadUrl": f"{relay.base_url}/up", "fields": {"k": "v"}}
    relay.other = lambda seen: Answer(200, slot)
    answer = await relay_gateway.post("/v1/uploads", json=SLOT)
    assert answer.json() == slot
    assert json.loads(relay.seen[0].body) == SLOT
    assert relay.seen[0].authorization == "Bearer key_developer_own"
