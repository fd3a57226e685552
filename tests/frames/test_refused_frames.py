"""A refused create leaves nothing behind, and what one scope keeps of frames is bounded per day.

A create stores the frames it carries as data before its checks, the budget and the upstream
decide; a refusal at any of them (a bad field, 429 over a member's budget, the upstream's 401)
must give them back in the same request, on disk and in the S3 bucket alike. Uploads, which are
kept on purpose, count against a daily allowance per scope (CONSOLE_FRAME_MB_PER_DAY).
"""

import io
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from app.core.settings import Settings
from app.storage.objects import S3Objects
from app.web.deps import services
from tests.conftest import asgi_client, make_settings, started
from tests.gateway.test_console_sdk import small_mp4
from tests.helpers import data_uri, image_bytes

BASE = "http://console"
VERSION = {"X-Runway-Version": "2024-11-06"}
DATABASE_FILES = ("console.db", "console.db-wal", "console.db-shm")


@pytest.fixture
def settings(engine_settings: Settings) -> Settings:
    return engine_settings


def noise_png(side: int = 1024) -> bytes:
    """A distinct ~3 MB PNG each call (noise does not compress)."""
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=0)
    return buffer.getvalue()


def create_body(frame: str, **extra: Any) -> dict[str, Any]:
    body = {
        "model": "gen4_turbo",
        "promptImage": frame,
        "promptText": "a harbour",
        "ratio": "1280:720",
        "duration": 5,
    }
    return {**body, **extra}


