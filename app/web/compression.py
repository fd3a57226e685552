"""gzip for pages, fragments, JSON and static text; never for videos, zips or images.

Compressing a video would break Range requests (the player's seeking) and gain nothing, and
zips and images are compressed already.
"""

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

UNCOMPRESSED_PREFIXES = ("/media/", "/simulator/outputs/", "/frames/")
UNCOMPRESSED_SUFFIXES = (".zip", ".mp4")


class CompressionMiddleware:
    def __init__(self, app: ASGIApp, minimum_size: int = 500) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=minimum_size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path.startswith(UNCOMPRESSED_PREFIXES) or path.endswith(UNCOMPRESSED_SUFFIXES):
            await self.app(scope, receive, send)
            return
        await self.gzip(scope, receive, send)
