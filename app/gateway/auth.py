"""Who calls the gateway: a member (by token) or a developer with their own Runway key.

An SDK cannot log in, so the gateway's paths skip the console's password and authenticate by
the bearer alone. A member token (`rc_…`) spends the operator's upstream under the member's
name and budget; any other bearer is the caller's own Runway key, forwarded to the default
upstream and recorded under its owner (recording pass-through), unless the operator turned that
off. A token-shaped bearer is never forwarded, nor is the console's own password.
"""

import hmac
from dataclasses import dataclass

from starlette.requests import Request

from app.keys import Caller
from app.members import Members, looks_like_token
from app.settings import Settings
from app.upstreams import UpstreamAccess


class GatewayRefusal(Exception):
    """An answer in Runway's error shape instead of the one asked for."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass(frozen=True)
class GatewayCaller:
    """The caller as the task service knows it, whether it is a member, and where its tasks go."""

    caller: Caller
    member: str | None
    address: str


def _bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise GatewayRefusal(401, "Missing API key: send Authorization: Bearer <token>")
    return token


async def gateway_caller(
    request: Request, settings: Settings, members: Members, upstreams: UpstreamAccess
) -> GatewayCaller:
    """The caller a bearer stands for, or a 401 in Runway's shape."""
    token = _bearer(request)
    if looks_like_token(token):
        member = await members.find(token)
        if member is None:  # unknown or revoked: the same answer, so neither is revealed
            raise GatewayRefusal(401, "Invalid API key")
        return GatewayCaller(Caller(None, member.owner), member.name, upstreams.default_address)
    password = settings.password.get_secret_value() if settings.password else None
    if password and hmac.compare_digest(password.encode(), token.encode()):
        raise GatewayRefusal(401, "The console's password is not an API key: use a member token")
    if not settings.gateway_passthrough:
        raise GatewayRefusal(401, "Invalid API key: this console accepts member tokens only")
    address = settings.runwayml_base_url or upstreams.default_address
    return GatewayCaller(upstreams.caller(token), None, address)