@asynccontextmanager
async def console(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    async with started(settings) as app, asgi_client(app, base_url=BASE) as http:
        yield http, app


def kept(settings: Settings, app: Any) -> dict[str, int]:
    """Every object the console keeps outside its database: the data dir's files and, with
    S3, the bucket's objects under the console's prefix."""
    found = {
        str(path.relative_to(settings.data_dir)): path.stat().st_size
        for path in settings.data_dir.rglob("*")
        if path.is_file() and path.name not in DATABASE_FILES
    }
    objects = services(app).frames.objects
    if isinstance(objects, S3Objects):
        found.update({f"s3:{key}": 1 for key in objects.keys("")})
    return found


async def test_fifty_refused_creates_leave_the_store_as_it_was(settings: Settings) -> None:
    async with console(settings) as (http, app):
        _member, token = await services(app).members.create("tight", 10)  # below one task's 25
        before = kept(settings, app)
        refusals = [
            # A bad field, through the gateway with any bearer (pass-through).
            ("/v1/image_to_video", {"Authorization": "Bearer hk-any-0001"}, {"ratio": "BAD"}),
            # The upstream's 401, through the JSON API.
            ("/api/tasks", {"X-Runway-Key": "hk-any-key-0002"}, {"promptText": "x [sim:401]"}),
            # 429: over a member's daily budget.
            ("/v1/image_to_video", {"Authorization": f"Bearer {token}"}, {}),
            # The upstream's 401, through the gateway.
            (
                "/v1/image_to_video",
                {"Authorization": "Bearer hk-any-0003"},
                {"promptText": "[sim:401]"},
            ),
        ]
        statuses = set()
        for index in range(50):
            path, headers, extra = refusals[index % len(refusals)]
            body = create_body(data_uri(noise_png()), **extra)
            answer = await http.post(path, json=body, headers={**headers, **VERSION})
            statuses.add(answer.status_code)
        assert statuses == {400, 401, 429, 502}
        assert kept(settings, app) == before
        listed = await http.get("/api/tasks", headers={"X-Runway-Key": "hk-any-key-0002"})
        assert listed.json()["tasks"] == []


async def test_an_accepted_create_keeps_its_frame(settings: Settings) -> None:
    async with console(settings) as (http, app):
        before = kept(settings, app)
        body = create_body(data_uri(image_bytes((1280, 720))))
        created = await http.post("/api/tasks", json=body, headers={"X-Runway-Key": "hk-kept-1"})
        assert created.status_code == 201, created.text
        added = set(kept(settings, app)) - set(before)
        assert any(name.endswith(".png") or name.endswith(".json") for name in added)


async def test_uploads_past_the_daily_allowance_are_refused_and_not_kept(tmp_path: Path) -> None:
    """1 MB a day: the first ~0.6 MB upload is kept, the next two are refused with the reason."""
    settings = make_settings(tmp_path / "data", CONSOLE_FRAME_MB_PER_DAY=1)
    async with console(settings) as (http, app):
        await http.get("/")
        http.headers["X-CSRF-Token"] = http.cookies["rc_csrf"]
        key = {"X-Runway-Key": "hk-allowance-key-01"}
        answers = []
        for _ in range(3):
            frame = noise_png(450)  # ~0.6 MB
            files = {"file": ("noise.png", frame, "image/png")}
            answers.append(await http.post("/frames", files=files, headers=key))
            if len(answers) == 1:
                before = kept(settings, app)
        assert "used up" not in answers[0].text and "frame:" in answers[0].text
        for refused in answers[1:]:
            assert "allowance of 1 MB of stored images is used up" in refused.text
        assert kept(settings, app) == before
        # A create with a new frame as data is refused the same way, and keeps nothing.
        body = create_body(data_uri(noise_png(450)))
        created = await http.post("/api/tasks", json=body, headers=key)
        assert created.status_code == 422
        assert "used up" in created.json()["errors"][0]["message"]
        assert kept(settings, app) == before
        # Another scope has its own allowance.
        other = await http.post("/api/tasks", json=body, headers={"X-Runway-Key": "hk-other-02"})
        assert other.status_code == 201, other.text


async def test_page_uploads_to_the_built_in_simulator_count_against_the_allowance(
    tmp_path: Path,
) -> None:
    """A media field's file sent up to the built-in simulator is kept on this server (its
    uploads folder), so it is charged as a frame is: past 1 MB a day the page refuses it with
    the allowance's sentence and nothing is kept; frames share that allowance, another scope
    has its own."""
    settings = make_settings(tmp_path / "data", CONSOLE_FRAME_MB_PER_DAY=1)
    params = {"endpoint": "video_to_video", "model": "aleph2", "path": "videoUri"}
    async with console(settings) as (http, app):
        await http.get("/")
        http.headers["X-CSRF-Token"] = http.cookies["rc_csrf"]

        async def sent(key: str) -> str:
            video = small_mp4() + os.urandom(600_000)  # ~0.6 MB, a video by its first bytes
            files = {"file": ("clip.mp4", video, "video/mp4")}
            headers = {"X-Runway-Key": key}
            return (
                await http.post("/form/media", params=params, files=files, headers=headers)
            ).text

        assert "uploaded as runway://" in await sent("hk-media-allowance-01")
        before = kept(settings, app)
        refused = await sent("hk-media-allowance-01")
        assert "allowance of 1 MB of stored images is used up" in refused
        assert "uploaded as" not in refused
        assert kept(settings, app) == before
        files = {"file": ("noise.png", noise_png(450), "image/png")}
        frame = await http.post(
            "/frames", files=files, headers={"X-Runway-Key": "hk-media-allowance-01"}
        )
        assert "allowance of 1 MB of stored images is used up" in frame.text
        assert kept(settings, app) == before
        assert "uploaded as runway://" in await sent("hk-media-other-0002")


async def test_new_cookies_and_invented_keys_share_their_addresses_allowance(
    tmp_path: Path,
) -> None:
    """1 MB per scope, 1.5 MB per client address a day: a new demo cookie or a made-up key is
    a new scope, but not a new address, so the third ~0.6 MB frame from one address is refused
    (and not kept) whatever it is sent as; another address has its own allowance."""
    settings = make_settings(
        tmp_path / "data", CONSOLE_FRAME_MB_PER_DAY=1, CONSOLE_FRAME_MB_PER_ADDRESS_DAY=1.5
    )
    async with started(settings) as app:

        async def upload(address: str, path: str, headers: dict[str, str]) -> str:
            async with asgi_client(app, address=address, base_url=BASE) as http:
                await http.get("/demo")  # a fresh demo cookie, and the CSRF cookie
                csrf = {"X-CSRF-Token": http.cookies["rc_csrf"], **headers}
                files = {"file": ("noise.png", noise_png(450), "image/png")}
                return (await http.post(path, files=files, headers=csrf)).text

        texts = [await upload("203.0.113.5", "/demo/frame", {}) for _ in range(2)]
        assert all("used up" not in text for text in texts), texts
        before = kept(settings, app)
        refused = [
            await upload("203.0.113.5", "/demo/frame", {}),
            await upload("203.0.113.5", "/frames", {"X-Runway-Key": "hk-invented-key-0001"}),
        ]
        assert all("allowance of 1.5 MB of stored images is used up" in t for t in refused)
        assert kept(settings, app) == before
        elsewhere = await upload("198.51.100.5", "/demo/frame", {})
        assert "used up" not in elsewhere and "frame" in elsewhere
