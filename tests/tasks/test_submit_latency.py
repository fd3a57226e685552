"""The inspector's "Submit latency" times the create, not the upload that may come before it.

A frame too big for a data URI goes to the built-in simulator as an ephemeral upload (two calls)
before the create; the latency of each is shown on its own line, and the card's timings name the
create's.
"""

import io
import random
import re

import httpx
from bs4 import BeautifulSoup
from PIL import Image

from tests.helpers import data_uri, image_bytes

KEY = {"X-Runway-Key": "hk-submit-latency-key-3a3a"}


def noisy_png() -> bytes:
    """A noisy 1700×1000 PNG (about 5 MB): its data URI is over the 5 MiB limit."""
    rng = random.Random(11)
    image = Image.frombytes("RGB", (1700, 1000), rng.randbytes(1700 * 1000 * 3))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


async def card(client: httpx.AsyncClient, frame: bytes) -> BeautifulSoup:
    body = {
        "model": "gen4_turbo",
        "promptImage": data_uri(frame),
        "promptText": "timed",
        "ratio": "1280:720",
        "duration": 5,
    }
    made = await client.post("/api/tasks", json=body, headers=KEY)
    assert made.status_code == 201, made.text
    page = await client.get(f"/tasks/{made.json()['id']}", headers={**KEY, "HX-Request": "true"})
    return BeautifulSoup(page.text, "html.parser")


def calls(page: BeautifulSoup) -> list[tuple[str, int]]:
    """Each exchange the inspector lists: its `METHOD url` and its milliseconds."""
    found = []
    for summary in page.select(".inspector .exchange summary"):
        ms = re.search(r"· (\d+) ms", summary.get_text(" ", strip=True))
        assert ms is not None
        found.append((summary.select_one("code").get_text(), int(ms.group(1))))
    return found


def timing(page: BeautifulSoup, label: str) -> str | None:
    for term in page.select(".inspector dl.timings dt"):
        if term.get_text(strip=True) == label:
            return term.find_next_sibling("dd").get_text(" ", strip=True)
    return None


async def test_an_uploaded_frame_leaves_the_submit_latency_to_the_create(
    client: httpx.AsyncClient,
) -> None:
    # The simulator's next POST (the upload slot; its faults are the create's) takes 400 ms.
    slow_slot = {"target": "create", "kind": "latency", "latency_ms": 400}
    await client.post("/simulator/_sim/faults", json={"rules": [slow_slot]})
    page = await card(client, noisy_png())
    made = calls(page)
    uploads = [ms for call, ms in made if "/uploads" in call]
    [create] = [ms for call, ms in made if call.endswith("/v1/image_to_video")]
    assert len(uploads) == 2 and uploads[0] >= 400 > create, made
    assert timing(page, "Submit latency") == f"{create} ms"
    upload = timing(page, "Upload")
    assert upload is not None
    shown = int(re.match(r"(\d+) ms", upload).group(1))
    assert abs(shown - sum(uploads)) <= 2 and "2 calls" in upload
    facts = page.select_one(".task-card > dl.facts").get_text(" ", strip=True)
    assert f"submitted {create} ms" in facts
    task_id = page.select_one(".task-card")["data-task-id"]
    shared = await client.get(f"/api/tasks/{task_id}/share.html", headers=KEY)
    assert f"submitted {create} ms" in BeautifulSoup(shared.text, "html.parser").get_text(" ")


async def test_a_frame_sent_inline_has_no_upload_line(client: httpx.AsyncClient) -> None:
    page = await card(client, image_bytes())
    [(call, create), *_reads] = calls(page)
    assert call.endswith("/v1/image_to_video")
    assert timing(page, "Submit latency") == f"{create} ms"
    assert timing(page, "Upload") is None
