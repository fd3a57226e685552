"""Outputs of the schema-driven endpoints, cheap and deterministic by seed.

- video_to_video: the input video's own frames (decoded by PyAV), in a look the seed picks
  (a colour matrix), at the requested ratio or the input's size, for the requested seconds
  (the input looped) or the input's length.
- video_to_hdr: the input's frames with more contrast and colour, at its size and length.
- character_performance (Act-Two): the character image (or its video's first frame), moved
  with the reference video's timing: each output frame follows one reference frame, shifted
  towards where that frame's light is and pushed in by how much it changed.
- image_upscale: the image made `scaleFactor` times larger (at most MAX_UPSCALE_PIXELS).

An input the simulator may not read (an https URL it never fetches) becomes a placeholder that
names it, as elsewhere. Sizes are capped like the other renders (video.output_size).
"""

import io
import random
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import av
from PIL import Image, ImageChops, ImageEnhance, ImageFilter, ImageOps

from app.catalog.models import ratio_shape
from app.simulator.containers import HEAD_BYTES, container_format, file_format
from app.simulator.store import SimStore, SimTask
from app.simulator.upload_store import upload_path
from app.simulator.video import (
    FPS,
    MAX_PIXELS,
    PRESET,
    RenderStopped,
    output_size,
    placeholder_frame,
)

MAX_SECONDS = 15
MAX_UPSCALE_PIXELS = 4096 * 2048  # a PNG this size still encodes in about a second
AUTO_SHORT_SIDES = {"auto_720p": 720, "auto_1080p": 1080}
Source = tuple[Path | io.BytesIO, str]


def _even(size: tuple[float, float], limit: int = MAX_PIXELS) -> tuple[int, int]:
    width, height = size
    scale = min(1.0, (limit / (width * height)) ** 0.5)
    return (max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2))


def _input(task: SimTask, role: str) -> tuple[str, str] | None:
    found = task.extra.get("inputs", {}).get(role)
    return (found[0], found[1]) if found else None


def _video(store: SimStore, task: SimTask, role: str) -> Source | None:
    """A video input the simulator may read, with its container; None for a URL."""
    found = _input(task, role)
    if found is None or found[0] != "video":
        return None
    source = found[1]
    if source == "data":
        data = store.frame_bytes(task.id, role) or b""
        container = container_format(data[:HEAD_BYTES])
        return (io.BytesIO(data), container) if container else None
    path = (
        store.video_path(source.removeprefix("output:"))
        if source.startswith("output:")
        else upload_path(store.root, source)
    )
    container = file_format(path) if path is not None and path.exists() else None
    return (path, container) if path is not None and container else None


def _image(store: SimStore, task: SimTask, role: str) -> Image.Image | None:
    found = _input(task, role)
    if found is None or found[0] != "image":
        return None
    if found[1] == "data":
        data = store.frame_bytes(task.id, role)
    elif found[1].startswith("output:"):  # one of its own image outputs
        own = store.outputs_dir / f"{found[1].removeprefix('output:')}.png"
        data = own.read_bytes() if own.is_file() else None
    else:
        path = upload_path(store.root, found[1])
        data = path.read_bytes() if path is not None else None
    if data is None:
        return None
    try:
        with Image.open(io.BytesIO(data)) as opened:
            return ImageOps.exif_transpose(opened).convert("RGB")
    except (OSError, ValueError):
        return None


def _facts(source: Source) -> tuple[tuple[int, int], float, float]:
    """A video's size, frame rate and length in seconds."""
    with av.open(_rewound(source[0]), format=source[1]) as given:
        stream = given.streams.video[0]
        rate = float(stream.average_rate or 24)
        seconds = float(stream.duration * stream.time_base) if stream.duration else 0.0
        if not seconds and given.duration:
            seconds = given.duration / 1_000_000
        return (stream.width, stream.height), rate, seconds or 1.0


