"""Generate app/catalog/sdk.json from the installed official SDK's types (`runwayml`).

The SDK's `types/*_create_params.py` are Runway's contract: one TypedDict per model, with the
fields it takes, which are required, the literal values allowed, and docstrings that state the
rest ("Must be an integer from 2 to 10", "up to 1000 characters", "Defaults to 5"). This script
reads both (the types through `typing`, the docstrings through `ast`, since Python keeps no
docstring for a class attribute) and writes the facts the console and its simulator use: the
summary in app/catalog/sdk.json (ratios, durations, frames, prompts: the rules of the first
four endpoints, checked by hand-written code) and, for every create endpoint of the SDK, one
JSON Schema per model in app/catalog/schema.json (sdk_schema.py), which the newer endpoints are
checked against and their forms are built from.

    python scripts/generate_catalog.py          # rewrite both files
    python scripts/generate_catalog.py --check  # exit 1 when the file and the SDK disagree

tests/catalog/test_catalog.py runs `build_catalog()` and `build_schemas()` against the installed SDK
and compares.
"""

import argparse
import ast
import importlib
import importlib.util
import inspect
import json
import re
import sys
import types
import typing
from pathlib import Path
from typing import Any, Literal, Required, Union, get_args, get_origin

OUTPUT = Path(__file__).resolve().parent.parent / "app" / "catalog" / "sdk.json"
SCHEMAS = OUTPUT.with_name("schema.json")
ENDPOINTS = ("image_to_video", "text_to_video", "text_to_image", "video_upscale")


def _sibling(name: str) -> types.ModuleType:
    """A module beside this script, loaded by path (the script is not in a package)."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_schemas() -> dict[str, Any]:
    """Every create endpoint of the SDK as JSON Schemas, one per model (sdk_schema.py)."""
    return _sibling("sdk_schema").build_schemas()


def _strip(hint: Any) -> Any:
    """The type under `Required[...]` and `Annotated[...]`."""
    while get_origin(hint) in (Required, typing.Annotated):
        hint = get_args(hint)[0]
    return hint


def _alias(hint: Any, name: str) -> str:
    """The JSON name of a field: the SDK's PropertyInfo alias, or the Python name."""
    for meta in getattr(hint, "__metadata__", ()):
        if getattr(meta, "alias", None):
            return meta.alias
    if get_origin(hint) is Required:
        return _alias(get_args(hint)[0], name)
    return name


def _members(hint: Any) -> list[Any]:
    """The alternatives of a Union (or the type itself)."""
    hint = _strip(hint)
    if get_origin(hint) in (Union, types.UnionType):
        return [m for arg in get_args(hint) for m in _members(arg)]
    return [hint]


def _literals(hint: Any) -> list[Any]:
    return [v for m in _members(hint) if get_origin(m) is Literal for v in get_args(m)]


def _docstrings(module: types.ModuleType) -> dict[tuple[str, str], str]:
    """(class, attribute) → the string literal that follows the attribute in the source."""
    found: dict[tuple[str, str], str] = {}
    for node in ast.parse(inspect.getsource(module)).body:
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
    return found


def _number(pattern: str, text: str) -> int | None:
    match = re.search(pattern, text)
    return int(match.group(1)) if match else None


def _duration(hint: Any, doc: str) -> dict[str, Any]:
    values = sorted(v for v in _literals(hint) if isinstance(v, int))
    integer = any(m is int for m in _members(hint))
    span = re.search(r"(?:from|between) (\d+) (?:to|and) (\d+)", doc)
    return {
        "values": values or None,
        "range": [int(span.group(1)), int(span.group(2))] if span and integer else None,
        "any_integer": integer and not span,
        "auto": "auto" in _literals(hint),
        "default": _number(r"Defaults to (\d+)", doc),
    }


def _positions(hint: Any) -> list[str] | None:
    """Frame positions a promptImage item may name; None when the SDK leaves items untyped."""
    items = [m for m in _members(hint) if m is not str]
    if not items:
        return ["first"]
    item = get_args(items[0])[0] if get_args(items[0]) else object
    if item is object:
        return None
    return sorted(_literals(typing.get_type_hints(item, include_extras=True)["position"]))


def _model(cls: type, docs: dict[tuple[str, str], str], endpoint: str) -> dict[str, Any]:
    hints = typing.get_type_hints(cls, include_extras=True)
    doc = {name: docs.get((cls.__name__, name), "") for name in hints}
    # The SDK's TypedDicts are total=False with `Required[...]` marks; their __required_keys__
    # is empty under `from __future__ import annotations`, so the marks are read directly.
    fields = {_alias(h, n): get_origin(h) is Required for n, h in hints.items() if n != "model"}
    entry: dict[str, Any] = {"endpoint": endpoint, "fields": dict(sorted(fields.items()))}
    if "ratio" in hints:
        entry["ratios"] = [v for v in _literals(hints["ratio"]) if isinstance(v, str)]
        entry["ratio_freeform"] = any(m is str for m in _members(hints["ratio"]))
    if "duration" in hints:
        entry["duration"] = _duration(hints["duration"], doc["duration"])
    if "prompt_image" in hints:
        entry["frame_positions"] = _positions(hints["prompt_image"])
    if "prompt_text" in hints:
        entry["prompt_max_chars"] = _number(r"up to (\d+) characters", doc["prompt_text"])
        entry["prompt_non_empty"] = "non-empty" in doc["prompt_text"]
    return entry


def build_catalog() -> dict[str, Any]:
    """Every model of every endpoint the console knows, as the installed SDK declares it."""
    from runwayml import __version__

    catalog: dict[str, Any] = {"sdk_version": __version__, "endpoints": {}}
    for endpoint in ENDPOINTS:
        module = importlib.import_module(f"runwayml.types.{endpoint}_create_params")
        union = next(v for k, v in vars(module).items() if k.endswith("CreateParams"))
        docs = _docstrings(module)
        models = {}
        for cls in get_args(union) or (union,):
            name = get_args(_strip(typing.get_type_hints(cls)["model"]))[0]
            models[name] = _model(cls, docs, endpoint)
        catalog["endpoints"][endpoint] = models
    return catalog


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args()
    differs = 0
    for path, data in ((OUTPUT, build_catalog()), (SCHEMAS, build_schemas())):
        text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
        if not args.check:
            path.write_text(text)
            print(f"wrote {path}")
        elif not path.exists() or path.read_text() != text:
            print(f"{path.name} differs from the SDK: regenerate it")
            differs = 1
    return differs


if __name__ == "__main__":
    sys.exit(main())
