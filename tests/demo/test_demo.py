"""The demo page (/demo): samples, one button, a workspace per demo session, no internals."""

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup

from tests.conftest import in_process, make_settings
from tests.helpers import image_bytes

# Words that would give away how the console works; a customer sees none of them.
INTERNAL = ("[sim:", "simulator", "credit", "$", "runwayml", "api.dev", "x-runway", "bearer")
RESULT = re.compile(r'hx-get="/demo/results/([^"?]+)\?seen=working"')


@asynccontextmanager
async def demo_client(tmp_path: Path, **settings: object) -> AsyncIterator[httpx.AsyncClient]:
    async with in_process(make_settings(tmp_path / "data", **settings), first_page="/demo") as http:
        yield http  # with the demo session and CSRF cookies


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with demo_client(tmp_path) as http:
        yield http


def page_text(html: str) -> str:
    return BeautifulSoup(html, "html.parser").get_text(" ", strip=True)


async def animate(http: httpx.AsyncClient, **form: str) -> str:
    """Press Animate; returns the result's key (only ever in the URLs the page calls)."""
    response = await http.post("/demo/animate", data={"sample": "harbour-dawn", **form})
    assert response.status_code == 200
    found = RESULT.search(response.text)
    assert found, response.text
    return found.group(1)


async def until_settled(http: httpx.AsyncClient, key: str) -> BeautifulSoup:
    for _ in range(200):
        stage = BeautifulSoup((await http.get(f"/demo/results/{key}")).text, "html.parser")
        if stage.select_one("#stage")["data-phase"] != "working":
            return stage
        await asyncio.sleep(0.1)
    raise AssertionError("the result never settled")


async def test_the_page_offers_samples_and_shows_no_internals(demo: httpx.AsyncClient) -> None:
    page = BeautifulSoup((await demo.get("/demo")).text, "html.parser")
    samples = [b["aria-label"] for b in page.select("button.sample")]
    assert len(samples) >= 6
    assert all(label.startswith("Sample: ") for label in samples)
    assert "Sample: Harbour at dawn" in samples
    assert [b.text for b in page.select("button[type=submit]")] == ["Animate", "Make a product ad"]
    assert not page.select("#baseUrl, #api-key, input[type=password], .inspector")
    text = page.get_text(" ", strip=True).lower()
    assert not [word for word in INTERNAL if word in text]


async def test_a_sample_becomes_a_video_in_this_demos_own_strip(
    demo: httpx.AsyncClient, tmp_path: Path
) -> None:
    key = await animate(demo)
    stage = await until_settled(demo, key)
    video = stage.select_one("#stage video")
    assert video["src"].startswith("/media/") and video.has_attr("autoplay")
    assert video.has_attr("muted") and video.has_attr("loop")
    assert stage.select_one(".badge.simulated").text == "Simulated"
    assert stage.select_one("#player .before img")["src"].startswith("/demo/frames/")
    assert key not in stage.get_text()
    strip = BeautifulSoup((await demo.get("/demo/strip")).text, "html.parser")
    assert len(strip.select(".strip-item")) == 1
    assert (await demo.get(video["src"])).status_code == 200
    # The testers' history does not hold it, and another demo session cannot open it.
    assert (await demo.get("/api/tasks")).json()["tasks"] == []
    demo.cookies.delete("rc_demo")
    assert (await demo.get(f"/demo/results/{key}")).status_code == 404
    strip = BeautifulSoup((await demo.get("/demo/strip")).text, "html.parser")
    assert not strip.select(".strip-item")


async def test_the_testers_history_does_not_show_in_the_demo(demo: httpx.AsyncClient) -> None:
    body = {
        "model": "gen3a_turbo",
        "promptImage": "https://example.com/a.jpg",
        "promptText": "test csp [sim:slow]",
        "ratio": "1280:768",
        "duration": 5,
    }
    assert (await demo.post("/api/tasks", json=body)).status_code == 201
    strip = BeautifulSoup((await demo.get("/demo/strip")).text, "html.parser")
    assert not strip.select(".strip-item")
    assert "test csp" not in (await demo.get("/demo")).text


async def test_the_customers_own_image_can_be_animated(demo: httpx.AsyncClient) -> None:
    upload = await demo.post("/demo/frame", files={"file": ("me.png", image_bytes((768, 1280)))})
    frame = upload.json()["frame"]
    assert (upload.json()["width"], upload.json()["height"]) == (768, 1280)
    key = await animate(demo, sample="", frame=frame, prompt="my own picture")
    stage = await until_settled(demo, key)
    assert stage.select_one("#stage")["data-phase"] == "ready"
    assert stage.select_one(".prompt-line").text == "my own picture"
    refused = await demo.post("/demo/frame", files={"file": ("x.png", b"not an image")})
    assert "error" in refused.json()


