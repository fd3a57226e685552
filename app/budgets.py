"""Members' budgets as the task service meets them: before a create, after it, when it ends.

Only tasks of members are counted (a personal key pays for itself); a member's task goes to the
console's own upstream, with the operator's key, and nowhere else.
"""

import json
from collections.abc import Awaitable, Callable
from typing import Any

from app.i18n import gettext as _
from app.keys import Caller
from app.members import member_name
from app.runway.endpoints import Upstream
from app.storage import TaskRecord
from app.task_log import refused_for_budget
from app.usage import OverBudget, Usage, estimate_credits, refusal_reason
from app.validation import FieldError, Invalid


def _credits(answer: dict[str, Any], field: str) -> int | None:
    value = answer.get(field)
    if isinstance(value, dict) and isinstance(value.get("credits"), int | float):
        return int(value["credits"])
    return None


def _json(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


class Budgets:
    """Holds a member's estimate before a create is sent, and settles it when the task ends."""

    def __init__(
        self,
        usage: Usage | None,
        member_upstream: str,
        count_refusal: Callable[[str, str], Awaitable[None]] | None = None,
    ) -> None:
        self._usage = usage  # None: a service with no members (tests of other parts)
        self._member_upstream = member_upstream
        # (member, reason) per refused create, into the database (app/member_refusals.py)
        self._count_refusal = count_refusal

    async def hold(
        self,
        caller: Caller,
        upstream: Upstream,
        body: dict[str, Any],
        endpoint: str = "image_to_video",
    ) -> str | None:
        """Count the estimate against today (OverBudget past the budget); None for non-members."""
        member = member_name(caller.owner)
        if member is None or self._usage is None:
            return None
        if upstream.base_url != self._member_upstream:
            message = _("a member token spends this console's own upstream only")
            raise Invalid([FieldError("baseUrl", message)])
        try:
            return await self._usage.hold(member, estimate_credits(body, endpoint), endpoint)
        except OverBudget as exc:
            if self._count_refusal is not None:
                await self._count_refusal(member, refusal_reason(exc))
            refused_for_budget(member, endpoint)
            raise

    async def created(self, hold: str | None, task_id: str, answer_text: str) -> None:
        """The upstream took the task: the hold is its charge, at the upstream's own estimate
        when its answer carried one."""
        if hold is not None and self._usage is not None:
            estimate = _credits(_json(answer_text), "estimatedCost")
            await self._usage.charge(hold, task_id, estimate)

    async def refused(self, hold: str | None) -> None:
        if hold is not None and self._usage is not None:
            await self._usage.release(hold)

    async def ended(self, record: TaskRecord, answer: dict[str, Any]) -> None:
        """A member's task reached a final status: the upstream's final cost, when it gave one."""
        if member_name(record.owner) is not None and self._usage is not None:
            await self._usage.settle(record.id, record.status, _credits(answer, "cost"))


NO_BUDGETS = Budgets(None, "")
