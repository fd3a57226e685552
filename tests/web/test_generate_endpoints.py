"""text_to_video, text_to_image and video_upscale through the console, over real HTTP.

A live console (its built-in simulator as the upstream) is driven like a script would drive it:
each task reaches SUCCEEDED, its output is saved and served, history lists it, and the card's
inspector and copy-as-code name the endpoint it was made at and the body it was sent.
"""

import io
import time
from collections.abc import Iterator
from pathlib import Path

import av
import httpx
import pytest
from bs4 import BeautifulSoup
from PIL import Image

LIMIT_S = 300  # a render (an upscale to 1440p included) on a machine shared with other tests


@pytest.fixture
def http(live_console: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_console, timeout=60) as client:
        client.get("/")  # the CSRF cookie, which the page's own requests echo
        client.headers["X-CSRF-Token"] = client.cookies["rc_csrf"]
        yield client


def saved(http: httpx.Client, task_id: str) -> dict:
    """Read the task until its output is saved (or it failed, which fails the test)."""
    deadline = time.monotonic() + LIMIT_S
    while True:
        task = http.get(f"/api/tasks/{task_id}").json()
        assert task["status"] not in ("FAILED", "CANCELLED"), task
        if task["videoSaved"]:
            return task
        assert time.monotonic() < deadline, f"never saved: {task}"
        time.sleep(0.2)


def create(http: httpx.Client, endpoint: str, **body: object) -> dict:
    answer = http.post("/api/tasks", json={"endpoint": endpoint, **body})
    assert answer.status_code == 201, answer.text
    assert answer.json()["endpoint"] == endpoint
    return answer.json()


def video_size(data: bytes) -> tuple[int, int]:
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        return stream.width, stream.height


def card(http: httpx.Client, task_id: str) -> BeautifulSoup:
    answer = http.get(f"/tasks/{task_id}", headers={"HX-Request": "true"})
    assert answer.status_code == 200
    return BeautifulSoup(answer.text, "html.parser")


def create_call(page: BeautifulSoup) -> str:
    """The inspector's first exchange: the create, as `POST <url>`."""
    return page.select(".inspector .exchange summary code")[0].get_text()


def history_ids(http: httpx.Client) -> list[str]:
    page = BeautifulSoup(http.get("/history").text, "html.parser")
    return [row["data-task-id"] for row in page.select("li.history-row")]


def test_text_to_video_runs_saves_and_shows_its_endpoint(http: httpx.Client) -> None:
    body = {"model": "gen4.5", "promptText": "a lake at dawn", "ratio": "720:1280", "duration": 2}
    task = saved(http, create(http, "text_to_video", **body)["id"])
    assert task["status"] == "SUCCEEDED" and task["duration"] == 2
    video = http.get(task["videoUrl"])
    assert video.headers["content-type"] == "video/mp4"
    assert video_size(video.content) == (720, 1280)
    assert task["id"] in history_ids(http)
    page = card(http, task["id"])
    assert create_call(page).endswith("/simulator/v1/text_to_video")
    assert page.select_one("video.player") is not None
    code = http.get(f"/tasks/{task['id']}/code/curl").text
    assert "/simulator/v1/text_to_video" in code and '"promptText": "a lake at dawn"' in code
    assert "promptImage" not in code
    sdk = http.get(f"/tasks/{task['id']}/code/sdk").text
    assert "client.text_to_video.create(" in sdk and "prompt_text='a lake at dawn'" in sdk


def test_text_to_image_saves_a_png_of_the_ratio(http: httpx.Client) -> None:
    body = {"model": "gen4_image", "promptText": "a red fox", "ratio": "1360:768", "seed": 7}
    task = saved(http, create(http, "text_to_image", **body)["id"])
    assert (
        task["videoUrl"].split("?")[0] == f"{str(http.base_url).rstrip('/')}/media/{task['id']}.png"
    )
    image = http.get(task["videoUrl"])
    assert image.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(image.content)).size == (1360, 768)
    assert task["id"] in history_ids(http)
    history = BeautifulSoup(http.get("/history").text, "html.parser")
    row = history.select_one(f"li.history-row[data-task-id='{task['id']}']")
    thumb = row.select_one("img.history-thumb")["src"]
    assert thumb.startswith("/media/") and task["videoUrl"].endswith(thumb)  # its own picture
    assert "Text to image · gen4_image · 1360:768 ·" in row.get_text(" ", strip=True)
    assert " 0 s" not in row.get_text(" ", strip=True)
    page = card(http, task["id"])
    assert create_call(page).endswith("/simulator/v1/text_to_image")
    assert page.select_one("img.output-image") is not None and not page.select("video")
    code = http.get(f"/tasks/{task['id']}/code/python").text
    assert "/simulator/v1/text_to_image" in code and "'ratio': '1360:768'" in code


