"""A console whose own upstream is a scripted relay (tests/relay_stub.py), and its members.

The operator's key and address point at the relay on loopback, so a member's creates and reads
go there: what the relay says is what a member's budget meets.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from app.web.deps import services
from tests.conftest import asgi_client, make_settings, started
from tests.helpers import EXAMPLE_FRAME
from tests.relay_stub import RelayStub

VERSION = {"X-Runway-Version": "2024-11-06"}
PASSWORD = "member relay password"


@dataclass
class Console:
    app: FastAPI
    http: httpx.AsyncClient

    async def member(self, name: str, daily_credits: int | None) -> dict[str, str]:
        _member, token = await services(self.app).members.create(name, daily_credits)
        return {"Authorization": f"Bearer {token}", **VERSION}

    async def spent(self, name: str) -> int:
        return await services(self.app).usage.today(name)


@asynccontextmanager
async def member_console(
    relay: RelayStub, data_dir: Path, **extra: object
) -> AsyncIterator[Console]:
    """A console whose own upstream is the relay: members' creates are sent there."""
    settings_ = make_settings(
        data_dir,
        CONSOLE_ALLOW_PRIVATE_UPSTREAMS=True,
        CONSOLE_PASSWORD=PASSWORD,
        RUNWAYML_API_SECRET="key_operator_budget_rules_0001",
        RUNWAYML_BASE_URL=relay.base_url,
        CONSOLE_READ_TIMEOUT_S=5,
        **extra,
    )
    async with started(settings_) as app, asgi_client(app, timeout=60) as http:
        yield Console(app, http)


def i2v(duration: object = 5, **extra: object) -> dict[str, Any]:
    body = {"model": "gen4_turbo", "promptImage": EXAMPLE_FRAME, "ratio": "1280:720"}
    return {**body, "duration": duration, **extra}
