"""Runway's books, kept per key: each key is its own organization with a balance and a tier.

A create is admitted here or refused as Runway refuses it: over the model's daily cap (429),
or costing more than the balance (400, "You do not have enough credits to run this task.",
the message Runway's API gives). An admitted task holds its estimate at once and gives it back
if it fails or is cancelled, so the balance can never go below zero. Beyond the tier's
`maxConcurrentGenerations` for the model a task is admitted THROTTLED: its start is the moment
a slot frees (store.SimTask.queued_s), moved up when a task ahead of it is cancelled.

An account is a small JSON file under the data dir's `accounts/`, named by the key's HMAC
(never the key). What tasks hold comes from the task files (store.usage()); a deleted task's
place in the day's count is kept in its account, so deleting does not lift the cap.
A key seen for the first time starts fresh: nothing made before counts against it.
"""

import json
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from app.simulator.store import SimStore, SimTask, Usage

DAY_S = 86_400.0
KEEP_DELETED_S = 90 * DAY_S  # the usage endpoint's longest window
# A fresh key's account: the balance and daily cap the simulator always reported (Runway's
# first tier allows 200 a day per model), but 20 at once rather than that tier's 2, so a key
# running a few tasks side by side (as many tests and demos do) is not THROTTLED by surprise.
# Rehearse the real first tier, or an empty balance, through POST /_sim/account.
STARTING_CREDITS = 10_000
DEFAULT_CONCURRENT = 20
DEFAULT_DAILY = 200
MONTHLY_SPEND = 100_000
NO_CREDITS = "You do not have enough credits to run this task."


@dataclass
class Account:
    """One key's organization. `credits` is the balance at `credits_since`: tasks made
    before then are not this balance's; `usage_since` (a reset) does the same for the count."""

    credits: int = STARTING_CREDITS
    credits_since: float = 0.0
    usage_since: float = 0.0
    max_concurrent: int | None = DEFAULT_CONCURRENT
    max_daily: int | None = DEFAULT_DAILY
    deleted: list[list[Any]] = field(default_factory=list)  # [model, created_at, 0]


@dataclass(frozen=True)
class Refusal:
    status: int
    message: str
    retry_after: float | None = None


def start_for(held: list[Usage], limit: int | None, now: float) -> float:
    """When a task asking now gets a slot: now, or when enough of `held` (the slots already
    taken or promised, first come first served) have ended."""
    if limit is None:
        return now
    after = max([now, *(u.starts_at for u in held if u.ends_at > now)])
    ends = sorted(u.ends_at for u in held if u.ends_at > after)
    return after if len(ends) < limit else ends[len(ends) - limit]


class Books:
    """Every key's account, over the simulator's task store; one lock for admit-and-save."""

    def __init__(self, store: SimStore) -> None:
        self.store = store
        self.folder = store.root / "accounts"
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()

    def _path(self, owner: str) -> Path:
        return self.folder / f"{owner}.json"

    def account(self, owner: str) -> Account:
        """The key's account; a key seen for the first time gets a fresh one, kept at once."""
        with self._lock:
            try:
                return Account(**json.loads(self._path(owner).read_text()))
            except (FileNotFoundError, ValueError, TypeError):
                now = time.time()
                fresh = Account(credits_since=now, usage_since=now)
                self._save(owner, fresh)
                return fresh

    def _save(self, owner: str, account: Account) -> None:
        path = self._path(owner)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(asdict(account)))
        temporary.replace(path)

    def _tasks(self, owner: str) -> list[Usage]:
        return [u for u in self.store.usage() if u.owner == owner]

    def balance(self, owner: str, now: float) -> int:
        account = self.account(owner)
        since = account.credits_since
        held = sum(u.charged(now) for u in self._tasks(owner) if u.created_at >= since)
        return max(0, account.credits - held)

    def daily(self, owner: str, now: float) -> dict[str, list[float]]:
        """Per model, when each create of the last 24 hours (since a reset) was made."""
        account = self.account(owner)
        since = max(now - DAY_S, account.usage_since)
        made: dict[str, list[float]] = {}
        facts = [(u.model, u.created_at) for u in self._tasks(owner)]
        for model, created_at in [*facts, *((d[0], d[1]) for d in account.deleted)]:
            if created_at > since:
                made.setdefault(model, []).append(created_at)
        return made

    def admit(self, owner: str, task: SimTask) -> Refusal | None:
        """Refuse the create as Runway would, or place it in the queue and save it."""
        with self._lock:
            now = time.time()
            account = self.account(owner)
            made = sorted(self.daily(owner, now).get(task.model, []))
            if account.max_daily is not None and len(made) >= account.max_daily:
                wait = made[len(made) - account.max_daily] + DAY_S - now if made else DAY_S
                message = (
                    f"Daily generation limit reached: this tier allows {account.max_daily} "
                    f"{task.model} generations per 24 hours. Try again later."
                )
                return Refusal(429, message, max(1.0, wait))
            if task.credits > self.balance(owner, now):
                return Refusal(400, NO_CREDITS)
            same = [u for u in self._tasks(owner) if u.model == task.model]
            task.created_at = now
            task.queued_s = start_for(same, account.max_concurrent, now) - now
            self.store.save(task)
            return None

    def requeue(self, owner: str, model: str) -> None:
        """After a cancel: the tasks still waiting for a slot take the freed ones, in order."""
        with self._lock:
            now = time.time()
            limit = self.account(owner).max_concurrent
            same = [u for u in self._tasks(owner) if u.model == model]
            waiting = sorted((u for u in same if u.starts_at > now), key=lambda u: u.created_at)
            held = [u for u in same if u.starts_at <= now]
            for usage in waiting:
                task = self.store.load(usage.id)
                if task is None or task.cancelled_at is not None:
                    continue
                task.queued_s = start_for(held, limit, now) - task.created_at
                self.store.save(task)
                held.append(Usage.of(task))

    def forget(self, task: SimTask, now: float) -> None:
        """A deleted task keeps its place in the day's count (deleting does not lift the cap);
        its credits come back with it, as the simulator has always done
        (test_simulator.py::test_the_balance_survives_a_restart_and_a_deleted_task_…)."""
        if not task.owner:  # an older file's task, from before the books: nobody's account
            return
        with self._lock:
            account = self.account(task.owner)
            if task.created_at >= account.usage_since:
                account.deleted.append([task.model, task.created_at, 0])
            account.deleted = [d for d in account.deleted if d[1] > now - KEEP_DELETED_S]
            self._save(task.owner, account)

    def change(self, owner: str, values: dict[str, Any]) -> None:
        """Set a balance and tier (POST /_sim/account); the values are checked by the caller."""
        with self._lock:
            account = self.account(owner)
            now = time.time()
            if "creditBalance" in values:
                account.credits, account.credits_since = values["creditBalance"], now
            if "maxConcurrentGenerations" in values:
                account.max_concurrent = values["maxConcurrentGenerations"]
            if "maxDailyGenerations" in values:
                account.max_daily = values["maxDailyGenerations"]
            self._save(owner, account)

    def reset(self, owner: str) -> None:
        """A fresh account, as for a key never seen: nothing made before counts."""
        with self._lock:
            now = time.time()
            self._save(owner, Account(credits_since=now, usage_since=now))
