"""Which scopes may use a stored frame, and the signed thumbnail URLs their pages are given.

Frames are stored once by content hash, so a sha256 is all that names one. Without owners,
another key that learned a sha (a screenshot of the inspector, a log) could put `frame:<sha>`
in its own create and have the console send the victim's whole frame upstream for it. So a
frame belongs to each scope (a key's HMAC, a member, a demo session, the operator) that
uploaded it or sent it as data, recorded per (sha, owner): the same image from two keys works
for both. A frame a scope's own task uses counts as its own too, which covers tasks made
before owners were recorded.

An `<img>` sends no key header, so a thumbnail cannot be scoped by the request: its URL
carries an HMAC of the sha under the server secret, and only an owner's page is given it.
"""

import asyncio
import hashlib
import hmac
from collections.abc import Callable, Iterable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from app.core.secret_compare import same_secret
from app.frames.allowance import NOTHING_CHARGED, Charged, FrameAllowance, kept_bytes
from app.frames.guard import FrameGuard
from app.frames.refs import FrameStore, StoredFrame
from app.frames.release import released, unneeded
from app.storage.database import Database
from app.storage.schema import frame_owners_table, task_frames_table, tasks_table

# Built once: composing the statements per create cost more than running them. Claims first:
# every frame sent as data or uploaded is claimed, so the second statement (frames of the
# owner's own tasks, for tasks made before claims were recorded) runs only for the rest. It
# walks every task that uses the frame, and a frame regenerated from a thousand times has a
# thousand: run on every create, it grew by ~0.4 ms per thousand (bench/README.md, item 20).
# One frame, the usual case, is compared with `=`: expanding an IN list is SQLAlchemy's most
# expensive step on this path (item 21).
_SHAS, _SHA, _OWNER = bindparam("shas", expanding=True), bindparam("sha"), bindparam("owner")
CLAIMED, CLAIMED_ONE = (
    select(frame_owners_table.c.sha256).where(and_(frame_owners_table.c.owner == _OWNER, match))
    for match in (frame_owners_table.c.sha256.in_(_SHAS), frame_owners_table.c.sha256 == _SHA)
)
USED_BY_OWN_TASKS, USED_BY_OWN_TASKS_ONE = (
    select(task_frames_table.c.sha256)
    .join(tasks_table, tasks_table.c.id == task_frames_table.c.task_id)
    .where(and_(tasks_table.c.owner == _OWNER, match))
    .distinct()
    for match in (task_frames_table.c.sha256.in_(_SHAS), task_frames_table.c.sha256 == _SHA)
)


def _owned(conn: Connection, wanted: list[str], owner: str) -> set[str]:
    """The frames among `wanted` (sorted, distinct) that `owner` claimed or its tasks use."""
    if len(wanted) == 1:
        params = {"owner": owner, "sha": wanted[0]}
        found = (
            conn.execute(CLAIMED_ONE, params).first()
            or conn.execute(USED_BY_OWN_TASKS_ONE, params).first()
        )
        return set(wanted) if found else set()
    owned = set(conn.execute(CLAIMED, {"owner": owner, "shas": wanted}).scalars())
    rest = [sha for sha in wanted if sha not in owned]
    if rest:
        owned |= set(conn.execute(USED_BY_OWN_TASKS, {"owner": owner, "shas": rest}).scalars())
    return owned


@dataclass(frozen=True)
class ThumbLinks:
    """Signed thumbnail URLs: the capability is an HMAC of the sha (a sha alone opens nothing)."""

    secret: bytes

    def _token(self, sha: str) -> str:
        message = f"frame:{sha}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()[:32]

    def src(self, sha: str) -> str:
        return f"/frames/{sha}/thumb?t={self._token(sha)}"

    def fits(self, sha: str, token: str) -> bool:
        return same_secret(token, self._token(sha))


@dataclass(frozen=True)
class KeptFrames:
    """The frames one request newly claimed and the bytes charged for them: what it gives
    back if its create is refused."""

    owner: str
    shas: tuple[str, ...] = ()
    size: int = 0
    charged: Charged = NOTHING_CHARGED


