"""A member's sign-in on the login form: their own token instead of the password.

The token is checked by its hash (app/team/members.py), and a wrong one counts against the client in
the same limiter as a wrong password, so the form cannot be used to try tokens faster than
passwords. A revoked or unknown token fails exactly as a wrong password does.
"""

import time

from app.team.members import Members, looks_like_token
from app.web.middleware.access import Attempt, LoginLimiter


def is_member_sign_in(given: str) -> bool:
    """Whether the login field holds a member token rather than the password."""
    return looks_like_token(given.strip())


async def check_member_token(
    limiter: LoginLimiter, members: Members, client: str, given: str
) -> tuple[Attempt, str | None]:
    """(the attempt, the member's name when it succeeded): throttled like the password."""
    now = time.time()
    wait = limiter.retry_after(client, now)
    if wait > 0:
        return Attempt(False, wait), None
    member = await members.find(given.strip())
    if member is None:
        limiter.failed(client, now)
        return Attempt(False), None
    limiter.succeeded(client)
    return Attempt(True), member.name
