"""JSON Schemas for every create endpoint of the installed official SDK (`runwayml`).

Each `runwayml/types/<endpoint>_create_params.py` declares one TypedDict per model (or one for
the endpoint): its fields, which are required, their JSON names (aliases), literals, unions,
lists and nested objects, and docstrings that state the limits the types cannot ("up to 3500
characters", "An integer between 1 and 5", "Up to 5 keyframes", "Defaults to 2"). This module
turns each into a JSON Schema (draft 2020-12 keywords), one per endpoint and model, so the
console's validation, its form and the simulator's checks read the same facts.

Two extensions, both `x-`: `x-media` names what a URI field must hold (`image`, `video` or
`audio`, as its docstring says "containing an encoded video"), and a string's `maxLength` is
counted in UTF-16 code units, as the SDK's limits are (an emoji counts two).

The recipes (`runwayml/types/recipe_<name>_params.py`, posted by `resources/recipes.py` to
`/v1/recipes/<name>`) are endpoints too, named by that path (`recipes/product_ad`). Their bodies
name no model but a dated `version`, which stays a field; a recipe whose body is a union of
variants (multi_shot_video's `mode`: auto or custom) is keyed by the literal that tells them apart,
as a model would be. Limits written "(1-10)" bound a list's length or an integer.

Run through scripts/generate_catalog.py, which writes app/catalog/schema.json.
"""

import ast
import collections.abc
import importlib
import inspect
import pkgutil
import re
import types
import typing
from typing import Any, Literal, Required, Union, get_args, get_origin

from typing_extensions import is_typeddict

SUFFIX = "_create_params"
RECIPE = re.compile(r"^recipe_(\w+)_params$")
RECIPES = "recipes/"  # the endpoint name (and path under /v1) of recipe `<name>` is recipes/<name>
NO_MODEL = "default"  # the key of an endpoint whose body names no model
MEDIA = re.compile(r"containing an encoded (image|video|audio)")
RANGE = re.compile(
    r"(?:from|between) (-?\d+(?:\.\d+)?)(?: \([^)]*\))? (?:to|and) (-?\d+(?:\.\d+)?)"
)
SPAN = re.compile(r"\((\d+)-(\d+)(?: \w+)?\)")  # "(1-10)", "(3-5 shots)"
FRACTION = re.compile(r"fraction \[(-?\d+(?:\.\d+)?), (-?\d+(?:\.\d+)?)\]")
MAX_CHARS = re.compile(r"up to (\d+) characters", re.I)
MAX_ITEMS = re.compile(r"\bup to (\d+)\b(?! ?(?:characters|MB|seconds|megapixels))", re.I)
DEFAULT = re.compile(r"Defaults to (`[^`]+`|\"[^\"]+\"|(?:-?\d+(?:\.\d+)?|true|false)\b)")
SEQUENCES = (collections.abc.Iterable, collections.abc.Sequence, list, tuple)


def endpoint_names() -> list[str]:
    """Every endpoint the SDK creates at: one `*_create_params` module each, and one
    `recipe_*_params` module each (`recipes/<name>`), sorted."""
    import runwayml.types

    names = [info.name for info in pkgutil.iter_modules(runwayml.types.__path__)]
    creates = [name.removesuffix(SUFFIX) for name in names if name.endswith(SUFFIX)]
    recipes = [RECIPES + match[1] for name in names if (match := RECIPE.match(name))]
    return sorted(creates + recipes)


def params_module(endpoint: str) -> str:
    """The SDK module that types an endpoint's body."""
    if endpoint.startswith(RECIPES):
        return f"runwayml.types.recipe_{endpoint.removeprefix(RECIPES)}_params"
    return f"runwayml.types.{endpoint}{SUFFIX}"


def _strip(hint: Any) -> Any:
    while get_origin(hint) in (Required, typing.NotRequired, typing.Annotated):
        hint = get_args(hint)[0]
    return hint


def _alias(hint: Any, name: str) -> str:
    """The JSON name of a field: the SDK's PropertyInfo alias, or the Python name."""
    while True:
        for meta in getattr(hint, "__metadata__", ()):
            if getattr(meta, "alias", None):
                return meta.alias
        if get_origin(hint) not in (Required, typing.NotRequired, typing.Annotated):
            return name
        hint = get_args(hint)[0]


_DOCS: dict[str, dict[tuple[str, str], str]] = {}


def _docstrings(module_name: str) -> dict[tuple[str, str], str]:
    """(class, attribute) → the string literal that follows the attribute in the source
    (Python keeps no docstring for a class attribute, so the source is read)."""
    if module_name not in _DOCS:
        found: dict[tuple[str, str], str] = {}
        tree = ast.parse(inspect.getsource(importlib.import_module(module_name)))
        for node in tree.body:
            if not isinstance(node, ast.ClassDef):
                continue
            for here, after in zip(node.body, node.body[1:], strict=False):
                if (
                    isinstance(here, ast.AnnAssign)
                    and isinstance(here.target, ast.Name)
                    and isinstance(after, ast.Expr)
                    and isinstance(after.value, ast.Constant)
                    and isinstance(after.value.value, str)
                ):
                    found[(node.name, here.target.id)] = " ".join(after.value.value.split())
        _DOCS[module_name] = found
    return _DOCS[module_name]


def _members(hint: Any) -> list[Any]:
    hint = _strip(hint)
    if get_origin(hint) in (Union, types.UnionType):
        return [m for arg in get_args(hint) for m in _members(arg)]
    return [hint]


