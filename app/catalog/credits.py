"""Durations and credits, each read by one rule for the whole console.

A member's budget holds only if validation, the estimate and the budget agree on how long a
task runs, and if nothing a relay reports can make a charge negative, fractional or a crash.
So a body's `duration` is read here alone (`whole_seconds`, `counted_duration`), and so are the
credits an upstream reports (`read_credits`); validation, the estimate, the budget, the refresh,
the relay check and the gateway's shapes all call these.
"""

import json
import math
from typing import Any

from app.catalog.models import ENDPOINT_MODELS, api_models, duration_when_omitted, model_key

# Beyond any real task's price by far, and what a member's charge columns (32-bit on
# PostgreSQL) hold: a larger count is no credit count a relay can mean, so it is ignored.
MAX_CREDITS = 2**31 - 1
# The longest run a body may ask for: far past any model's (the longest run minutes), and short
# enough that its price stays a credit count. A `duration` of 0 or less, or past this, is no
# duration (a 1e308 once counted as a 309-digit int and priced into an OverflowError).
MAX_SECONDS = 3600


def is_duration(value: float) -> bool:
    """Whether a finite number is a length a task may be asked to run (see MAX_SECONDS)."""
    return 0 < value <= MAX_SECONDS


def whole_seconds(value: object) -> int | None:
    """A `duration` as Runway reads it: a JSON integer, else None.

    JSON has one number type, so `5.0` is the integer 5 (a JavaScript server and the simulator
    run 5 s for it); `5.5`, `"5"`, `true`, NaN, infinities and a count of seconds `is_duration`
    refuses are no duration at all. Booleans are ints to Python, never to JSON.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        return None
    return int(value) if is_duration(value) else None


def counted_duration(body: dict[str, Any], endpoint: str) -> int | None:
    """The seconds a create body will run: its own whole seconds, or the model's default when
    it leaves `duration` out (or sends null); None when it names no duration Runway reads."""
    duration = body.get("duration")
    if duration is not None:
        return whole_seconds(duration)
    name = str(body.get("model"))
    entry = api_models(endpoint).get(name)
    if entry:
        return duration_when_omitted(name, entry)
    model = ENDPOINT_MODELS.get(endpoint, {}).get(model_key(endpoint, body))  # its schema's
    return (model.default_duration or None) if model is not None else None


def as_counted(body: dict[str, Any]) -> dict[str, Any]:
    """The body with a whole-number float `duration` written as the integer it was counted as,
    so the upstream runs the seconds the budget held (a relay may read `5.0` otherwise)."""
    seconds = whole_seconds(body.get("duration"))
    if seconds is None or type(body["duration"]) is int:
        return body
    return {**body, "duration": seconds}


def estimate_credits(body: dict[str, Any], endpoint: str = "image_to_video") -> int:
    """The console's own estimate for a create body: the catalog's credits per second times
    the counted duration, or per task for an image or an upscale (0 for a model the catalog
    does not know or a duration validation refuses; neither is ever sent)."""
    model = ENDPOINT_MODELS.get(endpoint, {}).get(model_key(endpoint, body))
    if model is None:
        return 0
    if not model.durations:
        return model.credits(0)
    return model.credits(counted_duration(body, endpoint) or 0)


def cheapest_task(model: str) -> int | None:
    """The least a task of `model` is estimated at (its shortest duration), on the first
    endpoint that knows it: a balance below it cannot pay for any, so the account panel says so
    before Generate. None for a model the catalog does not know."""
    for endpoint, models in ENDPOINT_MODELS.items():
        if found := models.get(model):
            choices = found.durations or (None,)
            return min(estimate_credits({"model": model, "duration": d}, endpoint) for d in choices)
    return None


def read_credits(value: object) -> int | None:
    """`{"credits": n}` (the SDK's `cost` and `estimatedCost`) as a whole number of credits,
    or None for any other shape: a relay may send a string, a negative, a NaN or a list."""
    credits = value.get("credits") if isinstance(value, dict) else None
    if isinstance(credits, bool) or not isinstance(credits, int | float):
        return None
    if not math.isfinite(credits) or not 0 <= credits <= MAX_CREDITS:
        return None
    counted = round(credits)
    return counted if counted <= MAX_CREDITS else None


def answer_credits(text: str, field: str) -> int | None:
    """A field's credits in an answer's JSON text (the create's, a cancel's), or None."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return read_credits(data.get(field)) if isinstance(data, dict) else None
