"""Audio outputs in the console: the saved copy keeps the sound's real type (served with it,
with Range), the card plays it, the history row marks it, share-as-HTML and the export zip
carry it, copy as code names the audio endpoint, and a download that is not whole sound is no
copy at all."""

import io
import zipfile
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup

from app.media.copies import checked
from tests.audio_helpers import audio_facts, tone_wav
from tests.helpers import image_bytes, wait_saved

KEY = {"X-Runway-Key": "hk-audio-test-key-5e2a"}
HX = {**KEY, "HX-Request": "true"}
SPEECH = {
    "endpoint": "text_to_speech",
    "model": "eleven_multilingual_v2",
    "promptText": "A short line to say.",
    "voice": {"type": "runway-preset", "presetId": "Maya"},
}


async def _saved(client: httpx.AsyncClient, body: dict) -> dict:
    created = await client.post("/api/tasks", json=body, headers=KEY)
    assert created.status_code == 201, created.text
    return await wait_saved(client, created.json()["id"], headers=KEY)


async def test_a_speech_copy_is_served_as_mp3_with_range(client: httpx.AsyncClient) -> None:
    task = await _saved(client, SPEECH)
    assert task["videoUrl"].startswith(f"http://console/media/{task['id']}.mp3?t=")
    whole = await client.get(task["videoUrl"])
    assert whole.status_code == 200 and whole.headers["content-type"] == "audio/mpeg"
    assert audio_facts(whole.content)[0] == "mp3"
    part = await client.get(task["videoUrl"], headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and len(part.content) == 100
    wrong = task["videoUrl"].replace(".mp3?", ".wav?")
    assert (await client.get(wrong)).status_code == 404


async def test_the_card_and_the_history_row_show_audio(client: httpx.AsyncClient) -> None:
    task = await _saved(
        client,
        {
            **SPEECH,
            "endpoint": "sound_effect",
            "model": "mirelo_sfx_2_0",
            "duration": 1.5,
            "format": "wav",
            "voice": None,
        },
    )
    card = BeautifulSoup((await client.get(f"/tasks/{task['id']}", headers=HX)).text, "html.parser")
    player = card.select_one("audio.audio-player")
    assert player is not None and f"/media/{task['id']}.wav?t=" in player["src"]
    assert card.select_one("canvas.waveform") is not None
    assert card.select_one("a[download]")["download"] == f"runway-{task['id']}.wav"
    assert card.select_one("video") is None
    rows = BeautifulSoup((await client.get("/history", headers=HX)).text, "html.parser")
    row = rows.select_one(f"li[data-task-id='{task['id']}']")
    assert row["data-output"] == "audio" and row.select_one(".audio-mark")


async def test_share_and_export_carry_the_sound(client: httpx.AsyncClient) -> None:
    task = await _saved(client, SPEECH)
    shared = await client.get(f"/api/tasks/{task['id']}/share.html", headers=KEY)
    page = BeautifulSoup(shared.text, "html.parser")
    assert page.select_one("audio")["src"].startswith("data:audio/mpeg;base64,")
    assert not page.select("script") and page.select_one("video") is None
    export = await client.get(f"/api/tasks/{task['id']}/export.zip", headers=KEY)
    archive = zipfile.ZipFile(io.BytesIO(export.content))
    assert audio_facts(archive.read("audio.mp3"))[0] == "mp3"


@pytest.mark.parametrize(
    ("language", "call"),
    [
        ("curl", "/v1/text_to_speech"),
        ("sdk", "client.text_to_speech.create("),
        ("python", "/v1/text_to_speech"),
        ("js", "/v1/text_to_speech"),
    ],
)
async def test_copy_as_code_names_the_audio_call(
    client: httpx.AsyncClient, language: str, call: str
) -> None:
    created = await client.post("/api/tasks", json=SPEECH, headers=KEY)
    code = await client.get(f"/tasks/{created.json()['id']}/code/{language}", headers=KEY)
    assert code.status_code == 200 and call in code.text, code.text
    assert "presetId" in code.text or "preset_id" in code.text


@pytest.mark.parametrize(
    ("data", "problem", "suffix"),
    [
        (tone_wav(0.5), None, "wav"),  # asked MP3, sent WAV: kept as what it is
        (image_bytes(), "not an MP3, WAV, FLAC, Ogg or M4A", "mp3"),
        (b"ffconcat version 1.0\nfile '/etc/passwd'\n", "not an MP3, WAV, FLAC, Ogg or M4A", "mp3"),
        (b"ID3" + b"\0" * 64, "damaged", "mp3"),
    ],
)
def test_a_download_is_kept_only_as_whole_sound_of_its_own_type(
    tmp_path: Path, data: bytes, problem: str | None, suffix: str
) -> None:
    path = tmp_path / "download"
    path.write_bytes(data)
    found, kept_as = checked(path, "mp3")
    assert kept_as == suffix
    assert found == problem if problem is None else problem in (found or "")


async def test_a_speech_output_goes_on_as_the_input_of_voice_isolation(
    client: httpx.AsyncClient,
) -> None:
    """ "Use as input" fills the form with the upstream's own output URL (http on the built-in
    simulator), which the console's check takes for audio as it does for a video."""
    speech = await _saved(client, SPEECH)
    form = await client.get(f"/form/use/{speech['id']}?endpoint=voice_isolation", headers=HX)
    field = BeautifulSoup(form.text, "html.parser").select_one("input[name='s.audioUri']")
    assert field is not None and speech["output"][0].endswith(field["value"])
    body = {"endpoint": "voice_isolation", "model": "eleven_voice_isolation"}
    isolated = await _saved(client, {**body, "audioUri": field["value"]})
    sound = (await client.get(isolated["videoUrl"])).content
    original = (await client.get(speech["videoUrl"])).content
    assert abs(audio_facts(sound)[1] - audio_facts(original)[1]) < 0.1


async def test_a_videos_sound_track_goes_on_into_speech_to_speech(
    client: httpx.AsyncClient,
) -> None:
    video = {"endpoint": "text_to_video", "model": "gen4.5", "promptText": "waves", "duration": 2}
    made = await _saved(client, {**video, "ratio": "1280:720"})
    form = await client.get(f"/form/use/{made['id']}?endpoint=speech_to_speech", headers=HX)
    page = BeautifulSoup(form.text, "html.parser")
    assert made["output"][0].endswith(page.select_one("input[name='s.media.uri']")["value"])
    kind = page.select_one("select[name='s.media.type'] option[selected]")
    assert kind is not None and kind["value"] == "video"
