"""The console's upstream connections never outlive the upstream's own keep-alive.

A create is never retried (it may have started a billed task), so a create must not be sent on
an idle connection the upstream is closing that very moment: seen as a 502 "could not reach
…: ReadError" in 3 of 9 benchmark runs, when the console and uvicorn both kept idle connections
for 5 s. The console's connector drops theirs first."""

import uvicorn

from app.main import UPSTREAM_KEEPALIVE_S, network_transport
from app.runway.guard import GuardPolicy


async def test_an_idle_upstream_connection_is_dropped_before_uvicorn_drops_it() -> None:
    uvicorns = uvicorn.Config(app=None).timeout_keep_alive
    transport = network_transport(GuardPolicy())
    session = transport._inner.get_client()  # the engine's session, as its first request makes
    try:
        assert session.connector._keepalive_timeout == UPSTREAM_KEEPALIVE_S
        assert uvicorns > UPSTREAM_KEEPALIVE_S
    finally:
        await session.close()
