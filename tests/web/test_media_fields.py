"""The form's media fields: a file becomes an ephemeral upload on the form's API address (its
`runway://` URI in the field), a wrong kind or size is refused naming the field before
anything goes upstream, and a previous task's output of the field's kind can be picked."""

import httpx
from bs4 import BeautifulSoup

from app.core.settings import Settings
from app.frames.media_kinds import accept_attribute, kind_of_bytes, kind_of_file, limit_mb
from tests.conftest import in_process
from tests.gateway.test_console_sdk import small_mp4
from tests.helpers import image_bytes, wait_final, wait_saved
from tests.relay_stub import RelayStub

V2V = {"endpoint": "video_to_video", "model": "aleph2", "path": "videoUri"}
ACT_TWO = {"endpoint": "character_performance", "model": "act_two"}


def _field(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser").select_one(".media-field")


def test_each_kind_has_its_files_and_limit() -> None:
    assert "video/mp4" in accept_attribute("video") and "image/png" not in accept_attribute("video")
    assert "audio/mpeg" in accept_attribute("audio|video") and ".mp4" in accept_attribute(
        "audio|video"
    )
    assert limit_mb("image", 20) == 16 and limit_mb("video", 20) == 20 and limit_mb("image", 5) == 5
    assert kind_of_file("audio|video", "", "talk.MP4").name == "video"
    assert kind_of_file("video", "image/png", "a.png") is None


async def test_the_page_draws_a_media_widget_for_every_media_field(
    client: httpx.AsyncClient,
) -> None:
    form = await client.get("/form/mode", params={"endpoint": "character_performance"})
    page = BeautifulSoup(form.text, "html.parser")
    fields = {f["data-path"]: f for f in page.select(".media-field")}
    assert {"character.uri", "reference.uri"} <= set(fields)
    character = fields["character.uri"]
    assert "image/png" in character["data-accept"] and "video/mp4" in character["data-accept"]
    drop = character.select_one(".media-drop")
    assert drop["tabindex"] == "0" and drop["role"] == "button"
    assert character.select_one("input[type=file]")["accept"] == character["data-accept"]
    assert character.select_one("input[name='s.character.uri']") is not None


async def test_a_video_file_becomes_an_upload_the_task_reads(client: httpx.AsyncClient) -> None:
    video = small_mp4()
    files = {"file": ("clip.mp4", video, "video/mp4")}
    answer = await client.post("/form/media", params=V2V, files=files, data={"baseUrl": ""})
    field = _field(answer.text)
    uri = field.select_one("input[name='s.videoUri']")["value"]
    assert uri.startswith("runway://"), answer.text
    assert field.select_one(".error-text") is None
    form = {
        "endpoint": "video_to_video",
        "model": "aleph2",
        "s.videoUri": uri,
        "promptText": "in winter",
        "runs": "1",
        "form_token": "tok-media-1",
    }
    made = await client.post("/tasks", data=form)
    assert made.status_code == 200, made.text
    (task,) = (await client.get("/api/tasks")).json()["tasks"]
    assert (await wait_final(client, task["id"]))["status"] == "SUCCEEDED"


async def test_act_two_s_character_as_a_video_sets_its_type(client: httpx.AsyncClient) -> None:
    files = {"file": ("me.mp4", small_mp4(), "video/mp4")}
    params = {**ACT_TWO, "path": "character.uri"}
    field = _field((await client.post("/form/media", params=params, files=files)).text)
    assert field["data-filled-kind"] == "video"
    assert field.select_one("input.media-uri")["value"].startswith("runway://")


async def test_a_file_of_another_kind_is_refused_naming_the_field(
    client: httpx.AsyncClient,
) -> None:
    files = {"file": ("frame.png", image_bytes(), "image/png")}
    field = _field((await client.post("/form/media", params=V2V, files=files)).text)
    error = field.select_one(".error-text")
    assert error.text.startswith("videoUri: ") and "a video" in error.text
    assert field.select_one("input[name='s.videoUri']")["value"] == ""


async def test_a_file_over_the_kind_s_limit_is_refused(settings: Settings) -> None:
    small = settings.model_copy(update={"max_upload_mb": 0.01})
    async with in_process(small) as client:
        files = {"file": ("clip.mp4", b"\0" * 20_000, "video/mp4")}
        field = _field((await client.post("/form/media", params=V2V, files=files)).text)
        assert (
            field.select_one(".error-text").text == "videoUri: the file is over the 0.01 MB limit"
        )
        assert field["data-max-bytes"] == str(int(0.01 * 1024 * 1024))


async def test_a_field_that_is_not_the_model_s_is_404(client: httpx.AsyncClient) -> None:
    files = {"file": ("clip.mp4", b"x", "video/mp4")}
    for params in (
        {**V2V, "path": "promptText"},
        {**V2V, "endpoint": "image_to_video"},
        {**V2V, "model": "act_two"},
    ):
        assert (await client.post("/form/media", params=params, files=files)).status_code == 404


async def test_previous_outputs_of_the_field_s_kind_are_offered(client: httpx.AsyncClient) -> None:
    body = {
        "endpoint": "text_to_video",
        "model": "gen4.5",
        "promptText": "dunes",
        "ratio": "1280:720",
        "duration": 2,
    }
    made = (await client.post("/api/tasks", json=body)).json()
    task = await wait_final(client, made["id"])
    videos = BeautifulSoup((await client.get("/form/outputs", params=V2V)).text, "html.parser")
    (pick,) = videos.select("button.media-output")
    assert task["output"][0].endswith(pick["data-media-value"])  # as the record holds it
    image_field = {"endpoint": "image_upscale", "model": "magnific_precision_upscaler_v2"}
    images = await client.get("/form/outputs", params={**image_field, "path": "imageUri"})
    assert "media-output" not in images.text
    character = await client.get("/form/outputs", params={**ACT_TWO, "path": "character.uri"})
    assert 'data-media-kind="video"' in character.text


async def test_a_relay_without_uploads_is_named_in_the_field(
    relay: RelayStub, relay_console: httpx.AsyncClient
) -> None:
    """The stub answers 404 at `/v1/uploads`, as relays document no uploads: the field says so
    and keeps no URI; nothing else was asked of the relay."""
    files = {"file": ("clip.mp4", small_mp4(), "video/mp4")}
    answer = await relay_console.post(
        "/form/media", params=V2V, files=files, data={"baseUrl": relay.base_url}
    )
    field = _field(answer.text)
    assert field.select_one(".error-text").text == (
        "videoUri: this address takes no uploads: give the file as an https URL"
    )
    assert [(s.method, s.path.rsplit("/", 2)[-2:]) for s in relay.seen] == [
        ("POST", ["v1", "uploads"])
    ]


async def test_a_file_whose_bytes_are_not_of_the_field_s_kind_is_refused(
    client: httpx.AsyncClient,
) -> None:
    """The name and Content-Type say video, the bytes do not: the server reads them and refuses
    the file naming the field, as for a wrong name (an image as .mp4, text as .png)."""
    character = {**ACT_TWO, "path": "character.uri"}
    for params, file, said in (
        (V2V, ("clip.mp4", image_bytes(), "video/mp4"), "videoUri: must be a video"),
        (
            V2V,
            ("clip.webm", b"<html>no video</html>" * 40, "video/webm"),
            "videoUri: must be a video",
        ),
        (
            character,
            ("me.png", b"GIF89a" + b"\0" * 500, "image/png"),
            "character.uri: must be an image or a video",
        ),
    ):
        answer = await client.post("/form/media", params=params, files={"file": file})
        field = _field(answer.text)
        assert field.select_one(".error-text").text == said
        assert "uploaded as" not in answer.text
    image_field = {"endpoint": "image_upscale", "model": "magnific_precision_upscaler_v2"}
    files = {"file": ("photo.jpg", small_mp4(), "image/jpeg")}
    answer = await client.post(
        "/form/media", params={**image_field, "path": "imageUri"}, files=files
    )
    assert _field(answer.text).select_one(".error-text").text == "imageUri: must be an image"


async def test_bytes_of_another_kind_never_reach_the_upstream(
    relay: RelayStub, relay_console: httpx.AsyncClient
) -> None:
    files = {"file": ("clip.mp4", b"MZ\x90\x00" + b"\0" * 4000, "video/mp4")}
    answer = await relay_console.post(
        "/form/media", params=V2V, files=files, data={"baseUrl": relay.base_url}
    )
    assert _field(answer.text).select_one(".error-text").text == "videoUri: must be a video"
    assert relay.seen == []


def test_each_kind_is_told_from_its_first_bytes() -> None:
    assert kind_of_bytes("video", small_mp4()).name == "video"
    assert kind_of_bytes("video", b"\x1a\x45\xdf\xa3" + b"\0" * 40).name == "video"
    assert kind_of_bytes("image", image_bytes()).name == "image"
    assert kind_of_bytes("audio|video", b"RIFF\0\0\0\0WAVEfmt ").name == "audio"
    assert kind_of_bytes("audio|video", small_mp4()) is not None
    assert kind_of_bytes("image", small_mp4()) is None
    assert kind_of_bytes("audio", image_bytes()) is None


# Links the simulator signs to expire within the hand-off's margin (app/web/handoff.py): still
# readable, so the console saves its copy, but too near their end to hand to a new task.
SHORT_LINKS = {"output_ttl_s": 60}
CLIP = {"endpoint": "text_to_video", "model": "gen4.5", "promptText": "dunes"}


async def _clip(client: httpx.AsyncClient, ttl: dict, saved: bool) -> dict:
    assert (await client.post("/simulator/_sim/faults", json=ttl)).status_code == 200
    body = {**CLIP, "ratio": "1280:720", "duration": 2}
    made = (await client.post("/api/tasks", json=body)).json()
    task = await (wait_saved if saved else wait_final)(client, made["id"])
    assert task["status"] == "SUCCEEDED", task
    return task


def _picks(html: str) -> list:
    return BeautifulSoup(html, "html.parser").select("button.media-output")


async def test_an_output_whose_link_may_have_expired_goes_in_as_its_saved_copy(
    client: httpx.AsyncClient,
) -> None:
    task = await _clip(client, SHORT_LINKS, saved=True)
    (pick,) = _picks((await client.get("/form/outputs", params=V2V)).text)
    assert pick["data-task-id"] == task["id"] and not pick.has_attr("data-media-value")
    answer = await client.post("/form/media/output", params=V2V, data={"task": task["id"]})
    field = _field(answer.text)
    uri = field.select_one("input[name='s.videoUri']")["value"]
    assert uri.startswith("runway://") and field.select_one(".error-text") is None, answer.text
    form = {**V2V, "s.videoUri": uri, "promptText": "in winter", "runs": "1"}
    made = await client.post("/tasks", data={**form, "form_token": "tok-copy-up-1"})
    assert made.status_code == 200, made.text
    newest = (await client.get("/api/tasks")).json()["tasks"][0]
    assert newest["endpoint"] == "video_to_video"
    assert (await wait_final(client, newest["id"]))["status"] == "SUCCEEDED"


async def test_an_expired_output_with_no_copy_is_not_offered_and_says_why(
    client: httpx.AsyncClient,
) -> None:
    """Its link is past its `exp=` when the task ends, so no copy could be saved either."""
    task = await _clip(client, {"output_ttl_s": -1}, saved=False)
    listed = await client.get("/form/outputs", params=V2V)
    assert _picks(listed.text) == []
    assert "1 older outputs are not offered" in listed.text
    # Asked for all the same: refused in the field, nothing filled in.
    answer = await client.post("/form/media/output", params=V2V, data={"task": task["id"]})
    field = _field(answer.text)
    assert field.select_one("input[name='s.videoUri']")["value"] == ""
    assert "may have expired" in field.select_one(".error-text").text


async def test_only_the_caller_s_own_task_goes_in(client: httpx.AsyncClient) -> None:
    task = await _clip(client, SHORT_LINKS, saved=True)
    theirs = {"X-Runway-Key": "sim-key-someone-else-0002"}
    answer = await client.post(
        "/form/media/output", params=V2V, data={"task": task["id"]}, headers=theirs
    )
    assert answer.status_code == 404
    listed = await client.get("/form/outputs", params=V2V, headers=theirs)
    assert _picks(listed.text) == []


async def test_another_upstream_gets_the_saved_copy_not_the_simulator_s_url(
    relay: RelayStub, relay_console: httpx.AsyncClient
) -> None:
    """A fresh simulator output, the form on a relay: the relay is no upstream that promises
    to read the simulator's link, so only the copy is offered, and this relay takes none."""
    task = await _clip(relay_console, {"output_ttl_s": 3600}, saved=True)
    on_relay = {**V2V, "baseUrl": relay.base_url}
    (pick,) = _picks((await relay_console.get("/form/outputs", params=on_relay)).text)
    assert pick["data-task-id"] == task["id"]
    (fresh,) = _picks((await relay_console.get("/form/outputs", params=V2V)).text)
    assert task["output"][0].endswith(fresh["data-media-value"])  # its own upstream: the URL
    data = {"task": task["id"], "baseUrl": relay.base_url}
    answer = await relay_console.post("/form/media/output", params=V2V, data=data)
    assert _field(answer.text).select_one(".error-text").text == (
        "videoUri: this address takes no uploads: give the file as an https URL"
    )
