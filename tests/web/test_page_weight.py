"""The page's first load stays small (bench/page_weight.py, issue 28): the slots' sample buttons
show their pictures at most ~75 CSS px wide, so they get pictures sized for that (sharp on a 3×
phone), not the 320-wide previews that were over half of the images' bytes."""

import io
from urllib.parse import urljoin

import httpx
from bs4 import BeautifulSoup
from PIL import Image

WIDEST_SHOWN_PX = 75  # measured in Chromium: 49 px at 1440×900, 73 px at 390×844
DENSEST_SCREEN = 3


async def test_the_sample_buttons_pictures_are_sized_for_the_buttons(
    client: httpx.AsyncClient,
) -> None:
    page = BeautifulSoup((await client.get("/")).text, "html.parser")
    pictures = page.select(".sample-pick img")
    assert pictures
    for picture in pictures:
        assert picture.get("loading") == "lazy"
        reply = await client.get(urljoin("http://console/", picture["src"]))
        assert reply.status_code == 200
        width = Image.open(io.BytesIO(reply.content)).width
        assert WIDEST_SHOWN_PX * 2 < width <= WIDEST_SHOWN_PX * DENSEST_SCREEN
