"""The console's copies of outputs, so history plays after the upstream's URL expires.

A video task's output is kept as `videos/<id>.mp4`, an image task's (text_to_image) as
`images/<id>.png`, an audio task's as `audio/<id>.<its type>` (media/audio.py): the record's
endpoint says which (`output_suffix`).

A copy is streamed to a scratch file on this replica's disk, bounded in size, checked to be a
whole MP4, and only then stored in the object store (the data dir, or S3) under its final key,
so no half file is ever served under its final name. It runs in the background without the
person's key: when the upstream URL has expired, the copy waits for the next request that
carries the key to read the task again for a fresh URL.
"""

import asyncio
import hashlib
import logging
import os
import re
import secrets
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import av
import httpx
from PIL import Image, UnidentifiedImageError

from app.catalog.endpoints import ENDPOINTS
from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.media.audio import AUDIO_TYPES, asked_suffix, audio_problem
from app.media.leases import VideoLeases
from app.runway.client import RunwayClient
from app.runway.endpoints import resolve_upstream
from app.runway.guard import UpstreamRefused
from app.storage import scratch
from app.storage.objects import ObjectStore
from app.storage.task_record import TaskRecord
from app.storage.task_store import TaskStore

log = logging.getLogger(__name__)
SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
EXPIRED_STATUSES = (401, 403, 404, 410)
MAX_ATTEMPTS = 3
EXPIRED_NOTE = N_("the output link has expired")
# Every saved output's media type, by its suffix.
OUTPUT_TYPES = {"mp4": "video/mp4", "png": "image/png", **AUDIO_TYPES}


class DownloadError(Exception):
    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def expired(self) -> bool:
        return self.status in EXPIRED_STATUSES


def mp4_problem(path: Path) -> str | None:
    """Why a downloaded file is not a whole, playable MP4 (None when it is one)."""
    with path.open("rb") as handle:
        head = handle.read(12)
    if head[4:8] != b"ftyp":
        return _("the download is not an MP4 file")
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                return _("the MP4 has no video stream")
    except (av.error.FFmpegError, OSError, ValueError):
        return _("the MP4 is damaged or incomplete")
    return None


def output_suffix(record: TaskRecord) -> str:
    """How a task's saved output is named and served: `png` for an image task, an audio
    task's real type (as saved, else as asked), else `mp4`."""
    endpoint = ENDPOINTS.get(record.endpoint)
    if endpoint is not None and endpoint.makes_audio:
        saved = (record.video_path or "").rpartition(".")[2]
        return saved if saved in AUDIO_TYPES else asked_suffix(record.request)
    return "png" if endpoint is not None and endpoint.makes_image else "mp4"


def checked(path: Path, suffix: str) -> tuple[str | None, str]:
    """Why a download is not a whole output of its kind (None when it is), and the suffix
    it is kept under: an audio file's own type, whatever was asked."""
    if suffix in AUDIO_TYPES:
        return audio_problem(path)
    return (png_problem if suffix == "png" else mp4_problem)(path), suffix


def png_problem(path: Path) -> str | None:
    """Why a downloaded file is not an image (None when it is one). A JPEG or WebP output is
    turned into PNG in place, so every saved image is served as one type."""
    try:
        with Image.open(path) as image:
            image.load()
            if image.format == "PNG":
                return None
            converted = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return _("the download is not a whole image")
    converted.save(path, format="PNG")
    return None


