"""The key taken out of everything an upstream answers, before anyone stores, logs or shows it.

A hostile or careless relay can echo the `Authorization` header it received into a note, a
failure text or an error body. Whatever the console keeps of an answer (the transcript, the
failure, the 502 it answers with) comes from the answer the client returns, so the key is
replaced by its mask there, once, for every caller. A JSON string may spell the key with
escapes (`\\u0068k-…`), which a byte search misses: when the decoded answer still holds it, the
answer is written out again from its redacted values.
"""

import contextlib
import json
import re
from collections.abc import Iterable
from typing import Any

from app.core.keys import mask_key

MIN_SECRET_CHARS = 8  # shorter strings occur in ordinary text; replacing them would garble it
MAX_KEY_CHARS = 256  # a Runway key is `key_` and 128 hex digits; a relay's may be longer
# A run of the characters keys are made of (base64's `+/=` too), and the places in it where a
# key may start or end: beside any punctuation, since a relay may glue `.`, `-` or `~` to it.
KEYLIKE = re.compile(r"[A-Za-z0-9_.~+/=-]{" + str(MIN_SECRET_CHARS) + ",512}")
CUT = re.compile(r"(?<=[_.~+/=-])|(?=[_.~+/=-])")
MAX_CANDIDATES = 4096  # each is one HMAC (~16 µs with the compare): one delivery ~65 ms at most
Headers = list[tuple[str, str]]


def _redact_value(value: Any, key: str, mask: str) -> Any:
    if isinstance(value, str):
        return value.replace(key, mask)
    if isinstance(value, list):
        return [_redact_value(item, key, mask) for item in value]
    if isinstance(value, dict):
        return {
            _redact_value(name, key, mask): _redact_value(item, key, mask)
            for name, item in value.items()
        }
    return value


def _decoded_holds(value: Any, key: str) -> bool:
    if isinstance(value, str):
        return key in value
    if isinstance(value, list):
        return any(_decoded_holds(item, key) for item in value)
    if isinstance(value, dict):
        return any(_decoded_holds(k, key) or _decoded_holds(v, key) for k, v in value.items())
    return False


def redact_bytes(content: bytes, key: str) -> bytes:
    """`content` with the key (bare, so `Bearer <key>` too) replaced by its mask."""
    mask = mask_key(key)
    content = content.replace(key.encode(), mask.encode())
    try:
        data = json.loads(content)
    except (ValueError, RecursionError):
        return content
    if not _decoded_holds(data, key):
        return content
    return json.dumps(_redact_value(data, key, mask), ensure_ascii=False).encode()


def without_surrogates(value: Any) -> Any:
    """A decoded JSON value with lone surrogates (`"\\ud800"`, valid JSON but not valid text)
    replaced, so that the database, the page and every JSON answer can encode it."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, list):
        return [without_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {without_surrogates(k): without_surrogates(v) for k, v in value.items()}
    return value


def _redact_headers(headers: Headers, key: str) -> Headers:
    mask = mask_key(key)
    return [(name.replace(key, mask), value.replace(key, mask)) for name, value in headers]


def redact_answer(headers: Headers, content: bytes, key: str | None) -> tuple[Headers, bytes]:
    """An answer's headers and body with the key masked in the body and the header values,
    before the response is built from them (once: building it twice cost a create ~0.1 ms)."""
    if not key or len(key) < MIN_SECRET_CHARS:
        return headers, content
    return _redact_headers(headers, key), redact_bytes(content, key)


def redact_delivery(headers: Headers, body: bytes, keys: Iterable[str]) -> tuple[Headers, bytes]:
    """A relay's callback (app/tasks/hook_receiver.py) with each key masked in its headers and body,
    as an answer is: a relay may echo the key it was called with into what it sends."""
    for key in keys:
        if len(key) >= MIN_SECRET_CHARS:
            headers, body = _redact_headers(headers, key), redact_bytes(body, key)
    return headers, body


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, (list, dict)):
        for item in value.items() if isinstance(value, dict) else value:
            yield from _strings(item)
    elif isinstance(value, tuple):
        for item in value:
            yield from _strings(item)


def _cut_pieces(word: str) -> Iterable[str]:
    """Every part of `word` that starts and ends at a punctuation boundary (the word itself
    too) and is as long as a key may be."""
    cuts = sorted({0, len(word), *(match.start() for match in CUT.finditer(word))})
    for i, start in enumerate(cuts):
        for end in cuts[i + 1 :]:
            if end - start > MAX_KEY_CHARS:
                break
            if end - start >= MIN_SECRET_CHARS:
                yield word[start:end]


def keylike_words(headers: Headers, body: bytes) -> set[str]:
    """Every word of a callback that could be a key, as sent and as its JSON decodes
    (`\\u0068k-…`): the receiver checks each against the task's owner, an HMAC of the key,
    so a key the console no longer holds (after a restart, on another replica) is found too.
    A key glued to punctuation (`key_….`, `…-7`) is found by the word's parts cut there."""
    texts = [text for pair in headers for text in pair] + [body.decode("utf-8", "replace")]
    with contextlib.suppress(ValueError, RecursionError):
        texts.extend(_strings(json.loads(body)))
    found: set[str] = set()
    for word in {word for text in texts for word in KEYLIKE.findall(text)}:
        for piece in _cut_pieces(word):
            found.add(piece)
            if len(found) >= MAX_CANDIDATES:
                return found
    return found
