"""The simulator's own checks of a create body, read from the SDK's model data.

The simulator is an oracle for the console: if it validated with the console's own rules, a
wrong rule would be wrong on both sides and no test between them could catch it. So these
checks are written separately, from the raw facts generated from the official SDK's types
(`app.catalog.api_models`), and answer the way Runway does: 400 with `{"error": "Invalid
parameter '<field>'", "issues": [{"path": [...], "message": ...}]}`. A prompt's length is
counted in UTF-16 code units, as the SDK documents. Fields the SDK does not declare for a model
are ignored, not refused: relays accept extra fields (`watermark`, `notify_hook`), and the
simulator stands in for relays too.
"""

import math
import re
from dataclasses import dataclass
from typing import Any

from app.catalog.models import SEED_MAX, api_models, duration_when_omitted

DATA_URI_MAX_CHARS = 5 * 1024 * 1024
URL_MAX_CHARS = 2048
ANY_DURATION_MAX = 60  # the SDK types some durations as any integer; the simulator caps them
AUTO_DURATION = 10  # what `"duration": "auto"` renders and bills here
DATA_URI = re.compile(r"^data:image/(jpeg|jpg|png|webp);base64,[A-Za-z0-9+/=\s]+$", re.I)
HTTPS_URL = re.compile(r"^https://[^\s/?#:]+(:\d+)?([/?#]\S*)?$", re.I)


@dataclass(frozen=True)
class Issue:
    """One problem, with its JSON path as a list (as Runway's validation reports it)."""

    path: tuple[str | int, ...]
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"path": list(self.path), "message": self.message}


class BodyRefused(Exception):
    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(issues[0].message)
        self.issues = issues

    def answer(self) -> dict[str, Any]:
        field = self.issues[0].path[0] if self.issues[0].path else "body"
        return {
            "error": f"Invalid parameter '{field}'",
            "issues": [issue.as_dict() for issue in self.issues],
        }


def image_uri_problem(uri: object) -> str | None:
    if not isinstance(uri, str) or not uri:
        return "Expected an HTTPS URL, a runway:// upload URI or a data URI"
    if uri.startswith("data:"):
        if len(uri) > DATA_URI_MAX_CHARS:
            return "Data URIs must be at most 5MB"
        return None if DATA_URI.match(uri) else "Expected a base64 JPEG, PNG or WebP data URI"
    if uri.startswith("runway://"):
        return None
    if len(uri) > URL_MAX_CHARS:
        return f"URLs must be at most {URL_MAX_CHARS} characters"
    return None if HTTPS_URL.match(uri) else "Expected an HTTPS URL"


def frames(value: object) -> list[dict[str, Any]]:
    """`promptImage` as a list of {uri, position?}; a bare string is the first frame."""
    if isinstance(value, str):
        return [{"uri": value, "position": "first"}]
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _check_frames(value: object, positions: list[str] | None) -> list[Issue]:
    if not isinstance(value, str | list) or value in ("", []):
        return [Issue(("promptImage",), "Expected an image URI or a non-empty array of images")]
    if isinstance(value, list) and not all(isinstance(item, dict) for item in value):
        return [Issue(("promptImage",), "Each image must be an object with a uri")]
    issues: list[Issue] = []
    seen: list[object] = []
    for index, item in enumerate(frames(value)):
        path: tuple[str | int, ...] = (
            ("promptImage",) if isinstance(value, str) else ("promptImage", index)
        )
        position = item.get("position")
        if positions is not None and position not in positions:
            issues.append(Issue((*path, "position"), f"Expected one of {', '.join(positions)}"))
        elif position is not None and position in seen:
            issues.append(Issue((*path, "position"), f"Only one image may be '{position}'"))
        seen.append(position)
        if problem := image_uri_problem(item.get("uri")):
            issues.append(Issue((*path, "uri") if len(path) > 1 else path, problem))
    if "last" in seen and "first" not in seen and not issues:
        issues.append(Issue(("promptImage",), "A last frame requires a first frame"))
    return issues


def _check_prompt(value: object, rules: dict[str, Any]) -> list[Issue]:
    if not isinstance(value, str):
        return [Issue(("promptText",), "Expected a string")]
    if rules.get("prompt_non_empty") and not value.strip():
        return [Issue(("promptText",), "Must not be empty")]
    limit = rules.get("prompt_max_chars")
    units = len(value.encode("utf-16-le", "surrogatepass")) // 2
    if limit and units > limit:
        return [Issue(("promptText",), f"Must be at most {limit} characters (UTF-16 code units)")]
    return []


def _duration_problem(value: object, rules: dict[str, Any]) -> str | None:
    if value == "auto":
        return None if rules["auto"] else "This model takes a number of seconds, not 'auto'"
    # JSON has one number type: 5.0 is the integer 5, as a JavaScript server reads it.
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        return "Expected a whole number of seconds"
    if rules["values"] and value not in rules["values"]:
        return f"Expected one of {', '.join(map(str, rules['values']))}"
    low, high = rules["range"] or (1, ANY_DURATION_MAX)
    return None if low <= value <= high else f"Must be from {low} to {high} seconds"


def _check_scalars(body: dict[str, Any], rules: dict[str, Any]) -> list[Issue]:
    issues: list[Issue] = []
    if body.get("ratio") is not None and "ratios" in rules:
        ratio = body["ratio"]
        freeform = rules["ratio_freeform"] and isinstance(ratio, str) and ":" in ratio
        if ratio not in rules["ratios"] and not freeform:
            issues.append(Issue(("ratio",), f"Expected one of {', '.join(rules['ratios'])}"))
    duration = body.get("duration")
    if (
        duration is not None
        and "duration" in rules
        and (problem := _duration_problem(duration, rules["duration"]))
    ):
        issues.append(Issue(("duration",), problem))
    seed = body.get("seed")
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= SEED_MAX
    ):
        issues.append(Issue(("seed",), f"Expected an integer from 0 to {SEED_MAX}"))
    for name, kind in (("watermark", bool), ("notify_hook", str)):
        if body.get(name) is not None and not isinstance(body[name], kind):
            issues.append(Issue((name,), f"Expected a {kind.__name__}"))
    return issues


def _non_finite(value: object) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_non_finite(item) for item in value.values())
    return isinstance(value, list) and any(_non_finite(item) for item in value)


def check_create(endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
    """The model's rules applied to `body`; raises BodyRefused, or returns the body as the
    simulator runs it (a left-out duration filled with the model's default, 5.0 read as 5)."""
    models = api_models(endpoint)
    name = body.get("model")
    if not isinstance(name, str) or name not in models:
        raise BodyRefused([Issue(("model",), f"Expected one of {', '.join(models)}")])
    rules = models[name]
    issues = [
        Issue((field,), "Required")
        for field, required in rules["fields"].items()
        if required and body.get(field) is None
    ]
    if body.get("promptImage") is not None and "frame_positions" in rules:
        issues += _check_frames(body["promptImage"], rules["frame_positions"])
    if body.get("promptText") is not None and "prompt_max_chars" in rules:
        issues += _check_prompt(body["promptText"], rules)
    issues += _check_scalars(body, rules)
    if _non_finite(body):
        issues.append(Issue(("body",), "NaN and Infinity are not JSON numbers"))
    if issues:
        raise BodyRefused(issues)
    checked = dict(body)
    duration = body.get("duration")
    if duration is None:
        checked["duration"] = duration_when_omitted(name, rules)
    elif duration == "auto":
        checked["duration"] = AUTO_DURATION
    else:
        checked["duration"] = int(duration)
    return checked