class MediaStore:
    """Outputs as `videos/<task id>.mp4`, `images/<task id>.png` or `audio/<task id>.mp3`
    (or .wav...) in the object store (blocking calls: use a thread)."""

    def __init__(self, objects: ObjectStore, scratch: Path) -> None:
        self.objects = objects
        self.scratch = scratch

    @staticmethod
    def name(task_id: str, suffix: str = "mp4") -> str:
        safe = task_id if SAFE_ID.match(task_id) else hashlib.sha256(task_id.encode()).hexdigest()
        return f"{safe}.{suffix}"

    def key(self, task_id: str, suffix: str = "mp4") -> str:
        folder = "images" if suffix == "png" else "audio" if suffix in AUDIO_TYPES else "videos"
        return f"{folder}/{self.name(task_id, suffix)}"

    def size(self, task_id: str, suffix: str = "mp4") -> int | None:
        return self.objects.size(self.key(task_id, suffix))

    def reader(self, task_id: str, suffix: str = "mp4") -> Callable[[int, int], Iterator[bytes]]:
        """Reads bytes [start, end) of the output, for Range answers."""
        key = self.key(task_id, suffix)
        return lambda start, end: self.objects.read_range(key, start, end)

    def read(self, task_id: str, suffix: str = "mp4") -> bytes | None:
        return self.objects.get_bytes(self.key(task_id, suffix))

    def remove(self, task_id: str) -> None:
        for suffix in ("mp4", "png", *AUDIO_TYPES):
            self.objects.delete(self.key(task_id, suffix))

    async def download(
        self, response_cm: object, task_id: str, limit_bytes: int, suffix: str = "mp4"
    ) -> tuple[int, str]:
        """Stream an opened response into the store as this task's output; returns its size
        and the suffix it is kept under (an audio file's own type).

        The scratch file is named after the task and locked while written
        (app/storage/scratch.py): a copy resumed after a crash reuses it, and none is left for
        the start-up sweep to find unless its process died."""
        self.scratch.mkdir(parents=True, exist_ok=True)
        temporary = self.scratch / f"{self.name(task_id, suffix)}{scratch.SUFFIX}"
        try:
            out = scratch.claim(temporary)
        except scratch.ScratchBusy:
            raise DownloadError(_("another copy of this video is under way")) from None
        try:
            await self._receive(response_cm, out, limit_bytes)
            problem, suffix = await asyncio.to_thread(checked, temporary, suffix)
            if problem:
                raise DownloadError(problem)
            written = temporary.stat().st_size  # a converted image has its own size
            await self._store(self.key(task_id, suffix), temporary)
            return written, suffix
        except httpx.HTTPError as exc:
            raise DownloadError(_("download failed: {error}", error=type(exc).__name__)) from None
        finally:
            scratch.release(out, temporary)

    @staticmethod
    async def _receive(response_cm: object, out: BinaryIO, limit_bytes: int) -> int:
        """The response's body into `out`, bounded and checked to be whole; returns its size."""
        written = 0
        async with response_cm as response:  # type: ignore[attr-defined]
            if response.status_code != 200:
                raise DownloadError(f"HTTP {response.status_code}", response.status_code)
            declared = int(response.headers.get("content-length") or 0)
            if declared > limit_bytes:
                raise DownloadError(_("the video is {n} bytes, over the limit", n=declared))
            async for chunk in response.aiter_bytes(256 * 1024):
                written += len(chunk)
                if written > limit_bytes:
                    raise DownloadError("the video is over the size limit")
                out.write(chunk)
        out.flush()
        if declared and written != declared:
            raise DownloadError(
                _("got {got} of {want} bytes; the download was cut", got=written, want=declared)
            )
        return written

    async def _store(self, key: str, temporary: Path) -> None:
        try:
            await asyncio.to_thread(self.objects.put_file, key, temporary)
        except OSError as exc:  # the data dir or S3 refused it (obstore errors included)
            raise DownloadError(_("storing the video failed: {error}", error=exc)) from None
        except Exception as exc:
            log.warning("storing %s failed: %r", key, exc)
            raise DownloadError(
                _("storing the video failed: {error}", error=type(exc).__name__)
            ) from None


