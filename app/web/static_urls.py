"""Versioned static URLs: a content hash in the query lets browsers cache for a year.

The console's scripts are kept one job a file (CONSOLE_SCRIPTS) and served as one, BUNDLE:
apart, each compressed alone, they cost the first load of / ~3 KB more (bench/page_weight.py).
"""

import hashlib
from functools import cache

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from app.core.resources import resource_dir

# The console's own scripts in the order they run: app.js first, as it defines `tr` and
# `consolePage`, which the others use.
CONSOLE_SCRIPTS = (
    "app.js",
    "frames.js",
    "media.js",
    "code.js",
    "results.js",
    "video.js",
    "audio.js",
)
BUNDLE = "console.js"


@cache
def bundle(names: tuple[str, ...] = CONSOLE_SCRIPTS) -> bytes:
    """CONSOLE_SCRIPTS joined, each under a line naming its file (for a person reading it in
    the browser's tools)."""
    static = resource_dir("static")
    return b"".join(b"// static/%s\n%s\n" % (n.encode(), (static / n).read_bytes()) for n in names)


@cache
def _digest(path: str) -> str:
    data = bundle() if path == BUNDLE else (resource_dir("static") / path).read_bytes()
    return hashlib.sha256(data).hexdigest()[:12]


def static_url(path: str) -> str:
    return f"/static/{path}?v={_digest(path)}"


class VersionedStaticFiles(StaticFiles):
    """Static files; a URL with the content hash (`?v=`) may be cached for a year."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        if path == BUNDLE:
            response: Response = Response(bundle(), media_type="text/javascript; charset=utf-8")
        else:
            response = await super().get_response(path, scope)
        versioned = b"v=" in scope.get("query_string", b"")
        response.headers["Cache-Control"] = (
            "public, max-age=31536000, immutable" if versioned else "no-cache"
        )
        return response
