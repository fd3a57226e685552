"""The task service: what the routes ask of tasks, over the parts that do each job.

Submitting lives in `submission.py`, refreshing in `refresh.py`, and which upstream and key
a caller gets in `runway/upstreams.py`; this class wires them to storage, frames and media and
answers the routes, which stay thin and call these plain methods (tests can too). The key
passed in is held for the call alone: only its mask and an HMAC of it are ever stored.
"""

import asyncio
import contextlib
import re
import time
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from app.callbacks.hooks import Hook, HookStore, hook_url, new_token, unavailable
from app.catalog.endpoints import DEFAULT_ENDPOINT, ENDPOINTS
from app.catalog.validation import FieldError, Invalid
from app.core.i18n import gettext as _
from app.core.keys import Caller, media_token
from app.core.secret_compare import same_secret
from app.core.settings import Settings
from app.frames.owners import FrameOwners
from app.frames.refs import FrameStore
from app.media.copies import MediaStore, VideoSaver, output_suffix
from app.relays.callback import RecordedStart, check_callback, refused
from app.relays.check import Report, probe_address, run_tiny_task
from app.relays.probes import probe_headers
from app.runway.client import RunwayClient, UpstreamError
from app.runway.endpoints import UpstreamKind, resolve_upstream
from app.runway.upstreams import UpstreamAccess
from app.storage.database import Storage, TaskRecord
from app.tasks.hook_receiver import HookReceiver
from app.tasks.recording import TaskRecorder
from app.tasks.refresh import Refresher
from app.tasks.submission import Run, Submission
from app.tasks.upstream_files import UpstreamFiles
from app.team.budgets import NO_BUDGETS, Budgets

OWN_MEDIA = re.compile(r"^/(?:v1/|runwayml/v1/)?media/([A-Za-z0-9_-]{1,64})\.mp4$")
REFRESH_ON_VIEW = 10  # running tasks on a listed page that are refreshed as it is read


