"""Frames too big for a data URI: uploaded (`runway://`) where the upstream takes uploads, shrunk
for relays.

Real processes: `runway-console serve` (its built-in simulator speaks the official API and takes
uploads) and the standalone simulator on loopback, which the console calls as a relay.
"""

import io
import random
import time

import httpx
import pytest
from bs4 import BeautifulSoup
from PIL import Image

from app.catalog.validation import DATA_URI_MAX_CHARS
from app.frames.images import prepare_image
from app.frames.uploads import upload
from app.runway.client import RunwayClient
from app.runway.endpoints import resolve_upstream
from app.runway.exchange import UpstreamError
from tests.helpers import data_uri, image_bytes

KEY = {"X-Runway-Key": "hk-frame-uploads-key-1f1f"}


def big_png() -> bytes:
    """A noisy 1700×1000 PNG (about 5 MB): its data URI is over the 5 MiB limit."""
    rng = random.Random(7)
    image = Image.frombytes("RGB", (1700, 1000), rng.randbytes(1700 * 1000 * 3))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


BIG = big_png()


def test_a_frame_shrunk_only_for_the_data_uri_keeps_what_came() -> None:
    assert len(data_uri(BIG)) > DATA_URI_MAX_CHARS
    prepared = prepare_image(BIG)
    assert prepared.media_type == "image/jpeg" and prepared.full == BIG
    assert prepare_image(image_bytes()).full is None  # it fits: nothing else to keep


def body(base_url: str) -> dict:
    return {
        "model": "gen4_turbo",
        "promptImage": data_uri(BIG),
        "promptText": "noise",
        "ratio": "1280:720",
        "duration": 5,
        "baseUrl": base_url,
    }


def inspector(console: str, task_id: str) -> tuple[list[str], list[str]]:
    """The calls the card's inspector lists, and the request bodies it shows."""
    page = httpx.get(f"{console}/tasks/{task_id}", headers={**KEY, "HX-Request": "true"})
    soup = BeautifulSoup(page.text, "html.parser")
    calls = [code.get_text() for code in soup.select(".exchange summary code")]
    return calls, [pre.get_text() for pre in soup.select(".request-body")]


def finish(console: str, task_id: str) -> dict:
    for _ in range(600):
        task = httpx.get(f"{console}/api/tasks/{task_id}", headers=KEY).json()
        if task["status"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return task
        time.sleep(0.1)
    raise AssertionError(f"never final: {task}")


def test_the_built_in_simulator_gets_an_upload_and_a_relay_a_shrunk_frame(
    live_console: str, live_simulator: str
) -> None:
    made = httpx.post(f"{live_console}/api/tasks", json=body("simulator"), headers=KEY, timeout=60)
    assert made.status_code == 201, made.text
    assert finish(live_console, made.json()["id"])["status"] == "SUCCEEDED"
    calls, bodies = inspector(live_console, made.json()["id"])
    assert calls[0].startswith("POST") and calls[0].endswith("/v1/uploads")
    assert calls[1].startswith("POST") and "/uploads/" in calls[1]
    assert '"runway://uploads/' in bodies[-1] and "data:image" not in bodies[-1]

    relayed = httpx.post(
        f"{live_console}/api/tasks", json=body(live_simulator), headers=KEY, timeout=60
    )
    assert relayed.status_code == 201, relayed.text
    assert finish(live_console, relayed.json()["id"])["status"] == "SUCCEEDED"
    calls, bodies = inspector(live_console, relayed.json()["id"])
    assert not any("uploads" in call for call in calls)
    assert '"data:image/jpeg;base64,' in bodies[0] and "runway://" not in bodies[0]


@pytest.mark.parametrize(
    "upload_url", ["https://10.0.0.5/bucket", "https://127.0.0.1/bucket", "http://x.test/b"]
)
async def test_an_upload_url_off_the_upstream_must_be_public_https(upload_url: str) -> None:
    """The official upstream names where the file goes; a private or plain-http address is
    refused by the guard before any connection (the transport here stands for the network)."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        fields = {"key": "k"}
        return httpx.Response(
            200, json={"runwayUri": "runway://u/1", "uploadUrl": upload_url, "fields": fields}
        )

    transport = httpx.MockTransport(answer)
    client = RunwayClient(transport, transport)
    official = resolve_upstream("https://api.dev.runwayml.com")
    try:
        with pytest.raises(UpstreamError, match="refused"):
            await upload(client, official, "key_x", ("f.png", BIG, "image/png"))
    finally:
        await client.aclose()
    assert [request.url.path for request in seen] == ["/v1/uploads"]
