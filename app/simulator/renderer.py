"""Renders outputs off the request path, so a create answers at once however many arrive."""

import threading
from concurrent.futures import Future, ThreadPoolExecutor

from PIL import Image

from app.catalog import ratio_size
from app.simulator.camera import CameraPath
from app.simulator.store import SimStore, SimTask
from app.simulator.video import (
    load_frame,
    output_size,
    placeholder_frame,
    render_video,
    source_size,
)


class Renderer:
    """One render per task at most; results live in the store's outputs folder."""

    def __init__(self, store: SimStore, workers: int = 2) -> None:
        self._store = store
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sim-render")
        self._jobs: dict[str, Future[None]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def is_ready(self, task_id: str) -> bool:
        return self._store.video_path(task_id).exists()

    def ensure(self, task: SimTask) -> Future[None] | None:
        """Start rendering unless the video exists or is being made; returns the job."""
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
        data = self._store.frame_bytes(task.id, position) if source == "data" else None
        if data is None:
            return placeholder_frame(source, size, hue=80 if position == "last" else 0)
        try:
            return load_frame(data, size)
        except (OSError, ValueError):
            return placeholder_frame("(undecodable image)", size)

    def _render(self, task: SimTask) -> None:
        size = output_size(*ratio_size(task.ratio))
        frame_size = source_size(size)
        first = self._frame(task, "first", frame_size) or placeholder_frame(
            "(no first frame)", frame_size
        )
        render_video(
            first,
            self._frame(task, "last", frame_size),
            size,
            task.duration,
            self._store.video_path(task.id),
            CameraPath.from_seed(task.seed),
            watermark=bool(task.extra.get("watermark")),
            stop=self._stopping,
        )

    def shutdown(self) -> None:
        """Drop queued renders and stop running ones at their next frame."""
        self._stopping.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
