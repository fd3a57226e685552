"""The simulator's memory: tasks as JSON files and frames as bytes in its data dir.

A real upstream keeps its tasks when a client restarts; so does this one. A task's status is
derived from its age (and the simulator's speed), so it moves on even while nothing watches it
and a restart picks it up where the clock says it is.
"""

import base64
import json
import threading
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from app.core.secret_compare import same_secret

# Where a task is, as a fraction of its whole run: queued, then running, then done.
PENDING_END = 0.2
THROTTLED_END = 0.5
BASE_RUN_SECONDS = 5.0


@dataclass
class SimTask:
    """One simulated task, as stored."""

    id: str
    created_at: float
    model: str
    ratio: str
    duration: int
    seed: int
    prompt: str
    frames: dict[str, str]
    run_seconds: float
    outcome: str = "SUCCEEDED"
    failure_code: str | None = None
    throttled: bool = False
    cancelled_at: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    credits: int = 0  # the most it may charge; kept when it succeeds, refunded when it does not
    owner: str = ""  # caller_owner() of the key that made it; "" (older files): any key
    queued_s: float = 0.0  # THROTTLED this long first: its tier's slots for the model were taken

    def belongs_to(self, owner: str) -> bool:
        return not self.owner or same_secret(owner, self.owner)

    def starts_at(self) -> float:
        """When it takes one of its tier's slots (its creation, unless it waited for one)."""
        return self.created_at + self.queued_s

    def ends_at(self) -> float:
        """When it gives its slot back: its run's end, or its cancelling."""
        ended = self.starts_at() + self.run_seconds
        return ended if self.cancelled_at is None else min(ended, self.cancelled_at)

    def refunded_at(self) -> float | None:
        """When its credits come back: on cancelling, or when a failing run ends."""
        if self.cancelled_at is not None:
            return self.cancelled_at
        return self.ends_at() if self.outcome != "SUCCEEDED" else None

    def charged(self, now: float) -> int:
        """The credits this task holds at `now`: all of them, or none once refunded."""
        refund = self.refunded_at()
        return 0 if refund is not None and now >= refund else self.credits

    def phase(self, now: float) -> tuple[str, float]:
        """(status, fraction of the run elapsed) at `now`, ignoring whether the video exists."""
        if self.cancelled_at is not None:
            return "CANCELLED", 0.0
        if now < self.starts_at():
            return "THROTTLED", 0.0
        fraction = (now - self.starts_at()) / self.run_seconds
        queued_until = THROTTLED_END if self.throttled else PENDING_END
        if fraction < queued_until:
            return ("THROTTLED" if self.throttled else "PENDING"), fraction
        if fraction < 1:
            return "RUNNING", (fraction - queued_until) / (1 - queued_until)
        return self.outcome, 1.0


@dataclass(frozen=True)
class Usage:
    """What a task costs and when it holds a slot, for the books (books.py): fixed once the
    task is created (a cancel or a new place in the queue saves the task again)."""

    id: str
    owner: str
    model: str
    created_at: float
    credits: int
    refunded_at: float | None
    starts_at: float
    ends_at: float

    @classmethod
    def of(cls, task: SimTask) -> "Usage":
        return cls(
            task.id,
            task.owner,
            task.model,
            task.created_at,
            task.credits,
            task.refunded_at(),
            task.starts_at(),
            task.ends_at(),
        )

    def charged(self, now: float) -> int:
        refunded = self.refunded_at is not None and now >= self.refunded_at
        return 0 if refunded else self.credits


class SimStore:
    """Thread-safe file storage; the render worker reads frames from here."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tasks_dir = root / "tasks"
        self.frames_dir = root / "frames"
        self.outputs_dir = root / "outputs"
        for folder in (self.tasks_dir, self.frames_dir, self.outputs_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._usage: dict[str, Usage] | None = None  # read from the files once, then kept

    def new_id(self) -> str:
        return str(uuid.uuid4())

    def save(self, task: SimTask) -> None:
        path = self.tasks_dir / f"{task.id}.json"
        temporary = path.with_suffix(".tmp")
        with self._lock:
            temporary.write_text(json.dumps(asdict(task)))
            temporary.replace(path)
            if self._usage is not None:
                self._usage[task.id] = Usage.of(task)

    def load(self, task_id: str) -> SimTask | None:
        if not _is_uuid(task_id):
            return None
        try:
            return SimTask(**json.loads((self.tasks_dir / f"{task_id}.json").read_text()))
        except FileNotFoundError:
            return None

    def forget_inputs(self, task: SimTask) -> None:
        """A cancelled task never renders: its frames and prompt go at once."""
        for path in self.frames_dir.glob(f"{task.id}-*"):
            path.unlink(missing_ok=True)
        task.frames, task.prompt = {}, ""

    def delete(self, task_id: str) -> None:
        with self._lock:
            if self._usage is not None:
                self._usage.pop(task_id, None)
        outputs = self.outputs_dir.glob(f"{task_id}.*") if _is_uuid(task_id) else ()
        for path in (self.tasks_dir / f"{task_id}.json", *outputs):
            path.unlink(missing_ok=True)
        for path in self.frames_dir.glob(f"{task_id}-*"):
            path.unlink(missing_ok=True)

    def save_frame(self, task_id: str, position: str, uri: str) -> str:
        """Keep a data-URI frame's bytes; an https URL is kept as text (never fetched)."""
        if uri.startswith("data:"):
            payload = uri.partition(",")[2]
            (self.frames_dir / f"{task_id}-{position}.img").write_bytes(base64.b64decode(payload))
            return "data"
        return uri

    def frame_bytes(self, task_id: str, position: str) -> bytes | None:
        try:
            return (self.frames_dir / f"{task_id}-{position}.img").read_bytes()
        except FileNotFoundError:
            return None

    def video_path(self, task_id: str) -> Path:
        return self.outputs_dir / f"{task_id}.mp4"

    def usage(self) -> list[Usage]:
        """Every stored task's cost facts; the files are read on the first call only (the
        organization endpoint used to read every task file on every call)."""
        with self._lock:
            if self._usage is None:
                self._usage = {}
                for path in self.tasks_dir.glob("*.json"):
                    try:
                        task = SimTask(**json.loads(path.read_text()))
                    except (OSError, ValueError, TypeError):
                        continue
                    self._usage[task.id] = Usage.of(task)
            return list(self._usage.values())


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
