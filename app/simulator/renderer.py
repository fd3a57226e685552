"""Renders outputs off the request path, so a create answers at once however many arrive."""

import io
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import av
from PIL import Image

from app.catalog.models import ratio_size
from app.simulator.audio_outputs import AUDIO_KINDS, render_audio
from app.simulator.audio_outputs import SUFFIXES as AUDIO_SUFFIXES
from app.simulator.camera import CameraPath
from app.simulator.containers import HEAD_BYTES, container_format, file_format
from app.simulator.media_render import render_media
from app.simulator.recipe_render import is_recipe, makes_image, render_recipe
from app.simulator.scenes import paint_scene
from app.simulator.store import SimStore, SimTask
from app.simulator.upload_store import upload_path
from app.simulator.upscale import frame_rate, upscale_video, upscaled_size
from app.simulator.video import (
    load_frame,
    output_size,
    placeholder_frame,
    render_video,
    source_size,
)

SUFFIXES = ("mp4", "png", *AUDIO_SUFFIXES)
IMAGE_KINDS = ("text_to_image", "image_upscale")
# The endpoints the SDK's schemas drive render in media_render.py.
MEDIA_KINDS = ("video_to_video", "character_performance", "video_to_hdr", "image_upscale")


def output_suffix(task: SimTask) -> str:
    """What a task makes: a PNG for an image endpoint or recipe, the asked audio format for an
    audio one, an MP4 for everything else."""
    kind = task.extra.get("kind")
    if kind in AUDIO_KINDS:
        return str(task.extra.get("format") or "mp3")
    return "png" if kind in IMAGE_KINDS or makes_image(kind) else "mp4"


class Renderer:
    """One render per task at most; results live in the store's outputs folder."""

    def __init__(self, store: SimStore, workers: int = 2) -> None:
        self._store = store
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sim-render")
        self._jobs: dict[str, Future[None]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def output_path(self, task_id: str, suffix: str = "mp4") -> Path:
        return self._store.outputs_dir / f"{task_id}.{suffix}"

    def is_ready(self, task_id: str) -> bool:
        return any(self.output_path(task_id, suffix).exists() for suffix in SUFFIXES)

    def ensure(self, task: SimTask) -> Future[None] | None:
        """Start rendering unless the output exists or is being made; returns the job."""
        if self.is_ready(task.id):
            return None
        with self._lock:
            job = self._jobs.get(task.id)
            if job is None or (job.done() and job.exception() is not None):
                job = self._pool.submit(self._render, task)
                self._jobs[task.id] = job
                job.add_done_callback(lambda _: self._forget(task.id))
            return job

    def _forget(self, task_id: str) -> None:
        with self._lock:
            job = self._jobs.get(task_id)
            if job is not None and job.done() and job.exception() is None:
                del self._jobs[task_id]

    def _frame(self, task: SimTask, position: str, size: tuple[int, int]) -> Image.Image | None:
        source = task.frames.get(position)
        if source is None:
            return None
        if source == "data":
            data = self._store.frame_bytes(task.id, position)
        elif (uploaded := upload_path(self._store.root, source)) is not None:
            data = uploaded.read_bytes()
        else:
            data = None
        if data is None:
            return placeholder_frame(source, size, hue=80 if position == "last" else 0)
        try:
            return load_frame(data, size)
        except (OSError, ValueError):
            return placeholder_frame("(undecodable image)", size)

    def _render(self, task: SimTask) -> None:
        kind = task.extra.get("kind", "image_to_video")
        if kind == "video_upscale":
            return self._upscale(task)
        if kind in AUDIO_KINDS:
            return render_audio(self._store, task, self.output_path(task.id, output_suffix(task)))
        if is_recipe(kind):
            path = self.output_path(task.id, output_suffix(task))
            return render_recipe(self._store, task, path, self._stopping)
        if kind in MEDIA_KINDS:
            return render_media(
                self._store, task, self.output_path(task.id, output_suffix(task)), self._stopping
            )
        size = output_size(*ratio_size(task.ratio))
        if kind == "text_to_image":
            path = self.output_path(task.id, "png")
            picture = paint_scene(task.prompt, task.seed, size)
            picture.save(path.with_suffix(".part"), "PNG")
            path.with_suffix(".part").replace(path)
            return None
        frame_size = source_size(size)
        if kind == "text_to_video":
            first = paint_scene(task.prompt, task.seed, frame_size)
        else:
            first = self._frame(task, "first", frame_size) or placeholder_frame(
                "(no first frame)", frame_size
            )
        last = self._frame(task, "last", frame_size)
        self._video(task, first, last, size)
        return None

    def _video(
        self, task: SimTask, first: Image.Image, last: Image.Image | None, size: tuple[int, int]
    ) -> None:
        render_video(
            first,
            last,
            size,
            task.duration or 5,
            self.output_path(task.id),
            CameraPath.from_seed(task.seed),
            watermark=bool(task.extra.get("watermark")),
            stop=self._stopping,
        )

    def _upscale(self, task: SimTask) -> None:
        """The given video made larger; one the simulator may not fetch, or cannot decode,
        becomes a placeholder video that says so."""
        found = self._video_source(task)
        rate = task.extra.get("targetFramerate")
        if found is not None:
            source, container = found
            try:
                upscale_video(
                    source,
                    container,
                    self.output_path(task.id),
                    task.extra.get("resolution"),
                    frame_rate(rate) if rate else None,
                    self._stopping,
                )
                return
            except (av.error.FFmpegError, IndexError):
                label = "(undecodable video)"
        else:
            label = str(task.extra.get("videoUri", ""))
        size = upscaled_size(1280, 720, task.extra.get("resolution"))
        self._video(task, placeholder_frame(label, source_size(size)), None, size)

    def _video_source(self, task: SimTask) -> tuple[Path | io.BytesIO, str] | None:
        """The video to upscale and its container, or None when there is none the simulator
        may read: the create checked the owner and the container, this checks the bytes again
        (a task kept before that check, a file changed since)."""
        video = str(task.extra.get("video", ""))
        if video == "data":
            data = self._store.frame_bytes(task.id, "video")
            container = container_format(data[:HEAD_BYTES]) if data is not None else None
            return (io.BytesIO(data), container) if data and container else None
        if video.startswith("output:"):
            path: Path | None = self._store.video_path(video.removeprefix("output:"))
        else:
            path = upload_path(self._store.root, video)
        container = file_format(path) if path is not None else None
        return (path, container) if path is not None and container else None

    def shutdown(self) -> None:
        """Drop queued renders and stop running ones at their next frame."""
        self._stopping.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