class TaskService:
    """Start, read, list, cancel and delete tasks for a caller, with history kept in storage."""

    def __init__(
        self,
        settings: Settings,
        storage: Storage,
        frames: FrameStore,
        client: RunwayClient,
        secret: bytes,
        media: MediaStore,
        upstreams: UpstreamAccess,
        saver: VideoSaver,
        recorder: TaskRecorder,
        owners: FrameOwners,
        budgets: Budgets = NO_BUDGETS,
    ) -> None:
        self.storage = storage  # public for tests and benchmarks that seed history directly
        self._settings = settings
        self._frames = frames
        self._owners = owners  # create_app's, shared with the routes and the demo
        self._media = media
        self._upstreams = upstreams
        self._client = client
        self._secret = secret
        self._refresher = Refresher(settings, storage, client, upstreams, saver, budgets)
        self._submission = Submission(
            storage,
            frames,
            client,
            upstreams,
            self._refresher,
            recorder,
            budgets=budgets,
            owners=self._owners,
        )
        self.hooks = HookStore(storage)
        self.files = UpstreamFiles(client, upstreams)  # ephemeral uploads on its upstream
        self.receiver = HookReceiver(storage, self.hooks, self._refresher, upstreams)

    async def close(self) -> None:
        await self._refresher.close()

    def caller(self, personal_key: str | None) -> Caller:
        return self._upstreams.caller(personal_key)

    def poll_interval(self, record: TaskRecord) -> float:
        return self._refresher.poll_interval(record)

    def video_url(self, record: TaskRecord) -> str | None:
        """The console's own copy once saved (with its access token), else the upstream URL.
        An image task's output is its image (`.png`), a video task's its video."""
        if record.video_saved:
            token = media_token(self._secret, record.id, record.owner)
            return f"/media/{record.id}.{output_suffix(record)}?t={token}"
        return record.output[0] if record.output else None

    async def submit(
        self,
        body: dict[str, Any],
        address: str | None,
        caller: Caller,
        errors: list[FieldError] | None = None,
        submit_token: str | None = None,
        notify_here: bool = False,
        endpoint: str = DEFAULT_ENDPOINT,
    ) -> TaskRecord:
        """Validate and start a task at `endpoint`; with `submit_token`, a repeat returns the
        first task.

        With `notify_here`, `notify_hook` becomes this console's receiver for the task.
        """
        if endpoint == "video_upscale":
            body = await self._own_video_upstream(body, caller)
        token = None
        if notify_here:
            problem = self.hook_unavailable(address)
            if problem:
                raise Invalid([*(errors or []), FieldError("notifyHere", problem)])
            token = new_token()
        url = hook_url(self._settings.public_url, token) if token else None
        record = await self._submission.submit(
            body, address, caller, errors, submit_token, url, endpoint
        )
        if token and url and await self.hooks.hook(record.id) is None:
            await self.hooks.bind(token, record.id, url)
            self.receiver.expect(record.id, caller)
        return record

    async def _own_video_upstream(self, body: dict[str, Any], caller: Caller) -> dict[str, Any]:
        """An app upscaling a video this console answered with names the console's copy
        (`/v1/media/<id>.mp4`), which the upstream cannot fetch: it becomes that task's own
        upstream output URL, when the task is the caller's."""
        uri = body.get("videoUri")
        match = OWN_MEDIA.search(urlsplit(uri).path) if isinstance(uri, str) else None
        if match is None:
            return body
        source = await self.get(match.group(1), caller)
        if source is None or not source.output or output_suffix(source) != "mp4":
            return body
        return {**body, "videoUri": source.output[0]}

    async def upscale(
        self, task_id: str, caller: Caller, submit_token: str | None = None
    ) -> TaskRecord | None:
        """Upscale a succeeded video task's output at `video_upscale`, on the same upstream
        (None when there is no such task). The output URL goes as it is: the console never
        fetches it, the upstream does (the built-in simulator knows its own)."""
        source = await self.get(task_id, caller)
        if source is None:
            return None
        if source.status != "SUCCEEDED" or not source.output or output_suffix(source) != "mp4":
            raise Invalid([FieldError("videoUri", _("only a succeeded video can be upscaled"))])
        upscale = ENDPOINTS["video_upscale"]
        body = {"model": upscale.default_model, "videoUri": source.output[0]}
        return await self.submit(
            body, source.base_url, caller, submit_token=submit_token, endpoint=upscale.path
        )

    def hook_unavailable(self, address: str | None) -> str | None:
        """Why a callback could not reach this console from `address`; None when it can."""
        return unavailable(self._settings.public_url, address)

    async def hook(self, record: TaskRecord) -> Hook | None:
        """The task's hook, when the console receives its callback. A hook is bound only to a
        task whose stored request names a `notify_hook` (`with_hook` sets the receiver's URL
        there), so any other task's read asks the database nothing."""
        if not record.request.get("notify_hook"):
            return None
        return await self.hooks.hook(record.id)

    async def submit_group(
        self,
        runs: list[Run],
        caller: Caller,
        submit_token: str,
        endpoint: str = DEFAULT_ENDPOINT,
        senders: list[Caller] | None = None,
    ) -> tuple[list[TaskRecord], list[str]]:
        """Several runs side by side as one group (see `Submission.submit_group`)."""
        return await self._submission.submit_group(runs, caller, submit_token, endpoint, senders)

    async def get(self, task_id: str, caller: Caller, *, refresh: bool = True) -> TaskRecord | None:
        record = await self.storage.get(task_id, caller.owner)
        if record is not None and refresh:
            record = await self._refresher.refresh(record, caller)
        return record

    async def refresh(self, record: TaskRecord, caller: Caller) -> TaskRecord:
        """News from upstream when a poll is due (also for tasks nobody watches:
        app/tasks/unwatched.py)."""
        return await self._refresher.refresh(record, caller)

    async def list_tasks(
        self,
        caller: Caller,
        limit: int,
        status: str | None = None,
        before: float | None = None,
        *,
        refresh: bool = True,
    ) -> tuple[list[TaskRecord], bool]:
        """A page of the caller's tasks, newest first, and whether more follow.

        Viewing a list refreshes (coalesced) the first few tasks on it that are still running,
        so a list shows news without each task being opened: the page's history and
        `GET /api/tasks` share this one policy.
        """
        records = await self.storage.list_tasks(
            caller.owner, limit=limit + 1, status=status, before=before
        )
        more = len(records) > limit
        records = records[:limit]
        if not refresh:
            return records, more
        active = [r for r in records if not r.is_final][:REFRESH_ON_VIEW]
        fresh = await asyncio.gather(*(self._refresher.refresh(r, caller) for r in active))
        by_id = {r.id: r for r in fresh}
        return [by_id.get(r.id, r) for r in records], more

    async def list_group(self, group_id: str, caller: Caller) -> list[TaskRecord]:
        return await self.storage.list_group(group_id, caller.owner)

    async def count(self, caller: Caller) -> tuple[int, int]:
        """The caller's runs and the history rows they make."""
        return await self.storage.count(caller.owner)

    async def events_of(self, records: list[TaskRecord]) -> dict[str, list[dict[str, Any]]]:
        """Each task's status history, oldest first (for exports and shared runs)."""
        return await self.storage.events_of([record.id for record in records])

    async def may_read_video(self, task_id: str, caller: Caller | None, token: str) -> bool:
        """Whether a saved video is there for this caller: its owner (None: a caller that proved
        no owner), or its token (a <video> element sends no key header; the token is in the URL
        that `video_url` gives)."""
        record = await self.storage.get_any(task_id)
        if record is None or not record.video_saved:
            return False
        expected = media_token(self._secret, record.id, record.owner)
        mine = caller is not None and record.owner == caller.owner
        return mine or same_secret(token, expected)

    async def cancel(self, task_id: str, caller: Caller) -> TaskRecord | None:
        """Cancel a task that is not final; an upstream that no longer knows it counts as done."""
        record = await self.storage.get(task_id, caller.owner)
        if record is None or record.is_final:
            return record
        upstream = resolve_upstream(record.base_url)
        try:
            exchange = await self._client.cancel(
                upstream, self._upstreams.key_for(upstream, caller), record.upstream_task_id
            )
        except UpstreamError as exc:
            if exc.status != 404:
                raise
            exchange = None
        return await self._refresher.cancelled(record, caller, exchange)

    async def delete(self, task_id: str, caller: Caller) -> bool:
        """Cancel upstream if still running, then forget the task, its video and unused frames."""
        record = await self.cancel(task_id, caller)
        if record is None:
            return False
        await self._delete_from_simulator(record, caller)
        unused = await self.storage.delete(task_id, caller.owner)
        if unused is None:
            return False
        await asyncio.to_thread(self._media.remove, task_id)
        await self._owners.remove_unneeded(unused, self._frames)
        return True

    async def delete_group(self, group_id: str, caller: Caller) -> int:
        """Delete each task of a side-by-side group as its own Delete would; how many went."""
        records = await self.list_group(group_id, caller)
        return sum([await self.delete(record.id, caller) for record in records])

    async def _delete_from_simulator(self, record: TaskRecord, caller: Caller) -> None:
        """The built-in simulator is ours: a deleted task leaves none of its copies there
        (frames, video, prompt). A DELETE of a final task removes it; any answer will do."""
        upstream = resolve_upstream(record.base_url)
        if upstream.kind is not UpstreamKind.SIMULATOR:
            return
        # Already gone, or the simulator is faulted on purpose: history forgets it all the same.
        with contextlib.suppress(UpstreamError):
            key = self._upstreams.key_for(upstream, caller)
            await self._client.cancel(upstream, key, record.id)

    async def account(self, address: str | None, caller: Caller) -> dict[str, Any]:
        """The organisation's credits and limits, where the upstream offers them."""
        upstream = await self._upstreams.resolve(address)
        return await self._client.organization(upstream, self._upstreams.key_for(upstream, caller))

    async def check_relay(
        self, address: str | None, caller: Caller, tiny_task: bool, notify_here: bool = False
    ) -> Report:
        """Probe an address and key, and with the person's consent run one tiny real task,
        started through `submit` so history keeps it (a real, paid task); with `notify_here`
        too, it is started with this console's receiver as its hook."""
        upstream = await self._upstreams.resolve(address)
        key = self._upstreams.key_for(upstream, caller)
        report = await probe_address(self._client, upstream, key)
        await probe_headers(self._client, upstream, key, report)
        if tiny_task:
            poll = max(self._settings.poll_interval_s, 0.2)
            if upstream.kind is UpstreamKind.SIMULATOR:
                poll = self._settings.simulator_poll_interval_s or 0.5
            problem = self.hook_unavailable(address) if notify_here else None
            if problem:
                refused(report, problem)
            hooked = notify_here and not problem
            start = RecordedStart(
                partial(self.submit, address=address, caller=caller, notify_here=hooked)
            )
            await run_tiny_task(self._client, upstream, key, report, poll, start=start)
            if hooked and start.record is not None:
                await check_callback(report, self.hooks, start.record.id, time.time())
        return report
