"""The catalog follows the official SDK: the generated file matches the installed SDK's types,
and the hand-kept tables speak only of models the catalog knows."""

import importlib.metadata
import importlib.util
import json
import re

import pytest

from app.catalog import hand as catalog_hand
from app.catalog.models import (
    ENDPOINT_MODELS,
    MODELS,
    SDK,
    SDK_VERSION,
    api_models,
    duration_when_omitted,
    model_groups,
)
from tests.helpers import ROOT


def _generator():
    spec = importlib.util.spec_from_file_location(
        "generate_catalog", ROOT / "scripts/generate_catalog.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generated_catalog_matches_the_installed_sdk() -> None:
    fresh = _generator().build_catalog()
    assert fresh == json.loads((ROOT / "app/catalog/sdk.json").read_text()), (
        "the installed runwayml disagrees with app/catalog/sdk.json: "
        "run python scripts/generate_catalog.py and review the diff"
    )


def test_the_catalog_is_for_the_sdk_version_the_test_extra_pins() -> None:
    pinned = re.search(r'"runwayml==([^"]+)"', (ROOT / "pyproject.toml").read_text())
    assert pinned, "runwayml must be pinned in the test extra"
    assert SDK_VERSION == pinned.group(1) == importlib.metadata.version("runwayml")
    assert f"runwayml {SDK_VERSION}" in (ROOT / "docs/runway-api.md").read_text()


def test_every_sdk_model_is_offered_and_gen3a_turbo_is_relay_only() -> None:
    sdk = SDK["endpoints"]["image_to_video"]
    assert len(sdk) == 25
    assert set(MODELS) == set(sdk) | {"gen3a_turbo"}
    assert MODELS["gen3a_turbo"].relay_only and "gen3a_turbo" not in sdk
    assert not any(MODELS[name].relay_only for name in sdk)


def test_the_hand_kept_tables_name_only_known_models() -> None:
    known = set(MODELS)
    anywhere = {name for models in ENDPOINT_MODELS.values() for name in models}
    for table in (
        catalog_hand.CREDITS_PER_SECOND,
        catalog_hand.FORM_DURATIONS,
        catalog_hand.DURATION_WHEN_OMITTED,
    ):
        assert set(table) <= known, set(table) - known
    for table in (catalog_hand.LABELS, catalog_hand.CREDITS_PER_TASK, catalog_hand.RUNWAY_MODELS):
        assert set(table) <= anywhere, set(table) - anywhere
    assert set(catalog_hand.CREDITS_PER_SECOND) == known, "every model needs a price estimate"


@pytest.mark.parametrize("name", list(MODELS))
def test_the_form_offers_only_what_the_sdk_allows(name: str) -> None:
    model, rules = MODELS[name], api_models()[name]
    duration = rules["duration"]
    if duration["values"]:
        assert set(model.durations) <= set(duration["values"])
    if duration["range"]:
        low, high = duration["range"]
        assert low <= min(model.durations) and max(model.durations) <= high
    assert list(model.ratios) == (rules.get("ratios") or [])
    assert model.prompt_max_chars == (rules.get("prompt_max_chars") or 1000)
    omitted = duration_when_omitted(name, rules)
    assert (omitted is None) == rules["fields"]["duration"]


def test_the_sdk_facts_the_console_relies_on() -> None:
    """A few facts read by hand from runwayml 5.24.0, so a generator bug cannot hide."""
    sdk = SDK["endpoints"]["image_to_video"]
    assert sdk["gen4.5"]["duration"]["range"] == [2, 10]
    assert sdk["gen4.5"]["fields"]["promptText"] is True
    assert sdk["veo3.1"]["duration"]["values"] == [4, 6, 8]
    assert sdk["veo3.1"]["frame_positions"] == ["first", "last"]
    assert sdk["gen4_turbo"]["frame_positions"] == ["first"]
    assert sdk["kling2.5_turbo_pro"]["duration"]["default"] == 5
    assert "ratios" not in sdk["kling2.5_turbo_pro"]
    assert sdk["seedance2"]["duration"]["auto"] is True
    assert sdk["seedance2_5"]["prompt_max_chars"] == 15000
    assert set(SDK["endpoints"]) == {
        "image_to_video",
        "text_to_video",
        "text_to_image",
        "video_upscale",
    }
    assert "gen4_image" in SDK["endpoints"]["text_to_image"]


def test_the_picker_groups_runway_and_partner_models() -> None:
    groups = model_groups()
    assert [label for label, _ in groups] == ["Runway", "Partner models"]
    assert [m.name for m in groups[0][1]] == [
        "gen3a_turbo",
        "gen4.5",
        "gen4_turbo",
        "veo3.1",
        "veo3.1_fast",
    ]
    assert sum(len(models) for _, models in groups) == len(MODELS)


@pytest.mark.parametrize("name", list(MODELS))
async def test_every_model_creates_through_the_console(client, name: str) -> None:
    """The form's defaults for each model pass the console's validation and the simulator's."""
    model = MODELS[name]
    body = {
        "model": name,
        "promptImage": "https://example.com/a.jpg",
        "promptText": "a lighthouse at dusk",
        "duration": model.default_duration,
    }
    if model.ratios:
        body["ratio"] = model.default_ratio
    created = await client.post("/api/tasks", json=body)
    assert created.status_code == 201, created.text
    task = (await client.get(f"/api/tasks/{created.json()['id']}")).json()
    assert task["model"] == name and task["status"] in ("PENDING", "THROTTLED", "RUNNING")
