"""The console's services in one typed container, built by `create_app` (the one composition
root) and stored once on the app; routes and middleware reach it through app/web/deps.py.

Some services hold the upstream client and background work, which belong to the event loop
that serves: they are built when the app's lifespan starts and dropped when it ends, so they
sit apart in `Running`, and asking for them outside that window says so instead of failing on
a missing attribute.
"""

from dataclasses import dataclass, field

from fastapi.templating import Jinja2Templates

from app.callbacks.hooks import HookStore
from app.core.settings import Settings
from app.demo.service import Demo
from app.frames.owners import FrameOwners, ThumbLinks
from app.frames.refs import FrameStore
from app.frames.uploads import UploadSlots
from app.media.copies import MediaStore
from app.metrics.exposition import Metrics
from app.relays.service import RelayCheck
from app.runway.upstreams import UpstreamAccess
from app.storage.database import Database
from app.storage.task_store import TaskStore
from app.tasks.hook_receiver import HookReceiver
from app.tasks.service import TaskService
from app.team.account import UpstreamAccounts
from app.team.members import Members
from app.team.sessions import Sessions
from app.team.usage import Usage
from app.web.middleware.access import LoginLimiter

NOT_RUNNING = "the console's task services exist only while the app runs (its lifespan)"


@dataclass(frozen=True)
class Running:
    """The services built when the app starts serving, for as long as it serves."""

    tasks: TaskService
    demo: Demo
    receiver: HookReceiver
    relay_check: RelayCheck
    upload_slots: UploadSlots
    accounts: UpstreamAccounts


@dataclass
class _Slot:
    """Where `Running` is kept: filled at start, emptied at stop."""

    running: Running | None = None


@dataclass(frozen=True)
class Services:
    """Everything a route may use, each built once; `sessions` is None without a password."""

    settings: Settings
    database: Database
    task_store: TaskStore
    upstreams: UpstreamAccess
    frames: FrameStore
    frame_owners: FrameOwners
    thumbs: ThumbLinks
    media: MediaStore
    templates: Jinja2Templates
    login_limiter: LoginLimiter
    members: Members
    usage: Usage
    metrics: Metrics
    hooks: HookStore
    sessions: Sessions | None
    _slot: _Slot = field(default_factory=_Slot, repr=False)

    @property
    def running(self) -> Running:
        """The lifespan's services; a RuntimeError (a bug, not a request's fault) outside it."""
        if self._slot.running is None:
            raise RuntimeError(NOT_RUNNING)
        return self._slot.running

    def start(self, running: Running) -> None:
        self._slot.running = running

    def stop(self) -> None:
        self._slot.running = None
