"""The simulator's audio endpoints: real sound a browser plays, deterministic by seed, as long
as the text, the duration asked or the input; inputs it cannot decode are refused at create."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from app.simulator.app import create_simulator_app
from tests.audio_helpers import audio_facts, pcm, tone_wav, video_with_sound
from tests.helpers import data_uri, image_bytes
from tests.simulator.test_sim_media_endpoints import output
from tests.simulator.test_sim_upscale_inputs import ALICE, BOB, task_files, upload


@pytest.fixture
async def sim(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_simulator_app(tmp_path / "sim", speed=10)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://sim") as c:
        yield c


SPEECH = {"model": "eleven_multilingual_v2", "voice": {"type": "runway-preset", "presetId": "Maya"}}


async def made(sim: httpx.AsyncClient, endpoint: str, body: dict, headers: dict = ALICE) -> bytes:
    return await output(sim, await sim.post(f"/v1/{endpoint}", headers=headers, json=body))


async def test_speech_follows_the_text_and_the_seed(sim: httpx.AsyncClient) -> None:
    short = await made(sim, "text_to_speech", {**SPEECH, "promptText": "Hello there."})
    words = "Hello there, this sentence is a good deal longer than the first one was. " * 2
    long = await made(sim, "text_to_speech", {**SPEECH, "promptText": words})
    assert audio_facts(short)[0] == "mp3"
    assert audio_facts(long)[1] > 3 * audio_facts(short)[1] > 0
    body = {"model": "eleven_v4", "voice": SPEECH["voice"], "promptText": "Same words.", "seed": 7}
    first, again = await made(sim, "text_to_speech", body), await made(sim, "text_to_speech", body)
    other = await made(sim, "text_to_speech", {**body, "seed": 8})
    assert pcm(first) == pcm(again) != pcm(other)


@pytest.mark.parametrize(("fmt", "container"), [("wav", "wav"), ("flac", "flac"), ("mp3", "mp3")])
async def test_a_sound_effect_is_the_duration_and_format_asked(
    sim: httpx.AsyncClient,
    fmt: str,
    container: str,
) -> None:
    body = {"model": "mirelo_sfx_2_0", "promptText": "rain", "duration": 2.5, "format": fmt}
    name, seconds = audio_facts(await made(sim, "sound_effect", body))
    assert name == container and 2.4 <= seconds <= 2.7
    seed_audio = {"model": "seed_audio", "promptText": "door", "outputFormat": "ogg_opus"}
    assert audio_facts(await made(sim, "sound_effect", seed_audio))[0] == "ogg"


async def test_prompts_sound_different(sim: httpx.AsyncClient) -> None:
    body = {"model": "eleven_text_to_sound_v2", "duration": 1, "seed": 1}
    rain = await made(sim, "sound_effect", {**body, "promptText": "rain"})
    bell = await made(sim, "sound_effect", {**body, "promptText": "bell"})
    assert pcm(rain) != pcm(bell)


async def test_the_input_audio_is_transformed_at_its_length(sim: httpx.AsyncClient) -> None:
    given = await upload(sim, tone_wav(1.5))
    isolated = await made(
        sim, "voice_isolation", {"model": "eleven_voice_isolation", "audioUri": given}
    )
    dub = {"model": "eleven_voice_dubbing", "audioUri": data_uri(tone_wav(1.5), "audio/wav")}
    spanish = await made(sim, "voice_dubbing", {**dub, "targetLang": "es"})
    french = await made(sim, "voice_dubbing", {**dub, "targetLang": "fr"})
    for each in (isolated, spanish, french):
        assert 1.4 <= audio_facts(each)[1] <= 1.6
    assert pcm(spanish) != pcm(french)


async def test_a_videos_sound_track_is_read(sim: httpx.AsyncClient) -> None:
    video = await upload(sim, video_with_sound(2.0))
    speech = {
        "model": "eleven_multilingual_sts_v2",
        "media": {"type": "video", "uri": video},
        "voice": {"type": "runway-preset", "presetId": "Noah"},
    }
    assert 1.9 <= audio_facts(await made(sim, "speech_to_speech", speech))[1] <= 2.3
    body = {"model": "mirelo_sfx_2_0", "videoUri": video, "duration": 9, "format": "wav"}
    name, seconds = audio_facts(await made(sim, "video_to_audio", body))
    assert name == "wav" and 1.9 <= seconds <= 2.3  # as long as the video, not the 9 s asked


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        (data_uri(image_bytes(), "audio/wav"), "Expected an MP3, WAV"),
        (data_uri(b"x", "text/plain"), "Expected a base64 audio data URI"),
        ("http://example.com/a.mp3", "Expected an HTTPS URL"),
    ],
)
async def test_what_is_not_audio_is_refused_and_leaves_nothing(
    sim: httpx.AsyncClient,
    tmp_path: Path,
    uri: str,
    message: str,
) -> None:
    body = {"model": "eleven_voice_isolation", "audioUri": uri}
    answer = await sim.post("/v1/voice_isolation", headers=ALICE, json=body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["issues"][0]["path"] == ["audioUri"]
    assert answer.json()["issues"][0]["message"].startswith(message)
    assert not (tmp_path / "sim" / "tasks").exists() or task_files(tmp_path) == []


async def test_another_keys_audio_output_is_refused(sim: httpx.AsyncClient) -> None:
    speech = {**SPEECH, "promptText": "a few words"}
    first = await sim.post("/v1/text_to_speech", headers=ALICE, json=speech)
    await output(sim, first)
    uri = f"http://sim/outputs/{first.json()['id']}.mp3"
    body = {"model": "eleven_voice_isolation", "audioUri": uri}
    refused = await sim.post("/v1/voice_isolation", headers=BOB, json=body)
    assert refused.status_code == 400
    assert audio_facts(await made(sim, "voice_isolation", body))[1] > 0.3


async def test_a_marker_fails_a_speech_task(sim: httpx.AsyncClient) -> None:
    body = {**SPEECH, "promptText": "hello [sim:no-credits]"}
    answer = await sim.post("/v1/text_to_speech", headers=ALICE, json=body)
    assert answer.status_code == 400 and "credits" in answer.json()["error"].lower()
