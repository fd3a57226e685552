"""The model catalog: what each Runway image-to-video model accepts and costs.

Data, not code. The facts Runway's contract states (ratios, durations, frames, prompt rules,
required fields) are generated from the official SDK's types into catalog/sdk.json by
scripts/generate_catalog.py, and tests/catalog/test_catalog.py fails when the installed SDK says
otherwise. What the SDK does not carry (prices, names, the form's choices, relay-only models)
is kept by hand in catalog/hand.py. The form's options, the console's validation and the
simulator's own checks all read from here, so adding a model is regenerating the file.
"""

import json
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from app.catalog.hand import (
    CREDITS_PER_SECOND,
    CREDITS_PER_TASK,
    DURATION_WHEN_OMITTED,
    FORM_DURATIONS,
    FORM_DURATIONS_FALLBACK,
    LABELS,
    PUBLISHED_PRICES,
    RECIPE_CREDITS,
    RECIPE_LABELS,
    RELAY_ONLY,
    RUNWAY_MODELS,
    UNKNOWN_PRICE,
    UNKNOWN_TASK_PRICE,
)
from app.core.i18n import N_

SEED_MAX = 4_294_967_295  # the relay documents uint32; the SDK states no range
PROMPT_MAX_CHARS = 1000  # where the SDK states no limit, the console keeps Runway's own
USD_PER_CREDIT = 0.01


def random_seed() -> int:
    """The seed for a body that names none, over the whole range validation accepts. It is
    picked by the console, not upstream, so the task (and its card) records the seed it ran."""
    return secrets.randbelow(SEED_MAX + 1)


SDK: dict[str, Any] = json.loads((Path(__file__).parent / "sdk.json").read_text())
SDK_VERSION: str = SDK["sdk_version"]
# Every create endpoint of the SDK as JSON Schemas, one per model (scripts/sdk_schema.py).
SCHEMAS: dict[str, dict[str, Any]] = json.loads(
    (Path(__file__).parent / "schema.json").read_text()
)["endpoints"]
# The endpoints checked against their schema (app/catalog/schema_check.py and, separately, the
# simulator's app/simulator/schema_checks.py); the first four keep their own rules.
AUDIO_ENDPOINTS = (
    "text_to_speech",
    "sound_effect",
    "speech_to_speech",
    "voice_dubbing",
    "voice_isolation",
    "video_to_audio",
)
# The recipes (the SDK's resources/recipes.py): each at /v1/recipes/<name>, a body with a
# dated `version` and no model.
RECIPE_ENDPOINTS = tuple(name for name in SCHEMAS if name.startswith("recipes/"))
SCHEMA_ENDPOINTS = (
    "video_to_video",
    "character_performance",
    "video_to_hdr",
    "image_upscale",
    *AUDIO_ENDPOINTS,
    *RECIPE_ENDPOINTS,
)
NO_MODEL = "default"  # the schema of an endpoint whose body names no model (sdk_schema.py)


@cache
def selector(endpoint: str) -> str | None:
    """The body field that picks a schema-driven endpoint's schema: `model`, or for a body
    that names none, the literal its variants are keyed by (multi_shot_video's `mode`); None
    when it has one schema."""
    models = SCHEMAS[endpoint]
    name, schema = next(iter(models.items()))
    if "model" in schema["properties"]:
        return "model"
    if name == NO_MODEL:
        return None
    fields = schema["properties"]
    return next(k for k in schema["required"] if fields[k].get("enum") == [name])


def latest_version(endpoint: str) -> str:
    """The newest dated `version` a recipe lists: what the console asks for where it picks
    (the demo's product ad), never `unsafe-latest`, which may change without notice."""
    schema = next(iter(SCHEMAS[endpoint].values()))
    return max(v for v in schema["properties"]["version"]["enum"] if v[:1].isdigit())


@cache
def recorded_models(endpoint: str) -> frozenset[str]:
    """What a task of `endpoint` records as its model: a model the catalog lists, or for a
    recipe (no model), a version its schema lists (app/catalog/endpoints.py, `model_of`)."""
    models = set(ENDPOINT_MODELS.get(endpoint, {}))
    if endpoint in RECIPE_ENDPOINTS:
        for schema in SCHEMAS[endpoint].values():
            models |= set(schema["properties"]["version"].get("enum", []))
    return frozenset(models)


