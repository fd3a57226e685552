"""Members' budgets as the task service meets them: before a create, after it, when it ends.

Only tasks of members are counted (a personal key pays for itself); a member's task goes to the
console's own upstream, with the operator's key, and nowhere else.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from app.catalog.credits import estimate_credits
from app.catalog.validation import FieldError, Invalid
from app.core.i18n import gettext as _
from app.core.keys import Caller, member_name
from app.logs.task_events import refused_for_budget
from app.runway.endpoints import Upstream
from app.storage.task_record import TaskRecord
from app.team.usage import OverBudget, Usage, refusal_reason


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
        # (member, reason) per refused create, into the database (app/team/refusals.py)
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
        self.check_upstream(caller.owner, upstream)
        try:
            return await self._usage.hold(member, estimate_credits(body, endpoint), endpoint)
        except OverBudget as exc:
            if self._count_refusal is not None:
                await self._count_refusal(member, refusal_reason(exc))
            refused_for_budget(member, endpoint)
            raise

    def check_upstream(self, owner: str, upstream: Upstream) -> None:
        """A member's task goes to the console's own upstream only (Invalid naming baseUrl):
        checked with a body's other fields, before any run of a group is sent, and again by
        `hold`."""
        if self._usage is None or member_name(owner) is None:
            return
        if upstream.base_url != self._member_upstream:
            message = _("a member token spends this console's own upstream only")
            raise Invalid([FieldError("baseUrl", message)])

    async def created(self, hold: str | None, task_id: str, upstream_estimate: int | None) -> None:
        """The upstream took the task: the hold becomes its charge, raised to the upstream's own
        estimate when that is higher, never lowered by it (an upstream that reports none or 0
        must not lift the budget)."""
        if hold is not None and self._usage is not None:
            await self._usage.charge(hold, task_id, upstream_estimate)

    async def refused(self, hold: str | None) -> None:
        if hold is not None and self._usage is not None:
            await self._usage.release(hold)

    async def ended(self, record: TaskRecord) -> None:
        """A member's task reached a final status: its final cost as the record read it (the
        one parse of credits, app/catalog/credits.py), when the upstream reported one."""
        if member_name(record.owner) is not None and self._usage is not None:
            await self._usage.settle(record.id, record.status, record.cost_credits)


NO_BUDGETS = Budgets(None, "")
