"""What a request looked like on the wire, safe to show: key masked, data URIs shortened."""

import re
from typing import Any

from app.core.keys import mask_key

# A data URI inside code text: its head, 16 characters to recognise it by, and the rest.
DATA_URI_IN_TEXT = re.compile(r"(data:[\w/+.-]+;base64,)([A-Za-z0-9+/]{16})[A-Za-z0-9+/=]{64,}")


def describe_size(byte_count: int) -> str:
    """An image's size as the inspector and the code view name it: 3 bytes per 4 characters."""
    if byte_count >= 1024 * 1024:
        return f"{byte_count / (1024 * 1024):.1f} MB"
    return f"{max(1, round(byte_count / 1024))} KB"


def shorten_data_uris(value: Any) -> Any:
    """`data:image/png;base64,…(1.2 MB)` in place of each data URI, anywhere in a JSON value."""
    if isinstance(value, str) and value.startswith("data:") and "," in value[:120]:
        head = value.split(",", 1)[0]
        return f"{head},…({describe_size(len(value) * 3 // 4)})"
    if isinstance(value, list):
        return [shorten_data_uris(item) for item in value]
    if isinstance(value, dict):
        return {key: shorten_data_uris(item) for key, item in value.items()}
    return value


def shorten_data_uris_in_text(text: str) -> str:
    """Code as the page shows it: each data URI cut to its head, 16 characters and its size
    (the copy button copies the code whole)."""

    def short(match: re.Match[str]) -> str:
        size = describe_size(len(match.group(0)) * 3 // 4)
        return f"{match.group(1)}{match.group(2)}…({size})"

    return DATA_URI_IN_TEXT.sub(short, text)


def masked_headers(headers: dict[str, str]) -> dict[str, str]:
    """The headers as sent, with the bearer token replaced by its mask."""
    shown = dict(headers)
    scheme, _, token = shown.get("Authorization", "").partition(" ")
    if token:
        shown["Authorization"] = f"{scheme} {mask_key(token)}"
    return shown
