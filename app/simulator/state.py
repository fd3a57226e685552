"""What every simulator route shares: the state object, its secret, and the request's key."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from starlette.requests import Request

from app.core.keys import secret_file
from app.runway.endpoints import SIMULATOR_ORIGIN
from app.simulator.books import Books
from app.simulator.faults import FaultBoard
from app.simulator.hook_book import Callbacks
from app.simulator.renderer import Renderer
from app.simulator.store import SimStore

DEFAULT_OUTPUT_TTL_S = 24 * 3600.0  # Runway: 24–48 h
UploadGate = Callable[[str, int], Awaitable[str | None]]
QUIRKS = ("error_object", "auth_403", "progress_percent", "output_string", "status_lowercase")


@dataclass
class SimState:
    """Everything the routes share; one per simulator app."""

    store: SimStore
    renderer: Renderer
    faults: FaultBoard
    secret: bytes
    speed: float
    public_base: str | None
    output_ttl_s: float = DEFAULT_OUTPUT_TTL_S
    counts: dict[str, int] = field(default_factory=dict)
    quirks: set[str] = field(default_factory=set)
    callbacks: Callbacks | None = None  # notify_hook deliveries; None: never called
    # Inside the console, its daily allowance of kept bytes: given an upload's id and size it
    # answers why the file may not be kept (the file is then refused), or None. Alone: none.
    upload_gate: UploadGate | None = None
    books: Books = field(init=False)  # every key's account, over the same store

    def __post_init__(self) -> None:
        self.books = Books(self.store)


def sim_state(request: Request) -> SimState:
    return request.app.state.sim


def load_secret(root: Path) -> bytes:
    return secret_file(root / "secret")


def url_base(state: SimState, request: Request) -> str:
    """Where a client fetches what this simulator hands out (outputs, upload forms).

    Inside the console `public_base` is the mount, a bare path when CONSOLE_PUBLIC_URL is
    unset: the console's own in-process calls keep it origin-free (the console makes URLs
    absolute for its clients), while a client calling the mount directly gets it on the scheme
    and host it called, since a relative URL is useless to a client on another origin."""
    if state.public_base is None:
        return str(request.base_url).rstrip("/")
    base = state.public_base.rstrip("/")
    if base.startswith("/") and request.url.hostname != urlsplit(SIMULATOR_ORIGIN).hostname:
        return f"{request.url.scheme}://{request.url.netloc}{base}"
    return base