class FrameOwners:
    """The statements of frame ownership, run on the one database, under the frame guard."""

    def __init__(
        self,
        storage: Database,
        guard: FrameGuard,
        frames: FrameStore,
        daily_bytes: int,
        address_bytes: int,
    ) -> None:
        self.storage = storage
        self.guard = guard
        self.frames = frames
        self.allowance = FrameAllowance(storage, daily_bytes, address_bytes)
        self._removing: set[asyncio.Future[None]] = set()  # shielded removals, kept alive

    async def own(self, shas: Iterable[str], owner: str) -> None:
        """Record `owner` as an owner of each frame (again is harmless, on every replica)."""
        rows = [{"sha256": sha, "owner": owner} for sha in sorted(set(shas))]
        if not rows:
            return

        def work(conn: Connection) -> None:
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            conn.execute(dialect.insert(frame_owners_table).on_conflict_do_nothing(), rows)

        await self.storage.run(work, write=True)

    async def owned(self, shas: Iterable[str], owner: str) -> set[str]:
        """The frames among `shas` that `owner` may use."""
        wanted = sorted(set(shas))
        if not wanted:
            return set()
        return await self.storage.run(lambda conn: _owned(conn, wanted, owner))

    def storing(self) -> AbstractAsyncContextManager[None]:
        """The frame guard, shared: held while a frame is stored and claimed."""
        return self.guard.hold()

    async def stored(self, put: Callable[[], StoredFrame | None], owner: str) -> StoredFrame | None:
        """Store a frame (`put`, blocking; None when it had nothing to store) and record
        `owner` as its owner, with no removal of that frame in between (app/frames/guard.py).
        Past the owner's daily allowance it raises FrameAllowanceSpent, the frame not kept."""
        kept: list[StoredFrame] = []
        await self.keep_stored(lambda: _listed(put(), kept), kept, owner)
        return kept[0] if kept else None

    async def keep_stored(
        self, put: Callable[[], object], kept: list[StoredFrame], owner: str
    ) -> KeptFrames:
        """Run `put` (blocking), which appends each frame it stores to `kept`, then claim the
        new ones for `owner`, charged to its day. Whatever fails on the way (a bad image after
        a good one, the allowance) leaves no frame of its own behind."""
        owned: set[str] = set()
        try:
            async with self.storing():
                await asyncio.to_thread(put)
                owned = await self.owned([frame.sha256 for frame in kept], owner)
                new = {f.sha256: f for f in kept if f.sha256 not in owned}
                size = sum(kept_bytes(frame) for frame in new.values())
                charged = await self.allowance.charge(owner, size)
                await self.own(new, owner)
        except BaseException:
            await self.remove_unneeded(sorted({f.sha256 for f in kept} - owned), self.frames)
            raise
        return KeptFrames(owner, tuple(sorted(new)), size, charged)

    async def give_back(self, kept: KeptFrames) -> None:
        """A refused create's frames: its new claims dropped, its bytes refunded, and the
        files nobody else needs removed, so a refused request leaves nothing behind."""
        if not kept.shas:
            return
        claims = frame_owners_table.c
        mine = and_(claims.owner == kept.owner, claims.sha256.in_(kept.shas))
        await self.storage.run(
            lambda conn: conn.execute(delete(frame_owners_table).where(mine)), write=True
        )
        await self.allowance.refund(kept.charged, kept.size)
        await self.remove_unneeded(list(kept.shas), self.frames)

    async def release(self, shas: list[str], owner: str) -> None:
        """After a task's delete (app/storage/task_store.py gives the frames it used): `owner`
        gives up its claims on them, and those nobody needs any more are removed."""
        unused = await self.storage.run(lambda conn: released(conn, shas, owner), write=True)
        await self.remove_unneeded(unused, self.frames)

    async def remove_unneeded(self, shas: list[str], frames: FrameStore) -> None:
        """Remove the frames among `shas` nobody needs, checked again while no frame is being
        stored and claimed: one a new claim keeps since the delete decided stays."""
        if not shas:
            return

        async def remove() -> None:
            async with self.guard.hold(alone=True):
                gone = await self.storage.run(lambda conn: unneeded(conn, shas))
                await asyncio.to_thread(lambda: [frames.remove(sha) for sha in gone])

        # Shielded: a cancelled delete would let the guard go while the thread, which no
        # cancel stops, goes on removing files another scope may be claiming meanwhile.
        removing = asyncio.ensure_future(remove())
        self._removing.add(removing)
        removing.add_done_callback(self._removing.discard)
        await asyncio.shield(removing)

    async def owns(self, sha: str, owner: str) -> bool:
        return sha in await self.owned([sha], owner)


def _listed(frame: StoredFrame | None, kept: list[StoredFrame]) -> None:
    if frame is not None:
        kept.append(frame)