def model_key(endpoint: str, body: dict[str, Any]) -> str:
    """The name of the schema (and the catalog's model) a body of `endpoint` is checked as."""
    if endpoint not in SCHEMAS or (field := selector(endpoint)) == "model":
        return str(body.get("model"))
    return NO_MODEL if field is None else str(body.get(field))


def api_models(endpoint: str = "image_to_video") -> dict[str, dict[str, Any]]:
    """The models an endpoint takes, as the SDK declares them (plus relay-only ones)."""
    relay = {name: entry for name, entry in RELAY_ONLY.items() if entry["endpoint"] == endpoint}
    return {**relay, **SDK["endpoints"].get(endpoint, {})}


def duration_when_omitted(name: str, entry: dict[str, Any]) -> int | None:
    """The duration an upstream uses for a body without one; None when it is required."""
    rules = entry.get("duration")
    if rules is None or entry["fields"].get("duration", False):
        return None
    if rules["default"] is not None:
        return rules["default"]
    if name in DURATION_WHEN_OMITTED:
        return DURATION_WHEN_OMITTED[name]
    offered = form_durations(name, rules)
    return 5 if 5 in offered else offered[0]


def form_durations(name: str, rules: dict[str, Any]) -> tuple[int, ...]:
    """The whole seconds the form offers: the SDK's list or range, else the hand-kept range."""
    if rules["values"]:
        return tuple(rules["values"])
    low, high = rules["range"] or FORM_DURATIONS.get(name, FORM_DURATIONS_FALLBACK)
    return tuple(range(low, high + 1))


@dataclass(frozen=True)
class Model:
    """One model's rules, as the form and the console's validation use them."""

    name: str
    label: str
    ratios: tuple[str, ...]
    durations: tuple[int, ...]
    last_frame: bool
    prompt_required: bool
    credits_per_second: int
    price_is_estimate: bool = True
    note: str = ""
    group: str = "partner"
    relay_only: bool = False
    prompt_max_chars: int = PROMPT_MAX_CHARS
    duration_required: bool = True
    credits_per_task: int | None = None  # a recipe's own price, whatever its name
    duration_default: int | None = None  # the seconds its schema says a body without one runs

    @property
    def default_ratio(self) -> str:
        return self.ratios[0] if self.ratios else ""

    @property
    def default_duration(self) -> int:
        """5 s where offered; 0 for a model that makes no video of its own length."""
        if not self.durations:
            return 0
        if self.duration_default in self.durations:
            return self.duration_default
        return 5 if 5 in self.durations else self.durations[0]

    def credits(self, duration: int) -> int:
        """The estimate for one task: by the second for videos, by the task otherwise."""
        if not self.durations:
            if self.credits_per_task is not None:
                return self.credits_per_task
            return CREDITS_PER_TASK.get(self.name, UNKNOWN_TASK_PRICE)
        return self.credits_per_second * duration


def _model(name: str, entry: dict[str, Any]) -> Model:
    positions = entry.get("frame_positions")
    rules = entry.get("duration")  # an image or an upscale has no duration
    return Model(
        name=name,
        label=LABELS.get(name, name),
        ratios=tuple(entry.get("ratios") or ()),
        durations=form_durations(name, rules) if rules else (),
        duration_required=bool(rules) and entry["fields"].get("duration", False),
        # Untyped positions (None): the SDK's text allows first/last keyframes.
        last_frame=positions is None or "last" in positions,
        prompt_required=entry["fields"].get("promptText", False),
        credits_per_second=CREDITS_PER_SECOND.get(name, UNKNOWN_PRICE),
        price_is_estimate=name not in PUBLISHED_PRICES,
        note=N_("Relays; retired from the official API in 2026.")
        if entry.get("relay_only")
        else "",
        group="runway" if name in RUNWAY_MODELS else "partner",
        relay_only=bool(entry.get("relay_only")),
        prompt_max_chars=entry.get("prompt_max_chars") or PROMPT_MAX_CHARS,
    )


def _values(schema: dict[str, Any]) -> list[Any]:
    """The literal values a schema allows (its enum, or its union members' enums)."""
    found = list(schema.get("enum", []))
    return found + [v for member in schema.get("anyOf", []) for v in member.get("enum", [])]


