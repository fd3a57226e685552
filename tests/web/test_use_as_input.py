""" "Use as input" moves an output into every mode that needs its kind, read off the schemas:
on cards and history rows; an image into image upscale, Act-Two's character or, as its first
frame, image to video;
a video into video-to-video, Act-Two, HDR or the upscale; a union of audio or video
(speech_to_speech's `media`) takes a video."""

from datetime import UTC, datetime

import httpx
from bs4 import BeautifulSoup

from app.storage.task_record import TaskRecord
from app.web.handoff import MARGIN_S, OUTPUT_LIFETIME_S, may_have_expired, url_expiry
from app.web.schema_form import schema_fields, union_tag
from tests.helpers import wait_final, wait_saved

UPSCALER = "magnific_precision_upscaler_v2"


async def _made(client: httpx.AsyncClient, body: dict) -> dict:
    answer = await client.post("/api/tasks", json=body)
    assert answer.status_code == 201, answer.text
    task = await wait_saved(client, answer.json()["id"])
    assert task["status"] == "SUCCEEDED", task
    return task


def _row_modes(history: str, task_id: str) -> dict[str, str]:
    row = BeautifulSoup(history, "html.parser").select_one(f"li[data-task-id='{task_id}']")
    menu = row.select_one("details.use-as-input")
    assert menu is not None, row
    return {
        b.get_text(strip=True): b.get("hx-get") or b.get("hx-post") for b in menu.select("button")
    }


async def test_a_video_s_history_row_offers_every_mode_that_takes_a_video(
    client: httpx.AsyncClient,
) -> None:
    body = {"model": "gen4.5", "promptText": "dunes", "ratio": "1280:720", "duration": 2}
    task = await _made(client, {"endpoint": "text_to_video", **body})
    modes = _row_modes((await client.get("/history")).text, task["id"])
    # The audio modes that take a video (its sound track) are offered too.
    video_modes = {"Video to video", "Act-Two", "Video to HDR", "Upscale"}
    audio_modes = {"Speech to speech", "Video to audio"}
    assert set(modes) == video_modes | audio_modes | {"Product swap"}  # its reference video
    assert modes["Upscale"] == f"/tasks/{task['id']}/upscale"


async def test_an_upscaled_image_goes_in_as_a_first_frame_or_to_be_upscaled_again(
    client: httpx.AsyncClient,
) -> None:
    image = await _made(
        client,
        {
            "endpoint": "text_to_image",
            "model": "gen4_image",
            "promptText": "a lake",
            "ratio": "1920:1080",
        },
    )
    # The image's own upstream URL, as "Use as input" puts it in the form.
    source = image["output"][0].removeprefix("http://console")
    body = {"endpoint": "image_upscale", "model": UPSCALER, "imageUri": source}
    upscaled = await _made(client, body)
    modes = _row_modes((await client.get("/history")).text, upscaled["id"])
    # Act-Two's character may be an image too, and the recipes that need an image take it.
    recipes = {
        "Product ad",
        "Product UGC video",
        "Product swap",
        "Ad localization",
        "Product campaign image",
    }
    assert set(modes) == {"Image to video", "Image upscale", "Act-Two"} | recipes
    # The text-to-image task keeps its own "Use as first frame" button instead.
    made_from_text = _row_modes((await client.get("/history")).text, image["id"])
    assert set(made_from_text) == {"Image upscale", "Act-Two"} | recipes
    answer = await client.get(modes["Image to video"])
    form = BeautifulSoup(answer.text, "html.parser")
    assert form.select_one("input[name=endpoint][value=image_to_video]").has_attr("checked")
    ref = form.select_one("input[name=first_ref]")
    assert ref is not None and ref["value"].startswith("frame:")
    thumb = form.select_one("#slot-first img.thumb")["src"]
    assert (await client.get(thumb)).status_code == 200  # the frame is the caller's now


async def test_a_union_of_audio_or_video_takes_a_video() -> None:
    model = "eleven_multilingual_sts_v2"
    (media,) = [f for f in schema_fields("speech_to_speech", model) if f.path == "media.uri"]
    assert media.kinds == ("audio", "video") and media.essential
    tag = union_tag("speech_to_speech", model, media, "video")
    assert tag is not None and tag.path == "media.type"


async def _clip(client: httpx.AsyncClient, output_ttl_s: float, saved: bool) -> dict:
    """A video whose simulator link lasts `output_ttl_s` (60: within app/web/handoff.py's
    margin, so "may have expired", yet readable for the console's copy; -1: gone at once)."""
    faults = await client.post("/simulator/_sim/faults", json={"output_ttl_s": output_ttl_s})
    assert faults.status_code == 200
    body = {"endpoint": "text_to_video", "model": "gen4.5", "promptText": "dunes"}
    made = await client.post("/api/tasks", json={**body, "ratio": "1280:720", "duration": 2})
    task = await (wait_saved if saved else wait_final)(client, made.json()["id"])
    assert task["status"] == "SUCCEEDED", task
    return task


async def test_an_output_whose_link_may_have_expired_goes_in_as_its_saved_copy(
    client: httpx.AsyncClient,
) -> None:
    task = await _clip(client, 60, saved=True)
    modes = _row_modes((await client.get("/history")).text, task["id"])
    form = BeautifulSoup((await client.get(modes["Video to video"])).text, "html.parser")
    uri = form.select_one("input[name='s.videoUri']")["value"]
    assert uri.startswith("runway://"), uri
    assert form.select_one(".schema-fields .error-text") is None


async def test_an_expired_output_with_no_saved_copy_is_not_offered_as_input(
    client: httpx.AsyncClient,
) -> None:
    task = await _clip(client, -1, saved=False)
    row = BeautifulSoup((await client.get("/history")).text, "html.parser").select_one(
        f"li[data-task-id='{task['id']}']"
    )
    modes = [b.get("hx-get") for b in row.select("details.use-as-input button[hx-get]")]
    assert modes == []
    answer = await client.get(f"/form/use/{task['id']}", params={"endpoint": "video_to_video"})
    assert answer.status_code == 404


def test_a_link_s_expiry_is_read_off_the_link_or_else_its_task_s_age() -> None:
    assert url_expiry("https://x.test/o.mp4?exp=1800000000&sig=ab") == 1800000000
    assert url_expiry("https://x.test/o.mp4?Expires=1800000000&Signature=ab") == 1800000000
    s3 = "https://x.test/o.mp4?X-Amz-Date=20261207T120000Z&X-Amz-Expires=3600"
    assert url_expiry(s3) == datetime(2026, 12, 7, 13, tzinfo=UTC).timestamp()
    assert url_expiry("https://x.test/o.mp4?_jwt=abc") is None
    task = TaskRecord(
        id="t1", owner="o", base_url="", key_mask="", model="gen4.5", prompt_text="",
        ratio="1280:720", duration=2, seed=None, request={}, status="SUCCEEDED",
        output=["https://x.test/o.mp4?_jwt=abc"], finished_at=1_000_000.0,
    )  # fmt: skip
    assert not may_have_expired(task, now=1_000_000.0 + OUTPUT_LIFETIME_S - MARGIN_S - 1)
    assert may_have_expired(task, now=1_000_000.0 + OUTPUT_LIFETIME_S - MARGIN_S)
