"""Frames belong to the scopes that uploaded them (issue 12, item 10), on both engines.

Another key that learns a frame's sha256 (from a shared screen, a log, a guess) gets nothing
for it: a create naming it is the same field error as an unknown frame, so the answer does not
even say the frame exists; its thumbnail answers only the URL its owner's page was given.
"""

import asyncio
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup

from app.core.settings import Settings
from tests.conftest import TEAM_SECRET, in_process, make_settings
from tests.cutting_proxy import Hold, cutting_proxy
from tests.engines import PostgresServer, SeaweedServer
from tests.helpers import create_body, data_uri, image_bytes

VICTIM = {"X-Runway-Key": "hk-frame-owner-key-1a1a"}
OTHER = {"X-Runway-Key": "hk-frame-thief-key-2b2b"}
UNKNOWN = "frame:" + "0" * 64


@pytest.fixture
def settings(engine_settings: Settings) -> Settings:
    return engine_settings


async def upload(client: httpx.AsyncClient, headers: dict, color=(10, 120, 200)) -> BeautifulSoup:
    """The page's upload, as htmx sends it (with the key in its header)."""
    answer = await client.post(
        "/frames",
        params={"position": "first"},
        files={"file": ("a.png", image_bytes((640, 384), color), "image/png")},
        headers=headers,
    )
    assert answer.status_code == 200
    return BeautifulSoup(answer.text, "html.parser")


async def creates(client: httpx.AsyncClient) -> int:
    return (await client.get("/simulator/_sim/stats")).json().get("create", 0)


async def create(client: httpx.AsyncClient, ref: str, headers: dict) -> httpx.Response:
    return await client.post("/api/tasks", json=create_body(ref), headers=headers)


async def test_another_key_cannot_put_a_frame_it_never_uploaded_in_a_create(
    client: httpx.AsyncClient,
) -> None:
    ref = (await upload(client, VICTIM)).select_one("input[name=first_ref]")["value"]
    before = await creates(client)
    stolen = await create(client, ref, OTHER)
    unknown = await create(client, UNKNOWN, OTHER)
    assert stolen.status_code == unknown.status_code == 422
    assert stolen.json() == unknown.json(), "the answer must not tell a stored frame apart"
    assert await creates(client) == before, "nothing was sent upstream"
    assert (await create(client, ref, VICTIM)).status_code == 201


async def test_the_same_image_from_two_keys_works_for_both(client: httpx.AsyncClient) -> None:
    mine = (await upload(client, VICTIM)).select_one("input[name=first_ref]")["value"]
    theirs = (await upload(client, OTHER)).select_one("input[name=first_ref]")["value"]
    assert mine == theirs
    assert (await create(client, mine, VICTIM)).status_code == 201
    assert (await create(client, theirs, OTHER)).status_code == 201


async def test_a_frame_sent_as_data_is_owned_by_the_key_that_sent_it(
    client: httpx.AsyncClient,
) -> None:
    sent = await client.post(
        "/api/tasks", json=create_body(data_uri(image_bytes(color=(1, 2, 3)))), headers=VICTIM
    )
    assert sent.status_code == 201
    history = BeautifulSoup((await client.get("/history", headers=VICTIM)).text, "html.parser")
    thumb = history.select_one("img.history-thumb")["src"]
    assert (await client.get(thumb)).status_code == 200, "the history's thumbnail shows"
    ref = "frame:" + thumb.split("/")[2]
    assert (await create(client, ref, VICTIM)).status_code == 201
    assert (await create(client, ref, OTHER)).status_code == 422


async def test_a_thumbnail_answers_only_the_url_its_owners_page_was_given(
    client: httpx.AsyncClient,
) -> None:
    slot = await upload(client, VICTIM)
    src = slot.select_one("img.thumb")["src"]
    sha = slot.select_one("input[name=first_ref]")["value"].removeprefix("frame:")
    owners = await client.get(src)  # an <img> sends no key header: the URL is the capability
    assert owners.status_code == 200 and owners.headers["content-type"] == "image/jpeg"
    assert (await client.get(f"/frames/{sha}/thumb", headers=OTHER)).status_code == 404
    assert (await client.get(f"/frames/{sha}/thumb")).status_code == 404
    forged = await client.get(f"/frames/{sha}/thumb", params={"t": "0" * 32}, headers=OTHER)
    assert forged.status_code == 404