def test_an_upscale_of_a_video_task_is_larger_and_names_its_source(http: httpx.Client) -> None:
    body = {"model": "gen4.5", "promptText": "waves", "ratio": "1280:720", "duration": 2}
    source = saved(http, create(http, "text_to_video", **body)["id"])
    answer = http.post(f"/api/tasks/{source['id']}/upscale")
    assert answer.status_code == 201, answer.text
    task = saved(http, answer.json()["id"])
    assert (
        task["endpoint"] == "video_upscale" and task["model"] == "magnific_video_upscaler_creative"
    )
    assert video_size(http.get(task["videoUrl"]).content) == (2560, 1440)
    page = card(http, task["id"])
    assert create_call(page).endswith("/simulator/v1/video_upscale")
    code = http.get(f"/tasks/{task['id']}/code/curl").text
    assert f"/outputs/{source['id']}.mp4" in code  # the source video's URL, as it was sent
    assert task["id"] in history_ids(http)


def test_only_a_succeeded_video_can_be_upscaled(http: httpx.Client) -> None:
    body = {"model": "gen4_image", "promptText": "a red fox", "ratio": "1024:1024"}
    image = saved(http, create(http, "text_to_image", **body)["id"])
    answer = http.post(f"/api/tasks/{image['id']}/upscale")
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "videoUri"
    assert http.post("/api/tasks/no-such-task/upscale").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"endpoint": "text_to_sound", "model": "gen4.5"}, "endpoint"),
        ({"endpoint": "text_to_video", "model": "gen3a_turbo", "promptText": "x"}, "model"),
        ({"endpoint": "text_to_video", "model": "gen4.5", "ratio": "1280:720"}, "promptText"),
        ({"endpoint": "text_to_image", "model": "gen4_image", "promptText": "x"}, "ratio"),
        (
            {"endpoint": "text_to_image", "model": "gen4_image_turbo", "promptText": "x"},
            "referenceImages",
        ),
        ({"endpoint": "video_upscale", "model": "magnific_video_upscaler_creative"}, "videoUri"),
    ],
)
def test_bad_bodies_are_refused_by_field_before_anything_is_sent(
    http: httpx.Client, body: dict, field: str
) -> None:
    answer = http.post("/api/tasks", json=body)
    assert answer.status_code == 422, answer.text
    assert field in [error["field"] for error in answer.json()["errors"]]
    assert http.get("/api/tasks").json()["tasks"] == []


def test_a_frame_from_text_is_refused_in_its_slot_before_anything_is_sent(
    http: httpx.Client,
) -> None:
    """An empty prompt is named in the slot's own disclosure (the refusal helper's words);
    nothing reaches the upstream and history stays empty."""
    form = {"first_ft_prompt": "", "first_ft_model": "gen4_image", "first_ft_ratio": "1280:720"}
    answer = http.post("/frames/from-text/first", data=form, headers={"HX-Request": "true"})
    assert answer.status_code == 200, answer.text
    page = BeautifulSoup(answer.text, "html.parser")
    assert page.select_one("#slot-first details.from-text[open]") is not None
    assert "gen4_image needs a prompt" in page.select_one("#from-text-error-first").get_text()
    assert http.get("/api/tasks").json()["tasks"] == []


def test_a_frame_whose_saved_image_is_gone_leaves_the_slot_waiting(
    http: httpx.Client, tmp_path: Path
) -> None:
    """The image task ended and its copy was saved, then the copy went (its task deleted in
    another tab, a store cleaned by hand): the slot's poll answers, it does not fail."""
    made = create(http, "text_to_image", model="gen4_image", promptText="a gull", ratio="720:720")
    saved(http, made["id"])
    (tmp_path / "console" / "images" / f"{made['id']}.png").unlink()
    answer = http.get(f"/frames/from-text/first/{made['id']}", headers={"HX-Request": "true"})
    assert answer.status_code == 200, answer.text
    assert BeautifulSoup(answer.text, "html.parser").select_one("#slot-first")


def test_a_frame_from_text_becomes_a_stored_frame_of_the_slot(http: httpx.Client) -> None:
    form = {
        "last_ft_prompt": "a red fox",
        "last_ft_model": "gen4_image",
        "last_ft_ratio": "720:720",
    }
    answer = http.post("/frames/from-text/last", data=form, headers={"HX-Request": "true"})
    assert answer.status_code == 200, answer.text
    poll = BeautifulSoup(answer.text, "html.parser").select_one("#slot-last.making")["hx-get"]
    deadline = time.monotonic() + LIMIT_S
    while (slot := BeautifulSoup(http.get(poll).text, "html.parser")).select_one(".making"):
        assert time.monotonic() < deadline, "the frame never came"
        time.sleep(0.2)
    ref = slot.select_one("input[name=last_ref]")["value"]
    assert ref.startswith("frame:") and "720×720" in slot.select_one(".meta").get_text()
    thumb = http.get(slot.select_one("img.thumb")["src"])
    assert thumb.headers["content-type"] == "image/jpeg"
    [task] = http.get("/api/tasks").json()["tasks"]
    assert task["endpoint"] == "text_to_image" and task["promptText"] == "a red fox"