async def test_another_demo_session_gets_nothing_of_a_customers_image(
    demo: httpx.AsyncClient,
) -> None:
    upload = await demo.post("/demo/frame", files={"file": ("me.png", image_bytes((768, 1280)))})
    frame = upload.json()["frame"]
    assert (await demo.get(f"/demo/frames/{frame}")).status_code == 200
    demo.cookies.delete("rc_demo")  # a second visitor: a new demo session
    await demo.get("/demo")
    assert (await demo.get(f"/demo/frames/{frame}")).status_code == 404
    response = await demo.post("/demo/animate", data={"sample": "", "frame": frame})
    assert "Choose a sample or add your own image first." in response.text


async def test_no_picture_is_refused_in_plain_words(demo: httpx.AsyncClient) -> None:
    response = await demo.post("/demo/animate", data={"sample": "", "frame": ""})
    assert response.headers["HX-Retarget"] == "#notice"
    assert "Choose a sample or add your own image first." in response.text


async def test_failure_scenarios_map_to_markers_that_never_show(demo: httpx.AsyncClient) -> None:
    key = await animate(demo, scenario="moderation", prompt="calm sea")
    stage = await until_settled(demo, key)
    assert stage.select_one("#stage")["data-phase"] == "failed"
    assert "Content moderation declined" in stage.get_text()
    busy = await demo.post("/demo/animate", data={"sample": "harbour-dawn", "scenario": "busy"})
    assert "The service is busy right now" in busy.text
    strip = await demo.get("/demo/strip")
    for html in (str(stage), busy.text, strip.text, (await demo.get("/demo")).text):
        assert "[sim:" not in html and "SAFETY" not in html
    # A marker typed into the prompt is dropped: only the picker chooses a scenario.
    typed = await until_settled(demo, await animate(demo, prompt="sunrise [sim:moderation]"))
    assert typed.select_one("#stage")["data-phase"] == "ready"


async def test_the_daily_allowance_refuses_before_any_upstream_call(tmp_path: Path) -> None:
    # One 5 s run is 25; the address may spend more, so a second cookie tests the refund.
    caps = {"CONSOLE_DEMO_CREDITS": 30, "CONSOLE_DEMO_ADDRESS_CREDITS": 100}
    async with demo_client(tmp_path, **caps) as http:
        await animate(http)
        refused = await http.post("/demo/animate", data={"sample": "harbour-dawn"})
        assert "used today's allowance" in page_text(refused.text)
        assert (await http.get("/simulator/_sim/stats")).json()["create"] == 1
        # A refused create gives its reservation back.
        await http.delete("/simulator/_sim/stats")
        http.cookies.delete("rc_demo")
        await http.get("/demo")
        busy = await http.post("/demo/animate", data={"sample": "harbour-dawn", "scenario": "busy"})
        assert "busy" in busy.text
        assert RESULT.search((await http.post("/demo/animate", data={"sample": "city-night"})).text)


async def test_clear_empties_the_strip_but_keeps_shared_links(demo: httpx.AsyncClient) -> None:
    kept, dropped = await animate(demo), await animate(demo, sample="coral-reef")
    await until_settled(demo, kept)
    await until_settled(demo, dropped)
    box = BeautifulSoup((await demo.post(f"/demo/results/{kept}/share")).text, "html.parser")
    link = box.select_one("#share-url")["value"]
    strip = BeautifulSoup((await demo.post("/demo/clear")).text, "html.parser")
    assert not strip.select(".strip-item")
    assert not BeautifulSoup((await demo.get("/demo/strip")).text, "html.parser").select("li")
    assert (await demo.get(f"/demo/results/{dropped}")).status_code == 404
    assert (await demo.get(link.removeprefix("http://console"))).status_code == 200


async def test_brand_name_titles_the_page_and_demo_home_takes_the_root(tmp_path: Path) -> None:
    async with demo_client(
        tmp_path, CONSOLE_BRAND_NAME="Acme Motion", CONSOLE_DEMO_HOME=True
    ) as http:
        root = BeautifulSoup((await http.get("/")).text, "html.parser")
        assert root.title.text == "Acme Motion"
        assert root.select("button.sample")
        console = BeautifulSoup((await http.get("/console")).text, "html.parser")
        assert console.select_one("#generate")


async def test_the_page_speaks_chinese(demo: httpx.AsyncClient) -> None:
    page = BeautifulSoup(
        (await demo.get("/demo", headers={"Accept-Language": "zh-CN"})).text, "html.parser"
    )
    assert page.html["lang"] == "zh-CN"
    assert page.select_one("#animate").text == "生成动画"
    assert page.select("button.sample")[0]["aria-label"] == "示例：黎明的港湾"


async def test_a_double_click_makes_one_video_and_counts_once(tmp_path: Path) -> None:
    async with demo_client(tmp_path, CONSOLE_DEMO_CREDITS=50) as http:  # two 5 s runs
        form = {"sample": "harbour-dawn", "once": "same-form-token"}
        first, again = await asyncio.gather(
            http.post("/demo/animate", data=form), http.post("/demo/animate", data=form)
        )
        assert RESULT.search(first.text).group(1) == RESULT.search(again.text).group(1)
        assert (await http.get("/simulator/_sim/stats")).json()["create"] == 1
        second = await http.post("/demo/animate", data={"sample": "city-night", "once": "b"})
        assert RESULT.search(second.text), "the repeat was charged as a second video"
