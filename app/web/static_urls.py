"""Versioned static URLs: a content hash in the query lets browsers cache for a year."""

import hashlib
from functools import cache

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from app.core.resources import resource_dir


@cache
def _digest(path: str) -> str:
    data = (resource_dir("static") / path).read_bytes()
    return hashlib.sha256(data).hexdigest()[:12]


def static_url(path: str) -> str:
    return f"/static/{path}?v={_digest(path)}"


class VersionedStaticFiles(StaticFiles):
    """Static files; a URL with the content hash (`?v=`) may be cached for a year."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        versioned = b"v=" in scope.get("query_string", b"")
        response.headers["Cache-Control"] = (
            "public, max-age=31536000, immutable" if versioned else "no-cache"
        )
        return response
