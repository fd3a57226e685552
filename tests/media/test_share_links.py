"""Share links: a customer opens a result without a login, until it expires or is revoked."""

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from bs4 import BeautifulSoup

from tests.conftest import asgi_client, make_settings, opened, started
from tests.demo.test_demo import animate, until_settled

PASSWORD = "demo-password-123"
OPERATOR = {"Authorization": f"Bearer {PASSWORD}"}
Check = Callable[[httpx.AsyncClient, httpx.AsyncClient], Awaitable[None]]


async def make_link(http: httpx.AsyncClient) -> tuple[str, str]:
    key = await animate(http, prompt="Waves at dawn [sim:moderation]", scenario="")
    stage = await until_settled(http, key)
    assert stage.select_one("#stage")["data-phase"] == "ready"
    box = BeautifulSoup((await http.post(f"/demo/results/{key}/share")).text, "html.parser")
    return key, box.select_one("#share-url")["value"].removeprefix("http://console")


async def run(tmp_path: Path, check: Check, **settings: object) -> None:
    settings_ = make_settings(tmp_path / "data", CONSOLE_PASSWORD=PASSWORD, **settings)
    async with (
        started(settings_) as app,
        asgi_client(app) as operator,
        asgi_client(app) as stranger,
    ):
        operator.headers.update(OPERATOR)
        await check(await opened(operator, "/demo"), stranger)


async def test_a_link_opens_without_a_login_and_shows_no_internals(tmp_path: Path) -> None:
    async def check(operator: httpx.AsyncClient, stranger: httpx.AsyncClient) -> None:
        key, link = await make_link(operator)
        assert (await stranger.get("/demo")).status_code == 303  # the demo itself needs a login
        page = await stranger.get(link)
        assert page.status_code == 200
        assert page.headers["cache-control"] == "no-store"
        soup = BeautifulSoup(page.text, "html.parser")
        video = soup.select_one("video")
        assert video.has_attr("autoplay") and video.has_attr("muted") and video.has_attr("loop")
        assert soup.select_one("blockquote").text == "Waves at dawn"
        assert key not in page.text and "[sim:" not in page.text and "operator" not in page.text
        assert not soup.select("script")
        clip = await stranger.get(video["src"], headers={"Range": "bytes=0-99"})
        assert clip.status_code == 206 and len(clip.content) == 100
        frame = await stranger.get(soup.select_one("img")["src"])
        assert frame.status_code == 200 and frame.headers["content-type"] == "image/jpeg"

    await run(tmp_path, check)


async def test_a_revoked_or_altered_link_shows_nothing(tmp_path: Path) -> None:
    async def check(operator: httpx.AsyncClient, stranger: httpx.AsyncClient) -> None:
        key, link = await make_link(operator)
        box = await operator.post(f"/demo/results/{key}/unshare")
        assert "The link no longer opens." in box.text
        gone = await stranger.get(link)
        assert gone.status_code == 410 and "no longer shared" in gone.text
        assert "<video" not in gone.text and "Waves" not in gone.text
        assert (await stranger.get(f"{link}/video.mp4")).status_code == 404
        assert (await stranger.get(f"{link}/first-frame")).status_code == 404
        # A new link for the same result works; an altered one never does.
        _, fresh = await make_link(operator)
        assert fresh != link and (await stranger.get(fresh)).status_code == 200
        altered = fresh[:-1] + ("0" if fresh[-1] != "0" else "1")
        assert (await stranger.get(altered)).status_code == 404
        assert (await stranger.get("/shared/nothing.here")).status_code == 404

    await run(tmp_path, check)


async def test_a_link_expires_after_CONSOLE_SHARE_DAYS(tmp_path: Path) -> None:
    async def check(operator: httpx.AsyncClient, stranger: httpx.AsyncClient) -> None:
        key, link = await make_link(operator)
        assert (await stranger.get(link)).status_code == 200
        box = await operator.get(f"/demo/results/{key}")
        assert "less than two minutes" in box.text
        await asyncio.sleep(2.2)
        gone = await stranger.get(link)
        assert gone.status_code == 410 and "expired" in gone.text
        assert (await stranger.get(f"{link}/video.mp4")).status_code == 404
        stage = await operator.get(f"/demo/results/{key}")
        assert "/shared/" not in stage.text  # the demo offers a new link instead

    await run(tmp_path, check, CONSOLE_SHARE_DAYS=2 / 86400)  # two seconds