class VideoSaver:
    """Copies each succeeded task's video once, on whichever replica gets to it first.

    A copy is a job claimed in the database with a lease, which the copying replica renews
    while it works. A replica killed mid-copy stops renewing; once its lease has run out, the
    sweep that every replica runs finds the job again and one of them takes it over. The
    object store's rename makes even two copies of one video harmless: each is whole.
    """

    def __init__(
        self,
        storage: TaskStore,
        media: MediaStore,
        client: RunwayClient,
        limit_bytes: int,
        retry_delay_s: float = 1.0,
        timeout_s: float = 300.0,
        lease_s: float = 60.0,
    ) -> None:
        self.timeout_s = timeout_s
        self.storage = storage
        self.leases = VideoLeases(storage)
        self.media = media
        self.client = client
        self.limit_bytes = limit_bytes
        self.retry_delay_s = retry_delay_s
        self.lease_s = lease_s
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._jobs: dict[str, asyncio.Task[None]] = {}
        self._sweeper: asyncio.Task[None] | None = None

    def busy(self, task_id: str) -> bool:
        return task_id in self._jobs

    def schedule(self, record: TaskRecord) -> None:
        if record.status != "SUCCEEDED" or record.video_saved or not record.output:
            return
        if record.id in self._jobs:
            return
        job = asyncio.create_task(self._save(record.id))
        self._jobs[record.id] = job
        job.add_done_callback(lambda _: self._jobs.pop(record.id, None))

    async def resume(self) -> None:
        """At start: sweep now, and then every half lease, for copies nobody holds (finished
        while every replica was down, or left by a replica that died mid-copy). Half-written
        scratch files a killed process left on this disk go first."""
        await asyncio.to_thread(scratch.sweep, self.media.scratch)
        await self.sweep()
        self._sweeper = asyncio.create_task(self._sweep_forever())

    async def sweep(self) -> None:
        for record in await self.leases.awaiting_video(MAX_ATTEMPTS, time.time()):
            self.schedule(record)

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.lease_s / 2)
            try:
                await self.sweep()
            except Exception:  # a database hiccup: the next sweep tries again
                log.exception("video sweep failed")

    async def _save(self, task_id: str) -> None:
        for attempt in range(MAX_ATTEMPTS):
            if not await self.leases.claim_video(task_id, self.holder, time.time(), self.lease_s):
                return  # saved, gone, or another replica holds the lease
            record = await self.storage.get_any(task_id)
            if record is None or record.video_saved or not record.output:
                await self.leases.finish_video(task_id, self.holder)
                return
            renewing = asyncio.create_task(self._renew(task_id))
            try:
                size, suffix = await self._copy(record)
            except DownloadError as exc:
                error = EXPIRED_NOTE if exc.expired else str(exc)
                await self.leases.finish_video(task_id, self.holder, error=error)
                log.info("video copy of %s failed (attempt %d): %s", task_id, attempt + 1, exc)
                if exc.expired:
                    return
                await asyncio.sleep(self.retry_delay_s * 2**attempt)
                continue
            finally:
                renewing.cancel()
            name = self.media.name(task_id, suffix)
            await self.leases.finish_video(task_id, self.holder, path=name, size=size)
            return

    async def _renew(self, task_id: str) -> None:
        """Keep the lease while the copy runs; stop once another replica has taken it over."""
        while True:
            await asyncio.sleep(self.lease_s / 3)
            if not await self.leases.renew_video(task_id, self.holder, time.time(), self.lease_s):
                return

    async def _copy(self, record: TaskRecord) -> tuple[int, str]:
        stream = self.client.stream_output(resolve_upstream(record.base_url), record.output[0])
        try:
            async with asyncio.timeout(self.timeout_s):
                return await self.media.download(
                    stream, record.id, self.limit_bytes, output_suffix(record)
                )
        except TimeoutError:
            raise DownloadError(
                _("no whole video within {seconds} s", seconds=f"{self.timeout_s:g}")
            ) from None
        except UpstreamRefused as exc:  # the guard refused the output's address
            raise DownloadError(str(exc)) from None

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
        for job in list(self._jobs.values()):
            job.cancel()
        await asyncio.gather(*self._jobs.values(), return_exceptions=True)
