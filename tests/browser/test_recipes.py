"""Recipes as a person uses them: a product ad made from the console's page plays, an image
recipe shows its picture, and the demo's one-click product ad plays by itself (screenshots:
desktop, phone, Chinese, into test-artifacts/)."""

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page
from runwayml import RunwayML

from tests.browser.conftest import start_console
from tests.browser.kit import ARTIFACTS, Watched, axe_violations, wait_for_video
from tests.browser.test_demo import internal_text, video_plays_by_itself

SIZES = {"desktop": (1440, 900), "phone": (390, 844)}


def _product_upload(console_url: str) -> str:
    """A product photo (a red bottle on grey) as an ephemeral upload through the gateway,
    as an app would make one with the official SDK."""
    picture = Image.new("RGB", (640, 640), (210, 210, 214))
    picture.paste((190, 30, 40), (270, 140, 370, 520))
    data = io.BytesIO()
    picture.save(data, "PNG")
    with RunwayML(base_url=console_url, api_key="key_" + "0" * 60, max_retries=0) as sdk:
        return sdk.uploads.create_ephemeral(file=("bottle.png", data.getvalue())).uri


def _make(page: Page, endpoint: str) -> None:
    page.check(f"input[name=endpoint][value='{endpoint}']")
    page.wait_for_selector(f"#gen-form input[name=endpoint][value='{endpoint}']:checked")


def test_a_product_ad_made_from_the_page_plays(watched: Watched, console_url: str) -> None:
    page = watched.page
    page.goto(console_url)
    product = _product_upload(console_url)
    _make(page, "recipes/product_ad")
    page.wait_for_selector("input[name='s.productImages.0.uri']")
    assert page.locator("select[name='s.version']").count() == 1
    page.fill("input[name='s.productImages.0.uri']", product)
    page.click("details.schema-advanced summary")
    page.fill("input[name='s.userConcept']", "sunlit kitchen counter, slow push-in")
    page.check("input[name=ratio][value='960:960']")
    page.check("input[name=duration][value='4']")
    page.click("#generate")
    page.wait_for_selector("#task-card .badge[data-status=SUCCEEDED]", timeout=60_000)
    wait_for_video(page, "readyState", 2)
    page.wait_for_selector("#history .history-row:has-text('Product ad')")
    assert watched.errors == [], watched.errors


def test_an_image_recipe_shows_its_picture(watched: Watched, console_url: str) -> None:
    page = watched.page
    page.goto(console_url)
    _make(page, "recipes/marketing_stock_image")
    page.wait_for_selector("input[name='s.prompt']")
    page.fill("input[name='s.prompt']", "a desk by a window in the morning")
    page.click("#generate")
    page.wait_for_selector("#task-card .badge[data-status=SUCCEEDED]", timeout=60_000)
    image = page.locator("#task-card img.output-image")
    for _ in range(300):  # the console's copy replaces the blank picture
        if image.evaluate("img => img.complete && img.naturalWidth") == 1024:
            break
        page.wait_for_timeout(100)
    assert image.evaluate("img => img.naturalWidth") == 1024
    assert watched.errors == [], watched.errors


@pytest.mark.parametrize("shot", ["desktop", "phone", "zh"])
def test_the_recipe_form_and_its_card(browser: Browser, console_url: str, shot: str) -> None:
    """The product ad's form, then its card once made: looked at on each screen."""
    width, height = SIZES["phone" if shot == "phone" else "desktop"]
    locale = "zh-CN" if shot == "zh" else "en-US"
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
    page = context.new_page()
    page.goto(console_url)
    if shot == "zh":
        page.goto(f"{console_url}/lang/zh-CN")
    product = _product_upload(console_url)
    _make(page, "recipes/product_ad")
    page.fill("input[name='s.productImages.0.uri']", product)
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#gen-form").screenshot(path=str(ARTIFACTS / f"recipe-form-{shot}.png"))
    page.click("#generate")
    page.wait_for_selector("#task-card .badge[data-status=SUCCEEDED]", timeout=60_000)
    wait_for_video(page, "readyState", 2)
    page.screenshot(path=str(ARTIFACTS / f"recipe-card-{shot}.png"))
    assert axe_violations(page) == []
    context.close()


@pytest.fixture
def demo_url(tmp_path: Path) -> Iterator[str]:
    yield from start_console(tmp_path)


@pytest.mark.parametrize("shot", ["desktop", "phone", "zh"])
def test_the_demo_makes_a_product_ad_in_one_click(
    browser: Browser, demo_url: str, shot: str
) -> None:
    width, height = SIZES["phone" if shot == "phone" else "desktop"]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{demo_url}/demo")
    if shot == "zh":
        page.goto(f"{demo_url}/lang/zh-CN")
        page.goto(f"{demo_url}/demo")
    page.click(".sample >> nth=2")
    page.click("#product-ad")
    page.wait_for_selector("#stage[data-phase=ready]", timeout=60_000)
    video_plays_by_itself(page)
    page.wait_for_selector(".strip-item .strip-text")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"demo-product-ad-{shot}.png"))
    assert internal_text(page) == []
    assert axe_violations(page) == []
    context.close()
