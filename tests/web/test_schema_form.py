"""The page's "Make" offers the schema-driven endpoints with fields read off the SDK's schema:
a media URI, literals as choices, numbers with their range, nested options under Advanced;
the form's values go into a body of the schema's types, and errors name the schema's field."""

import asyncio
import time

import httpx
from bs4 import BeautifulSoup

from app.web.schema_form import body_values, schema_fields

VIDEO = "https://example.com/in.mp4"


def test_act_two_s_fields_come_from_its_schema() -> None:
    fields = {f.path: f for f in schema_fields("character_performance", "act_two")}
    assert fields["character.type"].choices == ("image", "video")
    assert fields["character.uri"].kind == "media" and not fields["character.uri"].advanced
    assert fields["reference.uri"].required
    intensity = fields["expressionIntensity"]
    assert (intensity.kind, intensity.minimum, intensity.maximum) == ("integer", 1, 5)
    assert fields["contentModeration.publicFigureThreshold"].advanced
    assert "ratio" not in fields and "seed" not in fields  # the form's own controls


def test_values_become_a_body_of_the_schema_s_types() -> None:
    values = {
        "videoUri": VIDEO,
        "keyframes.0.uri": "https://example.com/k.png",
        "keyframes.0.at": "0.5",
        "keyframes.1.uri": "",
        "contentModeration.publicFigureThreshold": "low",
        "targetAspectRatio": "",
    }
    assert body_values("video_to_video", "aleph2", values) == {
        "videoUri": VIDEO,
        "keyframes": [{"uri": "https://example.com/k.png", "at": 0.5}],
        "contentModeration": {"publicFigureThreshold": "low"},
    }
    upscale = body_values(
        "image_upscale", "magnific_precision_upscaler_v2", {"scaleFactor": "4", "imageUri": "x"}
    )
    assert upscale == {"scaleFactor": 4, "imageUri": "x"}
    act_two = {"character.type": "image", "character.uri": "c", "reference.uri": "r"}
    assert body_values("character_performance", "act_two", act_two) == {
        "character": {"type": "image", "uri": "c"},
        "reference": {"uri": "r", "type": "video"},  # its one literal, added, never asked
    }


async def test_the_form_offers_the_new_modes_and_their_fields(client: httpx.AsyncClient) -> None:
    page = BeautifulSoup((await client.get("/")).text, "html.parser")
    modes = {i["value"] for i in page.select("input[name=endpoint]")}
    assert {"video_to_video", "character_performance", "video_to_hdr", "image_upscale"} <= modes
    form = await client.get("/form/mode", params={"endpoint": "character_performance"})
    assert form.status_code == 200
    html = BeautifulSoup(form.text, "html.parser")
    assert html.select_one("select[name='s.character.type']") is not None
    intensity = html.select_one("input[name='s.expressionIntensity']")
    assert (intensity["min"], intensity["max"]) == ("1", "5")
    advanced = html.select_one("details.schema-advanced")
    assert advanced.select_one("[name='s.contentModeration.publicFigureThreshold']") is not None
    assert html.select_one("#promptText") is None  # Act-Two takes no prompt


async def test_a_video_to_video_task_from_the_form(client: httpx.AsyncClient) -> None:
    form = {
        "endpoint": "video_to_video",
        "model": "aleph2",
        "s.videoUri": VIDEO,
        "promptText": "in winter",
        "s.keyframes.0.at": "2",
        "s.keyframes.0.uri": "https://example.com/k.png",
        "runs": "1",
        "form_token": "tok-v2v-1",
    }
    refused = await client.post("/tasks", data=form)
    assert "keyframes" in refused.text and (await client.get("/api/tasks")).json()["tasks"] == []
    made = await client.post("/tasks", data={**form, "s.keyframes.0.at": "0.5"})
    assert made.status_code == 200, made.text
    [task] = (await client.get("/api/tasks")).json()["tasks"]
    assert (task["endpoint"], task["model"]) == ("video_to_video", "aleph2")
    reuse = await client.get(f"/form/reuse/{task['id']}")
    filled = BeautifulSoup(reuse.text, "html.parser")
    assert filled.select_one("input[name='s.videoUri']")["value"] == VIDEO
    assert filled.select_one("input[name='s.keyframes.0.at']")["value"] == "0.5"


async def test_a_video_output_is_used_as_the_input_of_another_mode(
    client: httpx.AsyncClient,
) -> None:
    body = {"endpoint": "text_to_video", "model": "gen4.5", "promptText": "dunes"}
    made = await client.post("/api/tasks", json={**body, "ratio": "1280:720", "duration": 2})
    task_id = made.json()["id"]
    deadline = time.monotonic() + 60
    while (task := (await client.get(f"/api/tasks/{task_id}")).json())["status"] != "SUCCEEDED":
        assert time.monotonic() < deadline, task
        await asyncio.sleep(0.2)
    card = await client.get(f"/tasks/{task_id}", headers={"HX-Request": "true"})
    assert f"/form/use/{task_id}?endpoint=video_to_video" in card.text
    assert f"/form/use/{task_id}?endpoint=image_upscale" not in card.text
    act_two = await client.get(f"/form/use/{task_id}", params={"endpoint": "character_performance"})
    form = BeautifulSoup(act_two.text, "html.parser")
    assert form.select_one("input[name=endpoint][value=character_performance]").has_attr("checked")
    # The upstream's own URL (the built-in simulator's path): the upstream reads it.
    output = task["output"][0].removeprefix("http://console")
    assert form.select_one("input[name='s.character.uri']")["value"] == output
    kind = form.select_one("select[name='s.character.type'] option[selected]")
    assert kind is not None and kind["value"] == "video"
    v2v = await client.get(f"/form/use/{task_id}", params={"endpoint": "video_to_video"})
    filled = BeautifulSoup(v2v.text, "html.parser")
    assert filled.select_one("input[name='s.videoUri']")["value"] == output
    refused = await client.get(f"/form/use/{task_id}", params={"endpoint": "image_upscale"})
    assert refused.status_code == 404


async def test_make_groups_its_modes_by_what_they_make(client: httpx.AsyncClient) -> None:
    """Video-making modes under Video, the image upscale and image recipes under Image, the
    sound under Audio: one radio group still."""
    page = BeautifulSoup((await client.get("/")).text, "html.parser")
    groups = {
        g["data-result"]: [i["value"] for i in g.select("input[name=endpoint]")]
        for g in page.select(".mode-groups .mode-group")
    }
    assert groups["video"][:2] == ["image_to_video", "text_to_video"]
    assert {"video_to_video", "character_performance", "video_to_hdr"} <= set(groups["video"])
    assert groups["image"][0] == "image_upscale"  # then the recipes that make an image
    assert all(mode.startswith("recipes/") for mode in groups["image"][1:])
    assert {"text_to_speech", "sound_effect", "video_to_audio"} <= set(groups["audio"])
    assert page.select_one(".mode-groups")["role"] == "radiogroup"