def _integer_range(schema: dict[str, Any]) -> tuple[int, int] | None:
    for member in [schema, *schema.get("anyOf", [])]:
        if member.get("type") == "integer" and "minimum" in member and "maximum" in member:
            return int(member["minimum"]), int(member["maximum"])
    return None


def _schema_model(name: str, schema: dict[str, Any], endpoint: str = "") -> Model:
    """A model of a schema-checked endpoint, as the form and the estimates use it: its
    ratios, durations and prompt limit read off its JSON Schema. A recipe's price is its
    endpoint's (RECIPE_CREDITS), per second for a video, per task for an image."""
    fields, required = schema["properties"], schema.get("required", [])
    durations: tuple[int, ...] = ()
    # A `number` duration is a sound's length in seconds, any fraction: the form asks it as
    # a number (schema_form.py) and the task is priced per task, not by whole seconds.
    if "duration" in fields and fields["duration"].get("type") != "number":
        listed = sorted(v for v in _values(fields["duration"]) if isinstance(v, int))
        low, high = _integer_range(fields["duration"]) or FORM_DURATIONS.get(
            name, FORM_DURATIONS_FALLBACK
        )
        durations = tuple(listed) or tuple(range(low, high + 1))
    recipe = RECIPE_CREDITS.get(endpoint)
    return Model(
        name=name,
        label=LABELS.get(name, name) if recipe is None else RECIPE_LABELS.get(name, name),
        ratios=tuple(v for v in _values(fields.get("ratio", {})) if isinstance(v, str)),
        durations=durations,
        last_frame=False,
        prompt_required="promptText" in required,
        credits_per_second=recipe or CREDITS_PER_SECOND.get(name, UNKNOWN_PRICE),
        credits_per_task=recipe,
        duration_default=fields.get("duration", {}).get("default") if recipe else None,
        group="runway" if name in RUNWAY_MODELS or recipe is not None else "partner",
        prompt_max_chars=fields.get("promptText", {}).get("maxLength") or PROMPT_MAX_CHARS,
        duration_required="duration" in required,
    )


ENDPOINT_NAMES = (
    "image_to_video",
    "text_to_video",
    "text_to_image",
    "video_upscale",
    *SCHEMA_ENDPOINTS,
)
ENDPOINT_MODELS: dict[str, dict[str, Model]] = {
    endpoint: {name: _model(name, e) for name, e in api_models(endpoint).items()}
    for endpoint in ENDPOINT_NAMES
    if endpoint not in SCHEMA_ENDPOINTS
} | {
    endpoint: {name: _schema_model(name, s, endpoint) for name, s in SCHEMAS[endpoint].items()}
    for endpoint in SCHEMA_ENDPOINTS
}
MODELS = ENDPOINT_MODELS["image_to_video"]
DEFAULT_MODEL = "gen3a_turbo"
# What the official API is asked to run where the console picks for it (the demo, the official
# preset): it has retired the relay-only models such as DEFAULT_MODEL.
OFFICIAL_MODEL = "gen4_turbo"
GROUPS = (("runway", N_("Runway")), ("partner", N_("Partner models")))


def model_groups(endpoint: str = "image_to_video") -> list[tuple[str, list[Model]]]:
    """The model picker's option groups: Runway's own models first, then partners'."""
    models = ENDPOINT_MODELS[endpoint].values()
    return [
        (label, [m for m in models if m.group == key])
        for key, label in GROUPS
        if any(m.group == key for m in models)
    ]


def ratio_size(ratio: str) -> tuple[int, int]:
    """Parse `W:H` into integers; raises ValueError for anything else."""
    width, _, height = ratio.partition(":")
    w, h = int(width), int(height)
    if w <= 0 or h <= 0:
        raise ValueError(ratio)
    return w, h


def ratio_shape(ratio: str) -> tuple[int, int] | None:
    """`W:H` as integers, or None for a named ratio (`adaptive`, `auto_720p`)."""
    try:
        return ratio_size(ratio)
    except ValueError:
        return None


def ratio_orientation(ratio: str) -> str:
    shape = ratio_shape(ratio)
    if shape is None:
        return N_("follows the frame")
    w, h = shape
    return N_("landscape") if w > h else N_("portrait") if h > w else N_("square")
