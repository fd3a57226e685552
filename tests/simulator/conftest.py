"""The simulator's own fixture: its app alone, in process, on a data dir of its own."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from app.simulator.app import create_simulator_app


@pytest.fixture
async def sim(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The standalone simulator at twice the console tests' speed, reached through httpx's ASGI
    transport; its renders still queued or running are stopped when the test ends."""
    app = create_simulator_app(tmp_path / "sim", speed=10)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://sim") as c:
        yield c
    app.state.sim.renderer.shutdown()
