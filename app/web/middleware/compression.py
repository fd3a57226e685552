"""gzip for pages, fragments, JSON and static text; never for videos, zips or images.

Compressing a video would break Range requests (the player's seeking) and gain nothing, and
zips and images are compressed already.
"""

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from app.web.scope import header

UNCOMPRESSED_PREFIXES = ("/media/", "/simulator/outputs/", "/frames/")
UNCOMPRESSED_SUFFIXES = (".zip", ".mp4")


class CompressionMiddleware:
    def __init__(self, app: ASGIApp, minimum_size: int = 500) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=minimum_size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.wanted(scope):
            await self.app(scope, receive, send)
            return
        await self.gzip(scope, receive, send)

    @staticmethod
    def wanted(scope: Scope) -> bool:
        """Whether this response may be gzipped: asked for, and not a kind that must not be.

        Checked first, so a client that does not ask (scripts, the API) skips the gzip
        wrapper's per-response work entirely.
        """
        path = scope["path"]
        if path.startswith(UNCOMPRESSED_PREFIXES) or path.endswith(UNCOMPRESSED_SUFFIXES):
            return False
        return "gzip" in header(scope, b"accept-encoding")
