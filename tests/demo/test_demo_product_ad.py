"""The demo's second one-click: "Make a product ad" turns the picture into a product ad (the
product_ad recipe, the picture as its product photo), under the same caps as Animate."""

from pathlib import Path

import httpx
from bs4 import BeautifulSoup
from fastapi import FastAPI
from sqlalchemy import select, union_all

from app.catalog.credits import estimate_credits
from app.demo.service import PRODUCT_AD
from app.storage.schema import demo_pools_table, demo_sessions_table
from app.web.deps import services
from tests.demo.test_demo import INTERNAL, animate, demo, demo_client, until_settled  # noqa: F401
from tests.demo.test_demo_caps import SESSION_SPENT, creates
from tests.helpers import image_bytes
from tests.relay_stub import RelayStub, relay  # noqa: F401


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


async def spent(app: FastAPI) -> int:
    """Every credit the demo's caps hold today: its sessions' and its shared pools'."""
    tables = (demo_sessions_table, demo_pools_table)
    query = union_all(*(select(table.c.spent_credits) for table in tables))
    rows = await services(app).database.run(lambda conn: conn.execute(query).all())
    return sum(row[0] for row in rows)


async def test_an_upstream_without_uploads_refuses_the_ad_and_keeps_no_credits(
    tmp_path: Path,
    relay: RelayStub,  # noqa: F811
) -> None:
    """On a relay without `/uploads` the product photo can't go up: each press is refused on
    the page in the customer's language, and what the caps counted for it is given back, so
    pressing again and again drains no one's allowance (the relay answers 404 to uploads)."""
    settings = {
        "RUNWAYML_API_SECRET": "key_" + "a" * 40,
        "RUNWAYML_BASE_URL": relay.base_url,
        "CONSOLE_ALLOW_PRIVATE_UPSTREAMS": True,
        "CONSOLE_DEMO_CREDITS": 200,
        "CONSOLE_ALLOW_ANONYMOUS": True,
    }
    async with demo_client(tmp_path, **settings) as http:
        app = http._transport.app  # type: ignore[attr-defined]
        for language in ("en", "en", "en", "zh-CN"):
            refused = await http.post(
                "/demo/animate",
                data={"sample": "harbour-dawn", "make": "product_ad"},
                headers={"Accept-Language": language},
            )
            assert refused.status_code == 200
            notice = BeautifulSoup(refused.text, "html.parser").get_text(" ", strip=True)
            words = "改用" if language == "zh-CN" else "Try Animate instead"
            assert words in notice and SESSION_SPENT not in notice
            assert await spent(app) == 0
        assert not [seen for seen in relay.seen if seen.path.endswith("/product_ad")]
        await animate(http)  # the allowance is whole: the video still starts
