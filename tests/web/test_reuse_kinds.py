"""Reuse opens what fits the kind of task: a text-to-video task the form in text-to-video mode,
an image the image-to-video form with that image as its first frame, an upscale nothing.

History rows and cards offer only what makes sense for each kind; the built-in simulator runs
every task for real.
"""

import httpx
from bs4 import BeautifulSoup, Tag

from tests.helpers import poll_until

KEY = {"X-Runway-Key": "hk-reuse-kinds-key-5e5e"}


async def create(client: httpx.AsyncClient, endpoint: str, **body: object) -> dict:
    answer = await client.post("/api/tasks", json={"endpoint": endpoint, **body}, headers=KEY)
    assert answer.status_code == 201, answer.text
    return answer.json()


async def until(client: httpx.AsyncClient, task_id: str, saved: bool = True) -> dict:
    async def read() -> dict:
        return (await client.get(f"/api/tasks/{task_id}", headers=KEY)).json()

    def done(task: dict) -> bool:
        final = task["status"] in ("SUCCEEDED", "FAILED", "CANCELLED")
        return final and (task["videoSaved"] or not saved or task["status"] != "SUCCEEDED")

    return await poll_until(read, done, what="final")


async def reuse(client: httpx.AsyncClient, task_id: str) -> BeautifulSoup:
    answer = await client.get(f"/form/reuse/{task_id}", headers=KEY)
    assert answer.status_code == 200, answer.text
    return BeautifulSoup(answer.text, "html.parser")


async def history_row(client: httpx.AsyncClient, task_id: str) -> Tag:
    page = BeautifulSoup((await client.get("/history", headers=KEY)).text, "html.parser")
    row = page.select_one(f"li.history-row[data-task-id='{task_id}']")
    assert row is not None
    return row


def buttons(row: Tag) -> dict[str, str]:
    """The row's form actions: label → the URL it loads."""
    return {
        b.get_text(strip=True): b["hx-get"] for b in row.select("button[hx-get^='/form/reuse/']")
    }


def mode(form: BeautifulSoup) -> str:
    return form.select_one("input[name=endpoint][checked]")["value"]


async def test_a_text_to_video_task_reopens_in_text_to_video_mode(
    client: httpx.AsyncClient,
) -> None:
    body = {"model": "gen4.5", "promptText": "a lake", "ratio": "720:1280", "duration": 3}
    task = await create(client, "text_to_video", **body, seed=77)
    form = await reuse(client, task["id"])
    assert mode(form) == "text_to_video"
    assert form.select_one("#model option[selected]")["value"] == "gen4.5"
    assert form.select_one("#promptText").text == "a lake"
    assert form.select_one("input[name=ratio][checked]")["value"] == "720:1280"
    assert form.select_one("input[name=duration][checked]")["value"] == "3"
    assert form.select_one("#seed")["value"] == "77"
    assert form.select_one("#slot-first") is None  # no frame needed
    assert set(buttons(await history_row(client, task["id"]))) == {"Reuse", "New seed"}


async def test_an_image_becomes_the_first_frame_of_an_image_to_video_form(
    client: httpx.AsyncClient,
) -> None:
    body = {"model": "gen4_image", "promptText": "a red fox", "ratio": "1080:1920", "seed": 5}
    image = await until(client, (await create(client, "text_to_image", **body))["id"])
    row = await history_row(client, image["id"])
    assert buttons(row) == {"Use as first frame": f"/form/reuse/{image['id']}"}
    assert row.select_one("button[hx-include='#model']") is not None
    form = await reuse(client, image["id"])
    assert mode(form) == "image_to_video"
    assert form.select_one("#model option[selected]")["value"] != "gen4_image"
    assert form.select_one("input[name=first_ref]")["value"].startswith("frame:")
    assert "1080×1920" in form.select_one("#slot-first .meta").get_text()
    width, height = form.select_one("input[name=ratio][checked]")["value"].split(":")
    assert int(width) < int(height), "the video ratio nearest the image's (portrait) shape"
    assert form.select_one("#promptText").text == "a red fox"
    kept = await client.get(f"/form/reuse/{image['id']}?model=gen4_turbo", headers=KEY)
    form = BeautifulSoup(kept.text, "html.parser")  # the model the form had, with its ratio
    assert form.select_one("#model option[selected]")["value"] == "gen4_turbo"
    assert form.select_one("input[name=ratio][checked]")["value"] == "720:1280"
    card = BeautifulSoup(
        (await client.get(f"/tasks/{image['id']}", headers={**KEY, "HX-Request": "true"})).text,
        "html.parser",
    )
    assert buttons(card) == {"Use as first frame": f"/form/reuse/{image['id']}"}


async def test_an_image_task_that_gave_no_image_reopens_its_make_a_frame_panel(
    client: httpx.AsyncClient,
) -> None:
    body = {"model": "gen4_image", "promptText": "a fox [sim:moderation]", "ratio": "1080:1920"}
    image = await until(client, (await create(client, "text_to_image", **body))["id"])
    assert image["status"] == "FAILED"
    form = await reuse(client, image["id"])
    assert mode(form) == "image_to_video"
    assert form.select_one("input[name=first_ref]") is None
    panel = form.select_one("#from-text-first")
    assert panel.has_attr("open")
    assert panel.select_one("#first_ft_prompt").text == "a fox [sim:moderation]"
    assert panel.select_one("#first_ft_ratio option[selected]")["value"] == "1080:1920"
    assert not form.select_one("#from-text-last").has_attr("open")


async def test_an_upscale_offers_no_reuse(client: httpx.AsyncClient) -> None:
    body = {"model": "gen4.5", "promptText": "waves", "ratio": "1280:720", "duration": 2}
    source = await until(client, (await create(client, "text_to_video", **body))["id"])
    upscale = await client.post(f"/api/tasks/{source['id']}/upscale", headers=KEY)
    assert upscale.status_code == 201, upscale.text
    row = await history_row(client, upscale.json()["id"])
    assert buttons(row) == {}
    assert row.select_one("button.danger") is not None  # Delete stays
    answer = await client.get(f"/form/reuse/{upscale.json()['id']}", headers=KEY)
    assert answer.status_code == 404
