"""The team's totals, read from the shared database when Prometheus scrapes any replica.

Counting them in the database rather than in each process makes one scrape of any replica give
the whole team's figures, right however many replicas there are and across restarts, and costs
the create path nothing: the rows are written anyway, and the few grouped queries here run once
per scrape. Label values come from a closed set (the catalog's endpoints and models, Runway's
statuses, members' names): a relay that answers an odd status cannot grow the series.
"""

from collections import Counter as Tally
from collections.abc import Iterator
from dataclasses import dataclass

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import case, func, select
from sqlalchemy.engine import Connection

from app.catalog.models import ENDPOINT_MODELS, recorded_models
from app.runway.status import STATUSES, Status
from app.storage.database import Database
from app.storage.schema import charges_table, hook_deliveries_table, tasks_table
from app.team.refusals import refusal_totals

OTHER = "other"


@dataclass(frozen=True)
class MemberCredits:
    member: str
    estimated: int  # the upstream's estimates of the tasks it accepted
    charged: int  # ended tasks at the upstream's final cost
    held: int  # counted against today's budget, the task not ended yet


@dataclass(frozen=True)
class SharedTotals:
    tasks: dict[tuple[str, str, str], int]  # (endpoint, model, status): tasks kept
    credits: list[MemberCredits]
    videos_pending: int
    videos_failed: int
    callbacks: int
    refusals: dict[tuple[str, str], int]  # (member, reason): creates refused before sending


def _task_labels(endpoint: str, model: str, status: str) -> tuple[str, str, str]:
    models = ENDPOINT_MODELS.get(endpoint)
    return (
        endpoint if models is not None else OTHER,
        model if models and model in recorded_models(endpoint) else OTHER,
        status if status in STATUSES else OTHER,
    )


def _tasks(conn: Connection) -> dict[tuple[str, str, str], int]:
    columns = (tasks_table.c.endpoint, tasks_table.c.model, tasks_table.c.status)
    tally: Tally[tuple[str, str, str]] = Tally()
    for endpoint, model, status, count in conn.execute(
        select(*columns, func.count()).group_by(*columns)
    ):
        tally[_task_labels(endpoint, model, status)] += count
    return dict(tally)


def _credits(conn: Connection) -> list[MemberCredits]:
    c = charges_table.c
    query = (
        select(
            c.member,
            func.sum(case((c.status != "HOLD", c.estimated), else_=0)),
            func.sum(case((c.settled_at.is_not(None), c.credits), else_=0)),
            func.sum(case((c.settled_at.is_(None), c.credits), else_=0)),
        )
        .group_by(c.member)
        .order_by(c.member)
    )
    return [
        MemberCredits(member, int(estimated or 0), int(charged or 0), int(held or 0))
        for member, estimated, charged, held in conn.execute(query)
    ]


def _videos(conn: Connection) -> tuple[int, int]:
    """(pending, failed): succeeded tasks whose output is not copied, by whether the last copy
    attempt failed (it is tried again up to media.MAX_ATTEMPTS times)."""
    failed = tasks_table.c.video_error.is_not(None)
    query = (
        select(failed, func.count())
        .where(tasks_table.c.status == Status.SUCCEEDED, tasks_table.c.video_path.is_(None))
        .group_by(failed)
    )
    counts = {bool(key): int(count) for key, count in conn.execute(query)}
    return counts.get(False, 0), counts.get(True, 0)


async def read_totals(storage: Database) -> SharedTotals:
    """Every total in one read transaction, so a scrape sees one moment of the database."""

    def work(conn: Connection) -> SharedTotals:
        pending, failed = _videos(conn)
        callbacks = conn.execute(select(func.count()).select_from(hook_deliveries_table)).scalar()
        return SharedTotals(
            _tasks(conn),
            _credits(conn),
            pending,
            failed,
            int(callbacks or 0),
            refusal_totals(conn),
        )

    return await storage.run(work)


class SharedCollector(Collector):
    """The totals of one scrape as metric families (a new collector per scrape)."""

    def __init__(self, totals: SharedTotals) -> None:
        self.totals = totals

    def collect(self) -> Iterator[Metric]:
        yield self._tasks()
        yield from self._credits()
        videos = GaugeMetricFamily(
            "runway_console_video_copies",
            "Succeeded tasks whose output is not copied yet: pending, or failed at the last try.",
            labels=["state"],
        )
        videos.add_metric(["pending"], self.totals.videos_pending)
        videos.add_metric(["failed"], self.totals.videos_failed)
        yield videos
        yield CounterMetricFamily(
            "runway_console_callbacks_received",
            "Relay callbacks (notify_hook deliveries) kept, team-wide.",
            value=self.totals.callbacks,
        )
        yield self._refusals()

    def _refusals(self) -> Metric:
        family = CounterMetricFamily(
            "runway_console_refusals",
            "Creates refused a member before sending them, team-wide (reason: budget, running).",
            labels=["member", "reason"],
        )
        for (member, reason), count in self.totals.refusals.items():
            family.add_metric([member, reason], count)
        return family

    def _tasks(self) -> Metric:
        family = GaugeMetricFamily(
            "runway_console_tasks",
            "Tasks in the shared history by create endpoint, model and status (final once ended).",
            labels=["endpoint", "model", "status"],
        )
        for labels, count in sorted(self.totals.tasks.items()):
            family.add_metric(list(labels), count)
        return family

    def _credits(self) -> Iterator[Metric]:
        texts = {
            "estimated": "Credits the upstream estimated for a member's accepted tasks.",
            "charged": "Credits charged for a member's ended tasks (the upstream's final cost).",
        }
        families = {
            name: CounterMetricFamily(
                f"runway_console_member_credits_{name}", text, labels=["member"]
            )
            for name, text in texts.items()
        }
        held = GaugeMetricFamily(
            "runway_console_member_credits_held",
            "Credits counted against a member's budget for tasks not ended yet.",
            labels=["member"],
        )
        for row in self.totals.credits:
            families["estimated"].add_metric([row.member], row.estimated)
            families["charged"].add_metric([row.member], row.charged)
            held.add_metric([row.member], row.held)
        yield from families.values()
        yield held