def _rewound(source: Path | io.BytesIO) -> str | io.BytesIO:
    if isinstance(source, io.BytesIO):
        source.seek(0)
        return source
    return str(source)


def _frames(source: Source, count: int) -> Iterator[Image.Image]:
    """`count` pictures at 24 fps from the video: its frames in time (repeated or skipped
    for its own rate), looped when it is shorter."""
    _size, rate, _seconds = _facts(source)
    made = consumed = 0
    while made < count:
        start = consumed
        with av.open(_rewound(source[0]), format=source[1]) as given:
            for frame in given.decode(video=0):
                consumed += 1
                picture = None
                while made < count and made * rate / FPS < consumed:
                    picture = picture or frame.to_image()
                    yield picture
                    made += 1
                if made >= count:
                    return
        if consumed == start:
            return  # a video with no frames


def _encode(
    pictures: Iterable[Image.Image],
    size: tuple[int, int],
    path: Path,
    stop: threading.Event | None,
) -> None:
    temporary = path.with_suffix(".part")
    try:
        with av.open(str(temporary), "w", format="mp4", options={"movflags": "+faststart"}) as out:
            stream = out.add_stream("libx264", rate=FPS)
            stream.width, stream.height = size
            stream.pix_fmt = "yuv420p"
            stream.options = {"preset": PRESET, "crf": "26"}
            for picture in pictures:
                if stop is not None and stop.is_set():
                    raise RenderStopped
                frame = av.VideoFrame.from_image(
                    picture.resize(size) if picture.size != size else picture
                )
                for packet in stream.encode(frame.reformat(format="yuv420p")):
                    out.mux(packet)
            for packet in stream.encode():
                out.mux(packet)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    temporary.replace(path)


def _look(seed: int) -> tuple[float, ...]:
    """A colour matrix the seed picks: a mix of the channels, a little warmth or coolness."""
    rng = random.Random(seed)
    rows = []
    for channel in range(3):
        weights = [rng.uniform(0.0, 0.35) for _ in range(3)]
        weights[channel] += rng.uniform(0.55, 0.9)
        rows += [*weights, rng.uniform(-12, 24)]
    return tuple(rows)


def transformed_size(task: SimTask, given: tuple[int, int]) -> tuple[int, int]:
    """video_to_video's output size: the ratio's, an `auto_*` tier's in the input's shape,
    a target aspect's, else the input's own (each capped as the other renders are)."""
    ratio = task.ratio
    if ratio in AUTO_SHORT_SIDES:
        scale = AUTO_SHORT_SIDES[ratio] / min(given)
        return _even((given[0] * scale, given[1] * scale))
    shape = ratio_shape(ratio) or ratio_shape(str(task.extra.get("targetAspectRatio", "")))
    return output_size(*shape) if shape else _even(given)


def render_transform(store: SimStore, task: SimTask, path: Path, stop: threading.Event) -> None:
    """video_to_video and video_to_hdr."""
    source = _video(store, task, "video")
    hdr = task.extra.get("kind") == "video_to_hdr"
    if source is None:
        label = str((_input(task, "video") or ("", "(no video)"))[1])
        size = output_size(1280, 720) if hdr else transformed_size(task, (1280, 720))
        _encode([placeholder_frame(label, size)] * (FPS * 5), size, path, stop)
        return
    given, _rate, seconds = _facts(source)
    size = _even(given) if hdr else transformed_size(task, given)
    wanted = task.duration if task.duration and not hdr else seconds
    count = max(1, round(min(wanted, MAX_SECONDS) * FPS))
    matrix = _look(task.seed)

    def styled(picture: Image.Image) -> Image.Image:
        if task.extra.get("targetAspectRatio"):  # letterboxed, as Aleph expands a video
            picture = ImageOps.pad(picture, size)
        else:
            picture = ImageOps.fit(picture, size)
        if hdr:
            return ImageEnhance.Color(ImageEnhance.Contrast(picture).enhance(1.2)).enhance(1.3)
        return picture.convert("RGB", matrix)

    _encode((styled(p) for p in _frames(source, count)), size, path, stop)