def _type_schema(hint: Any) -> dict[str, Any]:
    """The schema of a type, without what its docstring adds."""
    members = _members(hint)
    if len(members) > 1:
        literals = [m for m in members if get_origin(m) is Literal]
        rest = [_type_schema(m) for m in members if get_origin(m) is not Literal]
        if literals:
            rest.append({"enum": [v for m in literals for v in get_args(m)]})
        return rest[0] if len(rest) == 1 else {"anyOf": rest}
    hint = members[0]
    origin = get_origin(hint)
    if origin is Literal:
        return {"enum": list(get_args(hint))}
    if is_typeddict(hint):
        return object_schema(hint)
    if hint is str:
        return {"type": "string"}
    if hint is bool:
        return {"type": "boolean"}
    if hint is int:
        return {"type": "integer"}
    if hint is float:
        return {"type": "number"}
    if origin in (dict, collections.abc.Mapping) or hint is dict:
        return {"type": "object"}
    if origin in SEQUENCES or getattr(origin, "__name__", "") == "SequenceNotStr":
        args = get_args(hint)
        return {"type": "array", "items": _type_schema(args[0]) if args else {}}
    return {}


def _parts(schema: dict[str, Any], *kinds: str) -> list[dict[str, Any]]:
    """The schemas of these types a docstring's limit applies to: the field's, or its union's
    members' (`references` is a string or a list: "up to 4" bounds the list)."""
    if schema.get("type") in kinds:
        return [schema]
    return [s for s in schema.get("anyOf", []) if s.get("type") in kinds]


def _default(text: str) -> Any:
    if text[0] in '`"':
        return text[1:-1]  # quoted: a string, even `4444`
    if text in ("true", "false"):
        return text == "true"
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


def _with_doc(schema: dict[str, Any], doc: str) -> dict[str, Any]:
    """The limits a field's docstring states, added to its type's schema."""
    if not doc:
        return schema
    schema = {**schema, "description": doc}
    span = FRACTION.search(doc) or RANGE.search(doc)
    if span:
        for number in _parts(schema, "integer", "number"):
            number["minimum"], number["maximum"] = _number(span[1]), _number(span[2])
    if schema.get("type") == "string":
        if match := MEDIA.search(doc):
            schema["x-media"] = match[1]
        if match := MAX_CHARS.search(doc):
            schema["maxLength"] = int(match[1])
        if "non-empty" in doc:
            schema["minLength"] = 1
    if match := MAX_ITEMS.search(doc):
        for array in _parts(schema, "array"):
            array["maxItems"] = int(match[1])
    if match := SPAN.search(doc):
        for array in _parts(schema, "array"):
            array["minItems"], array["maxItems"] = int(match[1]), int(match[2])
        for number in _parts(schema, "integer"):
            number["minimum"], number["maximum"] = int(match[1]), int(match[2])
    if match := DEFAULT.search(doc):
        schema["default"] = _default(match[1])
    return schema


def object_schema(cls: type) -> dict[str, Any]:
    """A TypedDict as an object schema. The SDK's are `total=False` with `Required[...]`
    marks, which `__required_keys__` loses under `from __future__ import annotations`, so the
    marks are read from the hints themselves."""
    hints = typing.get_type_hints(cls, include_extras=True)
    docs = _docstrings(cls.__module__)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, hint in hints.items():
        key = _alias(hint, name)
        properties[key] = _with_doc(_type_schema(hint), docs.get((cls.__name__, name), ""))
        if get_origin(hint) is Required:
            required.append(key)
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    if cls.__doc__ and cls.__doc__.strip() and cls.__doc__ is not dict.__doc__:
        schema["description"] = " ".join(cls.__doc__.split())
    return schema


def _variants(module: types.ModuleType) -> list[type]:
    name = next(k for k in vars(module) if k.endswith("Params"))
    union = vars(module)[name]
    return list(get_args(union)) or [union]


def _tag(schema: dict[str, Any], others: list[dict[str, Any]]) -> list[Any]:
    """The one-value literal that tells a variant of a model-less body from the others
    (multi_shot_video's `mode`), as a list of keys; [NO_MODEL] for a body of one variant."""
    for key in schema.get("required", []):
        values = schema["properties"][key].get("enum", [])
        theirs = [o["properties"].get(key, {}).get("enum") for o in others]
        if len(values) == 1 and others and all(t and values[0] not in t for t in theirs):
            return values
    return [NO_MODEL]


def endpoint_schemas(endpoint: str) -> dict[str, dict[str, Any]]:
    """model → its body's JSON Schema, for one endpoint (`default` when no body names one,
    or the literal that tells its variants apart)."""
    module = importlib.import_module(params_module(endpoint))
    found: dict[str, dict[str, Any]] = {}
    variants = [object_schema(cls) for cls in _variants(module)]
    for index, schema in enumerate(variants):
        model = schema["properties"].get("model", {})
        others = variants[:index] + variants[index + 1 :]
        names = model.get("enum") or _tag(schema, others)
        for name in names:
            one = {**schema, "properties": {**schema["properties"]}}
            if "model" in one["properties"]:
                one["properties"]["model"] = {**model, "const": name}
                del one["properties"]["model"]["enum"]
            found[str(name)] = {"title": f"{endpoint} {name}", **one}
    return found


def build_schemas() -> dict[str, Any]:
    """Every create endpoint of the installed SDK: endpoint → model → JSON Schema."""
    from runwayml import __version__

    return {
        "sdk_version": __version__,
        "$comment": "Generated from runwayml's types by scripts/generate_catalog.py; "
        "maxLength counts UTF-16 code units; x-media names what a URI must hold.",
        "endpoints": {name: endpoint_schemas(name) for name in endpoint_names()},
    }
