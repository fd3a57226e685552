"""The demo's second one-click: "Make a product ad" turns the picture into a product ad (the
product_ad recipe, the picture as its product photo), under the same caps as Animate."""

from pathlib import Path

import httpx
from bs4 import BeautifulSoup

from app.catalog.credits import estimate_credits
from app.demo.service import PRODUCT_AD
from app.web.deps import services
from tests.demo.test_demo import INTERNAL, animate, demo, demo_client, until_settled  # noqa: F401
from tests.demo.test_demo_caps import SESSION_SPENT, creates
from tests.helpers import image_bytes


async def test_a_sample_becomes_a_product_ad_in_one_click(demo: httpx.AsyncClient) -> None:  # noqa: F811
    key = await animate(demo, make="product_ad")
    stage = await until_settled(demo, key)
    assert stage.select_one("#stage")["data-phase"] == "ready"
    video = stage.select_one("#stage video")
    assert video["src"].startswith("/media/")
    assert (await demo.get(video["src"])).headers["content-type"] == "video/mp4"
    text = stage.get_text(" ", strip=True).lower()
    assert not [word for word in INTERNAL if word in text]
    strip = BeautifulSoup((await demo.get("/demo/strip")).text, "html.parser")
    assert strip.select_one(".strip-item .strip-text").text == "Product ad"


async def test_the_customers_own_photo_is_the_product(demo: httpx.AsyncClient) -> None:  # noqa: F811
    """A portrait photo makes a portrait ad; the photo goes upstream as an upload."""
    upload = await demo.post("/demo/frame", files={"file": ("p.png", image_bytes((768, 1280)))})
    frame = upload.json()["frame"]
    key = await animate(
        demo, sample="", frame=frame, prompt="a bottle on marble", make="product_ad"
    )
    stage = await until_settled(demo, key)
    assert stage.select_one(".prompt-line").text == "a bottle on marble"
    app = demo._transport.app  # type: ignore[attr-defined]
    record = await services(app).running.demo.storage.get_any(key)
    assert record.endpoint == PRODUCT_AD and record.model == "2026-07"  # the newest dated one
    assert record.ratio == "720:1280" and record.duration == 5
    assert record.request["productImages"][0]["uri"].startswith("runway://")
    assert frame not in str(record.request)


async def test_a_product_ad_counts_against_the_sessions_allowance(tmp_path: Path) -> None:
    """An allowance that pays for a 5 s Animate but not for a product ad refuses the ad on the
    page, before anything is sent upstream; Animate still runs."""
    ad = estimate_credits({"version": "2026-07", "duration": 5}, PRODUCT_AD)
    video = estimate_credits({"model": "gen3a_turbo", "duration": 5})
    assert video < ad
    async with demo_client(tmp_path, CONSOLE_DEMO_CREDITS=ad - 1) as http:
        app = http._transport.app  # type: ignore[attr-defined]
        before = await creates(app)
        refused = await http.post(
            "/demo/animate", data={"sample": "harbour-dawn", "make": "product_ad"}
        )
        assert SESSION_SPENT in BeautifulSoup(refused.text, "html.parser").get_text()
        assert await creates(app) == before
        await animate(http)  # the cheaper video still fits