def _performance(reference: Image.Image, before: Image.Image | None) -> tuple[float, float, float]:
    """Where a reference frame's light sits (-1..1 from the middle) and how much it moved."""
    small = reference.convert("L").resize((32, 18))
    pixels = small.tobytes()
    total = sum(pixels) or 1
    x = sum((i % 32) * p for i, p in enumerate(pixels)) / total / 31 * 2 - 1
    y = sum((i // 32) * p for i, p in enumerate(pixels)) / total / 17 * 2 - 1
    moved = 0.0
    if before is not None:
        difference = ImageChops.difference(small, before.convert("L").resize((32, 18)))
        moved = sum(difference.tobytes()) / (32 * 18 * 255)
    return x, y, moved


def render_performance(store: SimStore, task: SimTask, path: Path, stop: threading.Event) -> None:
    """Act-Two: the character, moved frame by frame as the reference video moves."""
    size = output_size(*(ratio_shape(task.ratio) or (1280, 720)))
    found = _video(store, task, "character")
    character = next(_frames(found, 1), None) if found else _image(store, task, "character")
    label = str((_input(task, "character") or ("", "(no character)"))[1])
    base = ImageOps.fit(
        character or placeholder_frame(label, size), (size[0] * 5 // 4, size[1] * 5 // 4)
    )
    reference = _video(store, task, "reference")
    count = round(min(_facts(reference)[2], MAX_SECONDS) * FPS) if reference else FPS * 5
    strength = int(task.extra.get("expressionIntensity") or 3) / 3
    spare = (base.width - size[0]) / 2, (base.height - size[1]) / 2

    def moved() -> Iterator[Image.Image]:
        before = None
        pictures = _frames(reference, count) if reference else iter([None] * count)
        for index, picture in enumerate(pictures):
            x, y, change = _performance(picture, before) if picture else (0.0, 0.0, 0.0)
            before = picture
            bob = ((index * 7 + task.seed) % 24 - 12) / 12 * 0.2
            dx = spare[0] * (1 + max(-1, min(1, x * strength + bob)))
            dy = spare[1] * (1 + max(-1, min(1, y * strength)))
            zoom = min(0.2, change * 4 * strength)
            w, h = size[0] * (1 - zoom / 2), size[1] * (1 - zoom / 2)
            box = (dx, dy, dx + w, dy + h)
            yield base.resize(size, Image.Resampling.BILINEAR, box=box)

    _encode(moved(), size, path, stop)


def render_image_upscale(store: SimStore, task: SimTask, path: Path) -> None:
    """The image `scaleFactor` times larger, sharpened as asked."""
    image = _image(store, task, "image")
    if image is None:
        label = str((_input(task, "image") or ("", "(no image)"))[1])
        image = placeholder_frame(label, (256, 256))
    factor = int(task.extra.get("scaleFactor") or 2)
    size = _even((image.width * factor, image.height * factor), MAX_UPSCALE_PIXELS)
    bigger = image.resize(size, Image.Resampling.LANCZOS)
    if sharpen := int(task.extra.get("sharpen") or 0):
        bigger = bigger.filter(ImageFilter.UnsharpMask(radius=2, percent=sharpen * 2))
    temporary = path.with_suffix(".part")
    bigger.save(temporary, "PNG", compress_level=1)
    temporary.replace(path)


input_image = _image  # the recipes' renders (recipes.py) read their images as these do


def render_media(store: SimStore, task: SimTask, path: Path, stop: threading.Event) -> None:
    kind = task.extra.get("kind")
    if kind == "image_upscale":
        render_image_upscale(store, task, path)
    elif kind == "character_performance":
        render_performance(store, task, path, stop)
    else:
        render_transform(store, task, path, stop)
