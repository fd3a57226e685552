"""Who calls the gateway: a member (by token) or a developer with their own Runway key.

An SDK cannot log in, so the gateway's paths skip the console's password and authenticate by
the bearer alone. A member token (`rc_…`) spends the operator's upstream under the member's
name and budget; any other bearer is the caller's own Runway key, forwarded to the default
upstream and recorded under its owner (recording pass-through), unless the operator turned that
off. A token-shaped bearer is never forwarded, nor is the console's own password.

With a password set, any other bearer is a guess at it as much as a key: it is checked against
the login limiter (app/web/middleware/access.py) before anything, and it stays a guess until
the upstream accepts it, so every answer to it but a success counts as a failed login
(app/gateway/routes.py), a refused body, an unknown task and an unreachable upstream alike.
The password itself is no key: it goes the way of any key, with a key derived from it sent in
its place (`UpstreamAccess.stand_in`), so it gets what a key nobody knows gets, from the same
code, and the answer never tells whether the guess was the password. The built-in simulator
runs on this machine's cores and disk: behind a password it is for member tokens (and the
signed-in page), never any bearer.
"""

import re
import time
from dataclasses import dataclass

from starlette.requests import Request

from app.core.keys import Caller
from app.core.secret_compare import header_bytes, same_secret
from app.core.settings import Settings
from app.runway.endpoints import BadAddress, UpstreamKind, resolve_upstream
from app.runway.upstreams import UpstreamAccess
from app.team.members import Members, looks_like_token
from app.web.deps import services
from app.web.middleware.access import LoginLimiter, client_key, throttled_words

REFUSED_KEY = "Invalid API key"
MEMBERS_ONLY = "Invalid API key: this console accepts member tokens only"
# What a key can be on its way upstream: printable ASCII. Any other bearer is no key anybody
# holds, and is sent as the password is, as a key derived from it (`UpstreamAccess.stand_in`).
SENDABLE = re.compile(r"[\x20-\x7e]+")


class GatewayRefusal(Exception):
    """An answer in Runway's error shape instead of the one asked for."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass(frozen=True)
class GatewayCaller:
    """The caller as the task service knows it, whether it is a member, and where its tasks go.

    `guess`: a bearer that is no member token, behind a password: any answer to it but a
    success counts as a failed login (app/gateway/routes.py)."""

    caller: Caller
    member: str | None
    address: str
    guess: bool = False


def _bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise GatewayRefusal(401, "Missing API key: send Authorization: Bearer <token>")
    return token


def count_guess(request: Request) -> None:
    """A bearer refused or answered amiss behind a password: a failed login for the limiter."""
    limiter: LoginLimiter = services(request).login_limiter
    limiter.failed(client_key(request), time.time())


def _refused_guess(request: Request, message: str) -> GatewayRefusal:
    count_guess(request)
    return GatewayRefusal(401, message)


def _throttled(request: Request) -> None:
    """429 while the client's address is past the login limit, for any bearer but a member's."""
    limiter: LoginLimiter = services(request).login_limiter
    wait = limiter.retry_after(client_key(request), time.time())
    if wait > 0:
        seconds, message = throttled_words(wait)
        raise GatewayRefusal(429, message, {"Retry-After": seconds})


def _is_simulator(address: str) -> bool:
    try:
        return resolve_upstream(address).kind is UpstreamKind.SIMULATOR
    except BadAddress:  # the operator's own setting; refused with a field error when used
        return False


def _key_caller(upstreams: UpstreamAccess, token: str, withheld: bool = False) -> Caller:
    """The caller a bearer stands for as a key: itself, or a key derived from it where it must
    not travel (the password) or cannot (no header can carry it)."""
    if withheld or SENDABLE.fullmatch(token) is None:
        return upstreams.stand_in(token)
    return upstreams.caller(token)


async def gateway_caller(
    request: Request, settings: Settings, members: Members, upstreams: UpstreamAccess
) -> GatewayCaller:
    """The caller a bearer stands for, or a 401 (429 when throttled) in Runway's shape."""
    token = _bearer(request)
    if looks_like_token(token):
        member = await members.find(token)
        if member is None:  # unknown or revoked: the same answer, so neither is revealed
            raise GatewayRefusal(401, REFUSED_KEY)
        return GatewayCaller(Caller(None, member.owner), member.name, upstreams.default_address)
    address = settings.runwayml_base_url or upstreams.default_address
    if settings.password is None:
        if not settings.gateway_passthrough:
            raise GatewayRefusal(401, MEMBERS_ONLY)
        return GatewayCaller(_key_caller(upstreams, token), None, address)
    _throttled(request)
    password = settings.password.get_secret_value()
    is_password = same_secret(header_bytes(token), password)
    if not settings.gateway_passthrough:
        raise _refused_guess(request, MEMBERS_ONLY)
    if _is_simulator(address):
        message = "Invalid API key: this console's built-in simulator takes member tokens only"
        raise _refused_guess(request, message)
    return GatewayCaller(_key_caller(upstreams, token, is_password), None, address, guess=True)
