"""Every model of issue 26's audio rows, made through the console's gateway with the official
SDK in strict mode, against the built-in simulator, with its inputs as ephemeral uploads: the
saved output is sound of the type asked (MP3 unless a `format` says otherwise) and of the length
the text, the duration or the input decides, decoded with PyAV."""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.audio_helpers import audio_facts, sample_rate, tone_wav, video_with_sound
from tests.gateway.test_console_sdk import PASSWORD, Stack, serving
from tests.gateway.test_sdk_media_endpoints import _saved

PRESET = {"type": "runway-preset", "preset_id": "Maya"}
WORDS = "The quick brown fox jumps over the lazy dog, twice. Then it rests."
INPUT_S = 1.5  # the uploaded speech's length; the video's is 2 s
# endpoint, model, the SDK's arguments ("@audio"/"@video" stand for the uploads), the media
# type, the container PyAV names, the seconds (low, high).
TABLE: list[tuple[str, str, dict[str, Any], str, str, tuple[float, float]]] = [
    (
        "text_to_speech",
        "seed_audio",
        {"prompt_text": WORDS, "output_format": "wav", "sample_rate": 16000},
        "audio/wav",
        "wav",
        (2.0, 12.0),
    ),
    (
        "text_to_speech",
        "eleven_v4",
        {"prompt_text": WORDS, "voice": PRESET, "seed": 4},
        "audio/mpeg",
        "mp3",
        (2.0, 12.0),
    ),
    (
        "text_to_speech",
        "eleven_multilingual_v2",
        {"prompt_text": WORDS, "voice": PRESET},
        "audio/mpeg",
        "mp3",
        (2.0, 12.0),
    ),
    (
        "text_to_speech",
        "eleven_v3",
        {"prompt_text": WORDS, "voice": PRESET, "speed": 2.0},
        "audio/mpeg",
        "mp3",
        (1.0, 6.0),
    ),
    (
        "sound_effect",
        "seed_audio",
        {"prompt_text": "a door creaks open", "output_format": "ogg_opus"},
        "audio/ogg",
        "ogg",
        (1.0, 22.0),
    ),
    (
        "sound_effect",
        "mirelo_sfx_2_0",
        {"prompt_text": "rain on a roof", "duration": 2.5, "format": "flac"},
        "audio/flac",
        "flac",
        (2.4, 2.6),
    ),
    (
        "sound_effect",
        "eleven_text_to_sound_v2",
        {"prompt_text": "a bell", "duration": 1.5},
        "audio/mpeg",
        "mp3",
        (1.4, 1.7),
    ),
    (
        "speech_to_speech",
        "eleven_multilingual_sts_v2",
        {"media": {"type": "audio", "uri": "@audio"}, "voice": PRESET},
        "audio/mpeg",
        "mp3",
        (INPUT_S - 0.1, INPUT_S + 0.2),
    ),
    (
        "voice_dubbing",
        "eleven_voice_dubbing",
        {"audio_uri": "@audio", "target_lang": "es"},
        "audio/mpeg",
        "mp3",
        (INPUT_S - 0.1, INPUT_S + 0.2),
    ),
    (
        "voice_isolation",
        "eleven_voice_isolation",
        {"audio_uri": "@audio"},
        "audio/mpeg",
        "mp3",
        (INPUT_S - 0.1, INPUT_S + 0.2),
    ),
    (
        "video_to_audio",
        "mirelo_sfx_2_0",
        {"video_uri": "@video", "duration": 8, "format": "wav"},
        "audio/wav",
        "wav",
        (1.9, 2.3),
    ),
]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with serving(tmp_path_factory.mktemp("audio")) as made:
        yield made


@pytest.fixture(scope="module")
def uploads(stack: Stack) -> dict[str, str]:
    """A speech-like WAV and a video with sound, uploaded as `create_ephemeral` sends them."""
    with stack.sdk() as sdk:
        audio = sdk.uploads.create_ephemeral(file=("speech.wav", tone_wav(INPUT_S))).uri
        video = sdk.uploads.create_ephemeral(file=("clip.mp4", video_with_sound(2.0))).uri
    return {"@audio": audio, "@video": video}


def _filled(value: Any, uploads: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _filled(v, uploads) for k, v in value.items()}
    return uploads.get(value, value) if isinstance(value, str) else value


@pytest.mark.parametrize(
    ("endpoint", "model", "extra", "media_type", "container", "seconds"),
    TABLE,
    ids=[f"{t[0]}-{t[1]}" for t in TABLE],
)
def test_each_audio_model_makes_its_sound_through_the_gateway(
    stack: Stack,
    uploads: dict[str, str],
    endpoint: str,
    model: str,
    extra: dict[str, Any],
    media_type: str,
    container: str,
    seconds: tuple[float, float],
) -> None:
    with stack.sdk() as sdk:
        created = getattr(sdk, endpoint).create(model=model, **_filled(extra, uploads))
        url = _saved(stack, sdk, created.id)
    assert url.split("?")[0].endswith(f".{container}"), url
    answer = httpx.get(url, timeout=30)
    assert answer.status_code == 200, url
    assert answer.headers["content-type"] == media_type
    name, length = audio_facts(answer.content)
    assert name == container
    if "sample_rate" in extra:
        assert sample_rate(answer.content) == extra["sample_rate"]
    assert seconds[0] <= length <= seconds[1], length


def test_the_history_names_each_audio_endpoint(stack: Stack) -> None:
    """Every task above is in the member's history, under the endpoint it was made at."""
    headers = {"Authorization": f"Bearer {PASSWORD}", "X-Runway-Key": stack.token}
    listed = httpx.get(f"{stack.console}/api/tasks?limit=50", headers=headers, timeout=30)
    assert listed.status_code == 200, listed.text
    made = [(task["endpoint"], task["model"]) for task in listed.json()["tasks"]]
    assert sorted(made) == sorted((endpoint, model) for endpoint, model, *_rest in TABLE)