async def test_a_form_naming_another_keys_frame_shows_nothing_of_it(
    client: httpx.AsyncClient,
) -> None:
    ref = (await upload(client, VICTIM)).select_one("input[name=first_ref]")["value"]
    fields = await client.get("/form/model-fields", params={"first_ref": ref}, headers=OTHER)
    page = BeautifulSoup(fields.text, "html.parser")
    assert page.select_one("#slot-first img.thumb") is None
    assert ref.removeprefix("frame:") not in fields.text
    own = await client.get("/form/model-fields", params={"first_ref": ref}, headers=VICTIM)
    assert BeautifulSoup(own.text, "html.parser").select_one("#slot-first img.thumb") is not None


async def test_a_delete_keeps_a_frame_another_scope_owns_and_has_not_used_yet(
    client: httpx.AsyncClient,
) -> None:
    slot = await upload(client, VICTIM)
    ref, thumb = slot.select_one("input[name=first_ref]")["value"], slot.select_one("img.thumb")
    task = (await create(client, ref, VICTIM)).json()
    await upload(client, OTHER)  # the same picture: OTHER owns it too, though no task uses it
    assert (await client.delete(f"/api/tasks/{task['id']}", headers=VICTIM)).status_code == 204
    assert (await client.get(thumb["src"])).status_code == 200, "the frame is still stored"
    assert (await create(client, ref, VICTIM)).status_code == 422, "the deleter's claim went"
    theirs = await create(client, ref, OTHER)
    assert theirs.status_code == 201, theirs.text
    assert (await client.delete(f"/api/tasks/{theirs.json()['id']}", headers=OTHER)).is_success
    assert (await client.get(thumb["src"])).status_code == 404, "no owner left: it goes"
    assert (await create(client, ref, OTHER)).status_code == 422


async def test_a_frame_removed_by_a_delete_is_never_lost_to_a_claim_made_meanwhile(
    postgres: PostgresServer, seaweed: SeaweedServer, tmp_path: Path
) -> None:
    """A delete removes a frame nobody needs; another key uploads the same picture while the
    removal is under way (its object deletes held at the S3 server's door). Without a guard,
    that upload found the files still there, skipped them and claimed the frame, and then the
    removal went on: a frame it owns with no files. With one, the upload waits for the removal
    and stores the files again."""
    # S3's multi-object delete of the frame's own picture (not a .part of a write).
    hold = Hold(rb"POST [^ ]*\?delete .*/frames/[0-9a-f]{64}\.png</Key>")
    with cutting_proxy(seaweed.s3_port, hold=hold) as port:
        settings = make_settings(
            tmp_path / "data",
            CONSOLE_DATABASE_URL=postgres.new_database(),
            CONSOLE_SECRET_KEY=TEAM_SECRET,
            **{**seaweed.env(), "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"},
        )
        async with in_process(settings) as http:
            ref = (await upload(http, VICTIM)).select_one("input[name=first_ref]")["value"]
            task_id = (await create(http, ref, VICTIM)).json()["id"]
            deleting = asyncio.ensure_future(http.delete(f"/api/tasks/{task_id}", headers=VICTIM))
            assert await asyncio.to_thread(hold.seen.wait, 60), "the removal never began"
            uploading = asyncio.ensure_future(upload(http, OTHER))
            await asyncio.wait([uploading], timeout=5)  # done at once without a guard
            hold.release.set()
            assert (await deleting).status_code == 204
            page = await uploading
            thumb = await http.get(page.select_one("img.thumb")["src"])
            again = await create(http, ref, OTHER)
    assert thumb.status_code == 200, "the newcomer's frame lost its files"
    assert again.status_code == 201, again.text


async def test_many_keys_uploading_at_once_all_get_their_frame(client: httpx.AsyncClient) -> None:
    """Each upload holds the frame guard while it stores and claims: on PostgreSQL a guard
    that took a connection from the pool the claim also needs would leave 20 uploads, each
    holding one and waiting for another, stuck until the pool's timeout."""
    keys = [{"X-Runway-Key": f"hk-many-uploads-key-{n:02d}"} for n in range(20)]
    pages = await asyncio.gather(*(upload(client, key, (n, 90, 160)) for n, key in enumerate(keys)))
    assert all(page.select_one("input[name=first_ref]") for page in pages)
