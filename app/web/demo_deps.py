"""Who is asking on the demo page: the demo (from the app) and the browser's demo session."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from app.core.i18n import gettext as _
from app.demo.service import Demo
from app.demo.sessions import COOKIE, COOKIE_SECONDS, demo_owner, new_session_id, valid_session_id
from app.web.deps import services


class Session:
    """The demo session of this request; a new one gets its cookie on the response."""

    def __init__(self, request: Request) -> None:
        found = request.cookies.get(COOKIE)
        self.is_new = not valid_session_id(found)
        self.id = new_session_id() if self.is_new else str(found)
        self.owner = demo_owner(services(request).running.demo.secret, self.id)

    def keep(self, request: Request, response: Response) -> Response:
        if self.is_new:
            response.set_cookie(
                COOKIE,
                self.id,
                max_age=COOKIE_SECONDS,
                httponly=True,
                samesite="lax",
                secure=request.url.scheme == "https",
            )
        return response


async def get_demo(request: Request) -> Demo:
    return services(request).running.demo


DemoDep = Annotated[Demo, Depends(get_demo)]
SessionDep = Annotated[Session, Depends(Session)]


def brand(demo: Demo) -> str:
    return demo.settings.brand_name.strip() or _("Image to video")
