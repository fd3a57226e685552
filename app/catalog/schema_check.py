"""The console's check of a create body against its model's JSON Schema (app/catalog/schema.json).

For the endpoints the schemas drive (catalog.SCHEMA_ENDPOINTS) nothing per endpoint is written
here: every field, nested object, list, union, literal, range and required mark comes from the
schema generated from the official SDK's types. What the console adds is its own knowledge,
the same for every endpoint: a URI field (`x-media`) must be an https URL, an upload's
`runway://` URI or a data URI of its kind, a prompt is measured in UTF-16 code units and kept
within the form's limit, a seed is a uint32, and the relay fields (`watermark`, `notify_hook`)
are checked as for image-to-video. Errors name fields as the API does (`keyframes[0].uri`).

The simulator checks the same schemas with its own code (app/simulator/schema_checks.py).
"""

import math
from typing import Any

from app.catalog.credits import MAX_SECONDS, is_duration
from app.catalog.models import ENDPOINT_MODELS, SCHEMAS, SEED_MAX, model_key, selector
from app.catalog.rule_check import rule_errors
from app.catalog.validation import (
    UPSTREAM_OUTPUTS,
    FieldError,
    check_https_url,
    check_image_uri,
    check_output_url,
    check_runway_uri,
    check_video_uri,
    relay_field_errors,
    utf16_length,
)
from app.core.i18n import gettext as _

KINDS = {"string": str, "boolean": bool, "array": list, "object": dict}
# No parameter means a number past a uint32 (a seed's range): where the SDK states no range,
# a larger one is refused on its field rather than sent on to be priced or rendered.
NUMBER_MAX = SEED_MAX


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _media_problem(kind: str, uri: object) -> str | None:
    if isinstance(uri, str) and uri.startswith(UPSTREAM_OUTPUTS):  # any kind, as a video's
        return check_output_url(uri)
    if kind == "image":
        return check_image_uri(uri)
    if kind == "video":
        return check_video_uri(uri)
    if not isinstance(uri, str) or not uri:
        return _("is required (an https URL, a runway:// upload or a data URI)")
    if kind == "audio" and not uri.startswith("data:"):
        return check_video_uri(uri)  # an upstream's own output too, as a video may be
    if uri.startswith("runway:"):
        return check_runway_uri(uri)
    if uri.startswith("data:"):
        return (
            None if uri.startswith(f"data:{kind}/") else _("data URI must hold {kind}", kind=kind)
        )
    return check_https_url(uri)


def _describe(schema: dict[str, Any]) -> str:
    if "enum" in schema or "const" in schema:
        values = schema.get("enum", [schema.get("const")])
        return _("one of {values}", values=", ".join(str(v) for v in values))
    return {
        "string": _("text"),
        "integer": _("a whole number"),
        "number": _("a number"),
        "boolean": _("true or false"),
        "array": _("a list"),
        "object": _("an object"),
    }.get(schema.get("type", ""), _("a value"))


def _is_type(value: object, kind: str) -> bool:
    if kind == "integer":
        return (
            isinstance(value, int | float) and not isinstance(value, bool) and value == int(value)
        )
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, KINDS[kind]) if kind in KINDS else True


def _same(value: object, allowed: object) -> bool:
    """JSON equality: `true` is not `1`, though Python says it is."""
    return value == allowed and isinstance(value, bool) == isinstance(allowed, bool)


def _union(value: object, members: list[dict[str, Any]], path: str) -> list[FieldError]:
    """A union holds when one member does; otherwise the errors of the member this value
    was meant as (its JSON type matches, and for objects its `type` literal does)."""
    tried = [(member, schema_errors(value, member, path)) for member in members]
    if any(not errors for _member, errors in tried):
        return []
    meant = [(m, e) for m, e in tried if "type" in m and _is_type(value, m["type"])]
    if isinstance(value, dict) and len(meant) > 1:
        return _object_union(value, meant, path)
    if meant:
        return min((e for _m, e in meant), key=len)
    message = _("must be {a}", a=_(" or ").join(_describe(m) for m in members))
    return [FieldError(path or "body", message)]


def _object_union(
    value: dict, tried: list[tuple[dict[str, Any], list[FieldError]]], path: str
) -> list[FieldError]:
    """An object none of a union's object members takes: the errors of the one it names by
    its `type` literal, else of the one whose required fields it has; a `type` none of them
    takes is said once, with every value allowed."""
    tag = _join(path, "type")
    tagged = [(m, e) for m, e in tried if not any(x.field == tag for x in e)]
    if not tagged and "type" in value:
        kinds = [v for m, _e in tried for v in m["properties"]["type"].get("enum", [])]
        return [FieldError(tag, _("must be one of {values}", values=", ".join(kinds)))]
    candidates = tagged or tried
    complete = [(m, e) for m, e in candidates if all(k in value for k in m.get("required", []))]
    return min((e for _m, e in complete or candidates), key=len)


