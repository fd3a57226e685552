"""The form's fields for the schema-driven endpoints, read off the model's JSON Schema.

Each field of the schema that the form's own controls do not cover (prompt, ratio, duration,
seed) becomes one input named `s.<path>` (`s.character.uri`, `s.keyframes.0.at`): a media URI
(an https URL, an upload's `runway://` URI, or a previous task's output), literals as a choice,
numbers with their range, booleans as yes/no/unset, nested objects as their fields, and lists
of objects as a few rows (the rows a required list needs, like a product ad's first product
image, among the main fields). A union of objects (Act-Two's character: an image or a video)
shows the fields of all its members, its `type` as one choice, and a URI the members hold in
kinds of their own takes them all (speech_to_speech's `media.uri`: audio or video). Required
fields and media come first; the rest go under "Advanced". The values go back into a body by
the same list, typed as the schema says, so what the form sends is what the schema describes.
"""

from dataclasses import dataclass
from typing import Any

from app.catalog.models import SCHEMAS

OWN_CONTROLS = {"model", "promptText", "ratio", "duration", "seed"}
LIST_ROWS = 2  # rows a list of objects offers (its maxItems when fewer)
PREFIX = "s."


@dataclass(frozen=True)
class SchemaField:
    """One input: `path` is the body's path, dotted (`keyframes.0.uri`)."""

    path: str
    kind: str  # media, choice, integer, number, boolean, text
    required: bool  # by its own object
    advanced: bool
    essential: bool = False  # required all the way up: the body needs it
    choices: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    media: str = ""  # a media field's kinds: `video`, or `audio|video` for a union's
    hint: str = ""

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(self.media.split("|")) if self.media else ()

    @property
    def name(self) -> str:
        return PREFIX + self.path

    @property
    def constant(self) -> bool:
        """A required literal with one value: sent with its object, never asked."""
        return self.kind == "choice" and self.required and len(self.choices) == 1

    @property
    def top(self) -> str:
        return self.path.split(".")[0]


def _merged(schema: dict[str, Any]) -> dict[str, Any]:
    """A union of objects as one object: every member's fields, `type` literals together."""
    members = [m for m in schema.get("anyOf", []) if m.get("type") == "object"]
    if not members:
        arrays = [m for m in schema.get("anyOf", []) if m.get("type") == "array"]
        return arrays[0] if arrays else schema
    properties: dict[str, Any] = {}
    for member in members:
        for key, sub in member.get("properties", {}).items():
            if key in properties and "x-media" in sub and "x-media" in properties[key]:
                kinds = properties[key]["x-media"].split("|")  # speech_to_speech's audio|video
                if sub["x-media"] not in kinds:
                    sub = {**sub, "x-media": "|".join([*kinds, sub["x-media"]])}
            if key in properties and "enum" in sub and "enum" in properties[key]:
                values = properties[key]["enum"] + [
                    v for v in sub["enum"] if v not in properties[key]["enum"]
                ]
                sub = {**sub, "enum": values}
            properties[key] = sub
    shared = set.intersection(*(set(m.get("required", [])) for m in members))
    return {"type": "object", "properties": properties, "required": sorted(shared)}


def _leaf(
    path: str, schema: dict[str, Any], required: bool, advanced: bool, essential: bool
) -> SchemaField | None:
    hint = schema.get("description", "")[:300]
    base = {"path": path, "required": required, "advanced": advanced, "hint": hint}
    base["essential"] = essential
    if "x-media" in schema:
        return SchemaField(kind="media", media=schema["x-media"], **base)
    values = schema.get("enum") or [v for m in schema.get("anyOf", []) for v in m.get("enum", [])]
    if values and not any(m.get("type") for m in schema.get("anyOf", [])):
        return SchemaField(kind="choice", choices=tuple(values), **base)
    kind = schema.get("type")
    if kind in ("integer", "number"):
        low, high = schema.get("minimum"), schema.get("maximum")
        return SchemaField(kind=kind, minimum=low, maximum=high, **base)
    if kind in ("boolean", "string"):
        return SchemaField(kind="boolean" if kind == "boolean" else "text", **base)
    return None


def _sound_length(key: str, schema: dict[str, Any]) -> bool:
    """A `number` duration (a sound's seconds, any fraction): the form's duration choice,
    whole seconds of a video, does not cover it, so it is asked as the schema says."""
    return key == "duration" and schema.get("type") == "number"


