"""Values that parse as JSON in Python but cannot go on: lone surrogates, NaN and Infinity.

Python's JSON reader accepts both, yet neither can be written into the upstream request, the
database or an answer. Each function names where they sit, so a create is refused by field.
"""

import json
import math
import re
from typing import Any


def _printable(name: object) -> str:
    return str(name).encode("utf-8", "replace").decode("utf-8")


def lone_surrogates(value: object, path: str = "") -> list[str]:
    """Where a string holds a lone surrogate (`"\\ud800"`): valid JSON, but not text that the
    upstream request, the database or any answer could encode."""
    if isinstance(value, str):
        return [] if value.isascii() or _encodes(value) else [path or "body"]
    if isinstance(value, dict):
        found = [_printable(path or "body") for key in value if not _encodes(str(key))]
        items = (
            (f"{path}.{_printable(k)}" if path else _printable(k), v) for k, v in value.items()
        )
    elif isinstance(value, list):
        found, items = [], ((f"{path}[{index}]", item) for index, item in enumerate(value))
    else:
        return []
    return found + [hit for sub_path, item in items for hit in lone_surrogates(item, sub_path)]


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def non_finite_numbers(value: object, path: str = "") -> list[str]:
    """Where NaN or ±Infinity sit in a parsed body: Python's JSON reader accepts them, but they
    are not JSON, and the upstream request could not be encoded with them."""
    if isinstance(value, float) and not math.isfinite(value):
        return [path or "body"]
    if isinstance(value, dict):
        items = ((f"{path}.{key}" if path else str(key), item) for key, item in value.items())
    elif isinstance(value, list):
        items = ((f"{path}[{index}]", item) for index, item in enumerate(value))
    else:
        return []
    return [found for sub_path, item in items for found in non_finite_numbers(item, sub_path)]


MAX_DEPTH = 64  # Runway's bodies nest 4 deep; Python's reader recurses once per level
_STRINGS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")


class NotJson(ValueError):
    """A body that is not JSON the console reads, with the reason to answer with."""


def parse_json(body: bytes | str) -> Any:
    """The one reader of JSON that strangers send (gateway, hooks, simulator): a body nested past
    MAX_DEPTH is refused before Python's recursive reader sees it, where it would overflow the
    stack (a RecursionError, a 500) instead of answering what is wrong."""
    raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    if _depth(raw) > MAX_DEPTH:
        raise NotJson(f"Request body is nested deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise NotJson("Request body must be JSON") from None


def _depth(raw: bytes) -> int:
    """How deep arrays and objects nest, strings aside (a bracket in a string is text)."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub(b"", raw)):
        depth += 1 if bracket in (b"[", b"{") else -1
        deepest = max(deepest, depth)
    return deepest