def _string_errors(value: str, schema: dict[str, Any], path: str) -> list[FieldError]:
    if "x-media" in schema:
        problem = _media_problem(schema["x-media"], value)
        return [FieldError(path, problem)] if problem else []
    if schema.get("minLength", 0) >= 1 and not value.strip():
        return [FieldError(path, _("must not be empty"))]
    limit, n = schema.get("maxLength"), utf16_length(value)
    if limit is not None and n > limit:
        return [FieldError(path, _("{n} characters; the limit is {max}", n=n, max=limit))]
    return []


def _object_errors(value: dict, schema: dict[str, Any], path: str) -> list[FieldError]:
    errors = [
        FieldError(_join(path, name), _("is required"))
        for name in schema.get("required", [])
        if value.get(name) is None
    ]
    for name, rules in schema.get("properties", {}).items():
        if value.get(name) is not None:
            errors += schema_errors(value[name], rules, _join(path, name))
    return errors


def _number_errors(value: float, path: str) -> list[FieldError]:
    """The console's own range for a number the SDK gives none: a `duration` anywhere is one
    `is_duration` takes (credits.py, as the estimate counts it), any other at most a uint32."""
    if path.rpartition(".")[2] == "duration" and not is_duration(value):
        message = _("must be more than 0 and at most {max} seconds", max=MAX_SECONDS)
        return [FieldError(path, message)]
    if path != "seed" and abs(value) > NUMBER_MAX:  # a seed's own rule says more
        return [
            FieldError(path, _("must be from {low} to {high}", low=-NUMBER_MAX, high=NUMBER_MAX))
        ]
    return []


def schema_errors(value: object, schema: dict[str, Any], path: str = "") -> list[FieldError]:
    """Every way `value` breaks `schema`, each naming its field's path."""
    if "anyOf" in schema:
        return _union(value, schema["anyOf"], path)
    allowed = schema.get("enum", [schema["const"]] if "const" in schema else None)
    if allowed is not None:
        if any(_same(value, v) for v in allowed):
            return []
        return [FieldError(path, _("must be {a}", a=_describe(schema)))]
    kind = schema.get("type")
    if kind and not _is_type(value, kind):
        return [FieldError(path or "body", _("must be {a}", a=_describe(schema)))]
    if kind in ("integer", "number"):
        if isinstance(value, float) and not math.isfinite(value):
            return [FieldError(path, _("NaN and Infinity are not JSON numbers"))]
        low, high = schema.get("minimum"), schema.get("maximum")
        if (low is not None and value < low) or (high is not None and value > high):
            return [FieldError(path, _("must be from {low} to {high}", low=low, high=high))]
        return _number_errors(value, path)
    if kind == "string":
        return _string_errors(value, schema, path)
    if kind == "array":
        most, least = schema.get("maxItems"), schema.get("minItems", 0)
        if most is not None and len(value) > most:
            return [FieldError(path, _("at most {n} items", n=most))]
        if len(value) < least:
            return [FieldError(path, _("at least {n} items", n=least))]
        items = schema.get("items", {})
        return [
            e for i, item in enumerate(value) for e in schema_errors(item, items, _join(path, i))
        ]
    if kind == "object":
        return _object_errors(value, schema, path)
    return []


def body_errors(body: dict[str, Any], endpoint: str) -> list[FieldError]:
    """A create body's errors against its model's schema, plus the rules between fields the
    SDK's docstrings state (catalog/cross_rules.py) and the console's own rules (the form's
    prompt limit, the seed's range, the relay fields)."""
    schemas = SCHEMAS[endpoint]
    name = model_key(endpoint, body)
    if name not in schemas:
        field, names = selector(endpoint) or "model", ", ".join(schemas)
        if field != "model":
            return [FieldError(field, _("must be one of {names}", names=names))]
        return [FieldError("model", _("unknown model; choose one of {names}", names=names))]
    schema = schemas[name]
    prompt = schema["properties"].get("promptText")
    if prompt is not None:  # the form's limit where the SDK states none (catalog.py)
        limit = ENDPOINT_MODELS[endpoint][name].prompt_max_chars
        schema = {**schema, "properties": {**schema["properties"]}}
        schema["properties"]["promptText"] = {"maxLength": limit, **prompt}
    errors = schema_errors(body, schema)
    seed = body.get("seed")
    if "seed" in schema["properties"] and _is_type(seed, "integer") and not 0 <= seed <= SEED_MAX:
        errors.append(FieldError("seed", _("must be a whole number from 0 to {max}", max=SEED_MAX)))
    return errors + rule_errors(body, endpoint) + relay_field_errors(body)
