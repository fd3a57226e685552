"""The simulator's own reading of the SDK's JSON Schemas (app/catalog/schema.json).

For the endpoints the schemas drive, the simulator answers a create body the way Runway's
validation does (400, `Invalid parameter '<field>'`, issues with JSON paths) from the schema
generated from the SDK's types. It is an oracle for the console: the console reads the same
schemas with its own code (app/catalog/schema_check.py), so a walker bug on one side shows up
between
the two. Unknown fields are ignored, as relays and Runway do; a prompt is measured in UTF-16
code units, as the SDK documents.
"""

import math
from typing import Any

from app.catalog.models import SCHEMAS, SEED_MAX
from app.simulator.checks import ANY_DURATION_MAX, BodyRefused, Issue
from app.simulator.cross_checks import cross_issues

Path = tuple[str | int, ...]
JSON_TYPES = {"string": (str,), "boolean": (bool,), "array": (list,), "object": (dict,)}
# The simulator's own ranges where the SDK states none, so nothing it prices or renders is
# unbounded: a duration as long as the video models' any-integer one, any other number a
# uint32's size.
NUMBER_MAX = 2**32 - 1


def _fits_type(value: object, kind: str | None) -> bool:
    if kind is None:
        return True
    if isinstance(value, bool):
        return kind == "boolean"
    if kind == "number":
        return isinstance(value, int | float)
    if kind == "integer":  # JSON has one number type: 5.0 is the integer 5
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    return isinstance(value, JSON_TYPES[kind])


def _allowed(value: object, choices: list[Any]) -> bool:
    return any(value == c and type(value) is type(c) for c in choices) or (
        isinstance(value, float) and value.is_integer() and int(value) in choices
    )


def _units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _own_range(value: float, at: Path) -> list[Issue]:
    if at and at[-1] == "duration" and not 0 < value <= ANY_DURATION_MAX:
        return [Issue(at, f"Expected a duration of more than 0 and at most {ANY_DURATION_MAX}")]
    if at != ("seed",) and abs(value) > NUMBER_MAX:  # the seed's own rule says more
        return [Issue(at, f"Expected a number in [-{NUMBER_MAX}, {NUMBER_MAX}]")]
    return []


def walk(value: object, schema: dict[str, Any], at: Path) -> list[Issue]:
    """Every issue of `value` under `schema`, found depth first."""
    if "anyOf" in schema:
        return _one_of(value, schema["anyOf"], at)
    choices = schema.get("enum") or ([schema["const"]] if "const" in schema else None)
    if choices is not None:
        return [] if _allowed(value, choices) else [Issue(at, f"Expected one of {choices}")]
    kind = schema.get("type")
    if not _fits_type(value, kind):
        return [Issue(at, f"Expected {kind}")]
    if kind in ("integer", "number"):
        if not math.isfinite(value):
            return [Issue(at, "Expected a finite number")]
        low, high = schema.get("minimum", -math.inf), schema.get("maximum", math.inf)
        if not low <= value <= high:
            return [Issue(at, f"Expected a number in [{low}, {high}]")]
        return _own_range(value, at)
    if kind == "string":
        if schema.get("minLength") and not value.strip():
            return [Issue(at, "Must not be empty")]
        limit = schema.get("maxLength")
        if limit and _units(value) > limit:
            return [Issue(at, f"Must be at most {limit} characters (UTF-16 code units)")]
        return []
    if kind == "array":
        if len(value) > schema.get("maxItems", len(value)):
            return [Issue(at, f"Expected at most {schema['maxItems']} items")]
        if len(value) < schema.get("minItems", 0):
            return [Issue(at, f"Expected at least {schema['minItems']} items")]
        item = schema.get("items", {})
        return [issue for i, each in enumerate(value) for issue in walk(each, item, (*at, i))]
    if kind == "object":
        missing = [
            Issue((*at, k), "Required") for k in schema.get("required", []) if k not in value
        ]
        present = [
            issue
            for key, sub in schema.get("properties", {}).items()
            if value.get(key) is not None
            for issue in walk(value[key], sub, (*at, key))
        ]
        return missing + present
    return []


def _one_of(value: object, members: list[dict[str, Any]], at: Path) -> list[Issue]:
    """Valid when one member takes it; else the issues of the closest member: the one whose
    `type` literal the value names, then whose required fields it has, then the fewest."""
    found = [walk(value, member, at) for member in members]
    if not all(found):
        return []
    kinds = [m.get("type") for m in members]
    if not any(_fits_type(value, k) for k in kinds if k):
        return [Issue(at, f"Expected {' or '.join(str(k or 'a listed value') for k in kinds)}")]
    tag_path = (*at, "type")

    def distance(issues: list[Issue]) -> tuple[bool, int, int]:
        """A wrong `type` tag first, then missing fields, then any other issue."""
        missing = sum(1 for i in issues if len(i.path) == len(at) + 1 and i.message == "Required")
        return any(i.path == tag_path for i in issues), missing, len(issues)

    ranked = sorted(found, key=distance)
    return ranked[0]


def media_fields(
    value: object, schema: dict[str, Any], at: Path = ()
) -> list[tuple[Path, str, str]]:
    """(path, kind, uri) of every URI in a checked body whose schema says what it holds."""
    if isinstance(value, str) and "x-media" in schema:
        return [(at, schema["x-media"], value)]
    for member in schema.get("anyOf", []):
        if not walk(value, member, at):
            return media_fields(value, member, at)
    if isinstance(value, dict):
        props = schema.get("properties", {})
        return [
            f for k, v in value.items() if k in props for f in media_fields(v, props[k], (*at, k))
        ]
    if isinstance(value, list):
        item = schema.get("items", {})
        return [f for i, v in enumerate(value) for f in media_fields(v, item, (*at, i))]
    return []


def _tag(name: str, schema: dict[str, Any]) -> str:
    """The field whose one value names this schema: `model`, or a recipe variant's `mode`."""
    fields = schema["properties"]
    return next((k for k, sub in fields.items() if sub.get("enum") == [name]), "model")


def _chosen(endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
    """The schema a body picks: by its `model`; a recipe (no model) has one, or one per value
    of the literal its variants carry (multi_shot_video's `mode`)."""
    models = SCHEMAS[endpoint]
    first, schema = next(iter(models.items()))
    if len(models) == 1 and "model" not in schema["properties"]:
        return schema
    field = _tag(first, schema)
    if isinstance(body.get(field), str) and body[field] in models:
        return models[body[field]]
    raise BodyRefused([Issue((field,), f"Expected one of {', '.join(models)}")])


def check_schema(endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
    """The model's schema applied to `body`: the schema of the model it names, or
    BodyRefused with every issue."""
    schema = _chosen(endpoint, body)
    issues = walk(body, schema, ())
    issues += [] if issues else cross_issues(endpoint, body)  # on a body of the schema's shape
    seed = body.get("seed")
    if "seed" in schema["properties"] and isinstance(seed, int) and not 0 <= seed <= SEED_MAX:
        issues.append(Issue(("seed",), f"Expected an integer from 0 to {SEED_MAX}"))
    for name, kind in (("watermark", bool), ("notify_hook", str)):
        if body.get(name) is not None and not isinstance(body[name], kind):
            issues.append(Issue((name,), f"Expected a {kind.__name__}"))
    if issues:
        raise BodyRefused(issues)
    return schema
