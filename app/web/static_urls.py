"""Versioned static URLs: a content hash in the query lets browsers cache for a year."""

import hashlib
from functools import cache

from app.resources import resource_dir


@cache
def _digest(path: str) -> str:
    data = (resource_dir("static") / path).read_bytes()
    return hashlib.sha256(data).hexdigest()[:12]


def static_url(path: str) -> str:
    return f"/static/{path}?v={_digest(path)}"
