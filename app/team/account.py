"""A member's own account: what the page's panel and the gateway's `/organization` show them.

A member spends the operator's upstream, but the organisation's balance and usage are the
operator's business (and runs the member never made): a member sees their budget, today's
spend, what is left, their tasks at once, and their own runs per model today.
"""

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from app.core.keys import Caller
from app.core.timestamps import resets_at
from app.runway.client import RunwayClient
from app.runway.upstreams import UpstreamAccess
from app.storage.database import Database
from app.storage.schema import tasks_table
from app.team.members import Members
from app.team.running_limit import running
from app.team.usage import Usage


@dataclass(frozen=True)
class MemberAccount:
    name: str
    used: int  # credits counted against today (UTC)
    budget: int | None  # None: no daily budget
    running: int
    max_running: int | None
    runs_today: dict[str, int]  # model: tasks started today
    resets_at: str

    @property
    def left(self) -> int | None:
        return None if self.budget is None else max(0, self.budget - self.used)


def _runs_today(conn: Connection, owner: str, since: float) -> dict[str, int]:
    c = tasks_table.c
    query = (
        select(c.model, func.count())
        .where(c.owner == owner, c.created_at >= since)
        .group_by(c.model)
    )
    return {model: int(count) for model, count in conn.execute(query)}


class UpstreamAccounts:
    """The organisation's credits and limits on an upstream, where it offers them (the page's
    account panel and the gateway's `/organization`)."""

    def __init__(self, client: RunwayClient, upstreams: UpstreamAccess) -> None:
        self._client = client
        self._upstreams = upstreams

    async def organization(self, address: str | None, caller: Caller) -> dict[str, Any]:
        upstream = await self._upstreams.resolve(address)
        return await self._client.organization(upstream, self._upstreams.key_for(upstream, caller))


async def member_account(members: Members, usage: Usage, name: str) -> MemberAccount | None:
    """The member's day as it stands, or None when no such member is left."""
    member = await members.get(name)
    if member is None:
        return None
    now = time.time()
    midnight = resets_at(now).timestamp() - 86_400
    storage: Database = members.storage

    def work(conn: Connection) -> tuple[int, dict[str, int]]:
        return running(conn, name, now), _runs_today(conn, member.owner, midnight)

    count, runs = await storage.run(work)
    used = await usage.today(name)
    resets = resets_at(now).isoformat().replace("+00:00", "Z")
    return MemberAccount(name, used, member.daily_credits, count, member.max_running, runs, resets)


def organization_answer(upstream: dict[str, Any], account: MemberAccount) -> dict[str, Any]:
    """Runway's organization shape for a member: the upstream's balance capped by what is left
    of the budget, the member's limits where the console has them, and their own usage."""
    balance = upstream.get("creditBalance")
    if account.left is not None:
        balance = min(balance, account.left) if isinstance(balance, int) else account.left
    answer = dict(upstream)
    answer["creditBalance"] = balance
    theirs = (upstream.get("usage") or {}).get("models")
    runs = dict.fromkeys(theirs if isinstance(theirs, dict) else (), 0) | account.runs_today
    answer["usage"] = {"models": {model: {"dailyGenerations": n} for model, n in runs.items()}}
    if account.max_running is not None:
        tier = dict(answer.get("tier") or {})
        models = tier.get("models") if isinstance(tier.get("models"), dict) else {}
        tier["models"] = {
            name: {**(limits or {}), "maxConcurrentGenerations": account.max_running}
            for name, limits in models.items()
        }
        answer["tier"] = tier
    return answer
