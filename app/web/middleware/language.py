"""Each request in its person's language: the `lang` cookie, else the browser's Accept-Language.

The choice is held for the request in i18n's context variable, so every message made while it
is handled (validation errors, hints, refusals) comes out in that language.
"""

from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.i18n import COOKIE, choose, language
from app.web.scope import cookie, header


class LanguageMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chosen = choose(cookie(scope, COOKIE), header(scope, b"accept-language"))
        with language(chosen):
            await self.app(scope, receive, send)