def _fields(
    prefix: str, schema: dict[str, Any], advanced: bool, needed: bool = True
) -> list[SchemaField]:
    schema = _merged(schema)
    required = set(schema.get("required", []))
    found: list[SchemaField] = []
    for key, sub in schema.get("properties", {}).items():
        if not prefix and key in OWN_CONTROLS and not _sound_length(key, sub):
            continue
        path = f"{prefix}{key}"
        sub = _merged(sub)
        hidden = advanced or (key not in required and "x-media" not in sub)
        essential = needed and key in required
        if sub.get("type") == "object":
            found += _fields(f"{path}.", sub, hidden, essential)
        elif sub.get("type") == "array":
            item = _merged(sub.get("items", {}))
            if item.get("type") != "object":
                continue
            least = sub.get("minItems", 0) if essential else 0
            rows = max(least, min(LIST_ROWS, sub.get("maxItems", LIST_ROWS)))
            for row in range(rows):  # rows past a required list's least need nothing
                needed_row = row < least
                found += _fields(f"{path}.{row}.", item, not needed_row, needed_row)
        elif (leaf := _leaf(path, sub, key in required, hidden, essential)) is not None:
            found.append(leaf)
    return found


def schema_fields(endpoint: str, model: str) -> list[SchemaField]:
    """The inputs the form shows for a model of a schema-driven endpoint, main ones first."""
    schema = SCHEMAS.get(endpoint, {}).get(model)
    if schema is None:
        return []
    found = _fields("", schema, False)
    return [f for f in found if not f.advanced] + [f for f in found if f.advanced]


def media_field(endpoint: str, model: str, path: str) -> SchemaField | None:
    """The media input at `path` of a model's form, or None when it has none there."""
    fields = schema_fields(endpoint, model)
    return next((f for f in fields if f.path == path and f.kind == "media"), None)


def union_tag(endpoint: str, model: str, field: SchemaField, kind: str) -> SchemaField | None:
    """The `type` choice beside a union's URI that names `kind` (Act-Two's `character.type`
    for a video), which a filled-in input of that kind sets; None when there is none."""
    parent = field.path.rpartition(".")[0]
    tag = next((f for f in schema_fields(endpoint, model) if f.path == f"{parent}.type"), None)
    return tag if parent and tag is not None and kind in tag.choices else None


def _typed(field: SchemaField, text: str) -> Any:
    """A form's text as the schema's type; left as text when it does not parse, so the
    schema check names the field rather than the form guessing."""
    try:
        if field.kind == "integer":
            return int(text)
        if field.kind == "number":
            return float(text)
    except ValueError:
        return text
    if field.kind == "boolean":
        return text == "true"
    if field.kind == "choice":
        return next((c for c in field.choices if str(c) == text), text)
    return text


def _place(body: dict[str, Any], path: list[str], value: Any) -> None:
    here: Any = body
    for key in path[:-1]:
        here = here.setdefault(key, {})
    here[path[-1]] = value


def _lists(value: Any) -> Any:
    """Objects keyed by row number become lists, rows in order, empty ones gone."""
    if not isinstance(value, dict):
        return value
    if value and all(key.isdigit() for key in value):
        return [_lists(value[key]) for key in sorted(value, key=int)]
    return {key: _lists(sub) for key, sub in value.items()}


def body_values(endpoint: str, model: str, values: dict[str, str]) -> dict[str, Any]:
    """The body fields the form's `s.*` inputs describe (empty inputs left out). A required
    one-value literal is added to each object the person filled in, not shown as a choice."""
    body: dict[str, Any] = {}
    fields = schema_fields(endpoint, model)
    for field in fields:
        text = values.get(field.path, "").strip()
        if text and not field.constant:
            _place(body, field.path.split("."), _typed(field, text))
    for field in (f for f in fields if f.constant):
        *parent, key = field.path.split(".")
        here: Any = body
        for step in parent:
            here = here.get(step) if isinstance(here, dict) else None
        if isinstance(here, dict):
            here[key] = field.choices[0]
    return _lists(body)


def flat_values(value: Any, prefix: str = "") -> dict[str, str]:
    """A past body's fields as the form's inputs hold them (for reuse)."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = ((str(i), v) for i, v in enumerate(value))
    else:
        text = str(value).lower() if isinstance(value, bool) else str(value)
        return {prefix.rstrip("."): text}
    return {k: v for key, sub in items for k, v in flat_values(sub, f"{prefix}{key}.").items()}
