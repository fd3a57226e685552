"""Validation of create bodies against the catalog: each bad field is named."""

from typing import Any

import pytest

from app.catalog.models import MODELS
from app.catalog.validation import Invalid, validate_create_body
from tests.helpers import data_uri, image_bytes, seed_body

GOOD_URI = "https://example.com/first.jpg"


def fields(body: dict[str, Any]) -> list[str]:
    try:
        validate_create_body(body)
    except Invalid as exc:
        return [e.field for e in exc.errors]
    return []


def test_the_seed_body_is_valid() -> None:
    assert fields(seed_body(data_uri(image_bytes()))) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"model": "gen9"}, "model"),
        ({"ratio": "1920:1080"}, "ratio"),
        ({"duration": 7}, "duration"),
        ({"duration": True}, "duration"),
        ({"seed": -1}, "seed"),
        ({"seed": 4294967296}, "seed"),
        ({"seed": "12"}, "seed"),
        ({"promptText": ""}, "promptText"),
        ({"promptText": "x" * 1001}, "promptText"),
        ({"promptText": "🌊" * 501}, "promptText"),  # 1002 UTF-16 units, as Runway counts
        ({"watermark": "no"}, "watermark"),
        ({"notify_hook": "http://example.com/hook"}, "notify_hook"),
        ({"promptImage": []}, "promptImage"),
        ({"promptImage": "http://example.com/a.jpg"}, "promptImage"),
        ({"promptImage": "https://10.0.0.1/a.jpg"}, "promptImage"),
        ({"promptImage": "data:text/html;base64,PGI+"}, "promptImage"),
        ({"promptImage": [{"uri": GOOD_URI, "position": "middle"}]}, "promptImage[0].position"),
        ({"promptImage": [{"uri": GOOD_URI, "position": "last"}]}, "promptImage"),
        ({"promptImage": "https://example.com/" + "a" * 2048}, "promptImage"),
    ],
)
def test_each_bad_field_is_named(change: dict[str, Any], field: str) -> None:
    body = {**seed_body(GOOD_URI), **change}
    assert field in fields(body)


def test_a_last_frame_is_refused_for_models_without_one() -> None:
    body = {**seed_body(GOOD_URI), "model": "gen4_turbo", "ratio": "1280:720"}
    assert fields(body) == ["promptImage[1].position"]


def test_an_oversized_data_uri_is_refused() -> None:
    body = {**seed_body(GOOD_URI), "promptImage": "data:image/png;base64," + "A" * 5_300_000}
    assert fields(body) == ["promptImage"]


@pytest.mark.parametrize("name", list(MODELS))
def test_every_model_accepts_its_own_defaults(name: str) -> None:
    model = MODELS[name]
    body = {
        "model": name,
        "promptImage": GOOD_URI,
        "promptText": "waves",
        "ratio": model.default_ratio,
        "duration": model.default_duration,
    }
    assert fields(body) == []


def test_all_errors_are_reported_at_once() -> None:
    # `duration` may be left out (the model's default runs, as the SDK's types allow).
    assert set(fields({"model": "gen3a_turbo"})) == {"promptImage", "promptText", "ratio"}


def test_nan_and_infinity_anywhere_are_refused_by_name() -> None:
    """Python's JSON reader takes them; the upstream request could not be written with them."""
    body = {
        **seed_body("https://example.com/a.jpg"),
        "extra": {"deep": [1.5, float("nan")]},
        "other": float("-inf"),
    }
    with pytest.raises(Invalid) as caught:
        validate_create_body(body)
    assert {e.field for e in caught.value.errors} == {"extra.deep[1]", "other"}


@pytest.mark.parametrize(
    "uri",
    [
        "runway://uploads/0b7e4c2a-5f1d-4c3e-9a8b-1d2e3f4a5b6c",
        "runway://files/a.b_c~d/e?x=1&y=%20",
        [{"uri": "runway://uploads/1", "position": "first"}],
    ],
)
def test_an_upload_uri_is_a_frame(uri: object) -> None:
    assert fields({**seed_body(GOOD_URI), "promptImage": uri}) == []


@pytest.mark.parametrize(
    "uri",
    [
        "runway://",
        "runway:/uploads/1",
        "runway:///uploads",
        "runway://uploads/a b",
        "runway://uploads/a\nb",
        "runway://uploads/a\u0000",
        'runway://uploads/"><script>',
        "runway://uploads/é",
        "runway://" + "a" * 2048,
    ],
)
def test_a_misshapen_upload_uri_is_refused_in_each_field(uri: str) -> None:
    assert fields({**seed_body(GOOD_URI), "promptImage": uri}) == ["promptImage"]
    first = [{"uri": uri, "position": "first"}]
    assert fields({**seed_body(GOOD_URI), "promptImage": first}) == ["promptImage[0].uri"]
    upscale = {"model": "magnific_video_upscaler_creative", "videoUri": uri}
    with pytest.raises(Invalid) as caught:
        validate_create_body(upscale, "video_upscale")
    assert [error.field for error in caught.value.errors] == ["videoUri"]


def reference_fields(endpoint: str, body: dict[str, Any]) -> list[str]:
    try:
        validate_create_body(body, endpoint)
    except Invalid as exc:
        return [e.field for e in exc.errors]
    return []


@pytest.mark.parametrize(
    ("references", "field"),
    [
        ([{"uri": "runway://uploads/1", "tag": "cat"}, {"uri": GOOD_URI}], None),
        ([{"uri": "runway://uploads/a b", "tag": "cat"}], "referenceImages[0].uri"),
        ([{"uri": GOOD_URI}, {"uri": "frame:abc"}], "referenceImages[1].uri"),
        ("runway://uploads/1", "referenceImages"),
    ],
)
def test_reference_images_are_checked_like_frames(references: object, field: str | None) -> None:
    body = {"model": "gen4_image_turbo", "promptText": "a cat", "ratio": "1024:1024"}
    found = reference_fields("text_to_image", {**body, "referenceImages": references})
    assert found == ([field] if field else [])
    video = {"model": "hailuo3", "promptText": "a cat", "ratio": "16:9", "references": references}
    expected = [field.replace("referenceImages", "references")] if field else []
    assert reference_fields("text_to_video", video) == expected
