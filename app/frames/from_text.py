"""Frames from text: a text_to_image task whose picture becomes a frame slot's frame.

The task is an ordinary one (the task service starts it, so it is in history with its
transcript, at the form's address and key); once it succeeded and the console saved its image,
the image is stored as a frame like an upload (checked, upright, within the data-URI limit), so
the slot holds `frame:<sha>` and the video's create inlines it like any other frame.
"""

import io
import math
from dataclasses import dataclass

from starlette.datastructures import ImmutableMultiDict

from app.catalog.endpoints import ENDPOINTS
from app.catalog.models import Model, api_models, ratio_shape
from app.frames.images import prepare_image
from app.frames.refs import FrameStore, StoredFrame
from app.media.copies import MediaStore
from app.storage.task_record import TaskRecord

ENDPOINT = ENDPOINTS["text_to_image"]
PROMPT_ROWS = 2


def image_models() -> list[Model]:
    """The models a frame can be made with from a prompt and a ratio alone (not those whose
    SDK type requires more, such as gen4_image_turbo's reference images)."""
    entries = api_models(ENDPOINT.path)
    simple = {"model", "promptText", "ratio"}
    return [
        model
        for name, model in ENDPOINT.models.items()
        if model.ratios
        and all(not needed or field in simple for field, needed in entries[name]["fields"].items())
    ]


def shape_distance(ratio: str, video_ratio: str) -> float:
    """How far apart two `W:H` shapes are (0: the same; infinite for a named ratio)."""
    have, want = ratio_shape(ratio), ratio_shape(video_ratio)
    if have is None or want is None:
        return math.inf
    return abs(math.log(have[0] / have[1]) - math.log(want[0] / want[1]))


def _fit(ratio: str, video_ratio: str) -> tuple[float, float]:
    """How well a frame of `ratio` fits the video: its shape first, then its pixel count."""
    have, want = ratio_shape(ratio) or (1, 1), ratio_shape(video_ratio) or (1, 1)
    size = abs(math.log(have[0] * have[1] / (want[0] * want[1])))
    return round(shape_distance(ratio, video_ratio), 4), size


def nearest_ratio(model: Model, video_ratio: str) -> str:
    """The model's ratio closest in shape to the video's, so the frame needs no crop (of
    equal shapes, the one nearest the video's size: 1280:720 rather than 1920:1080)."""
    shaped = [r for r in model.ratios if ratio_shape(r)]
    if ratio_shape(video_ratio) is None or not shaped:
        return model.default_ratio
    return min(shaped, key=lambda ratio: _fit(ratio, video_ratio))


def closest_model(video_ratio: str) -> Model:
    """The image model whose nearest ratio is closest to the video's shape, so the frame made
    needs no crop (gen4_image's closest to 1280:768 is 1360:768, 6 % off; 1344:768 is 5 %).
    Among equally close ones the default, then the one nearest the video's size."""
    default = ENDPOINT.models[ENDPOINT.default_model]
    if ratio_shape(video_ratio) is None:
        return default

    def rank(model: Model) -> tuple[float, bool, float]:
        shape, size = _fit(nearest_ratio(model, video_ratio), video_ratio)
        return shape, model.name != default.name, size

    return min(image_models(), key=rank, default=default)


@dataclass
class FrameRequest:
    """What the slot's "Make a frame from text" disclosure holds."""

    position: str
    prompt: str = ""
    model: str = ENDPOINT.default_model
    ratio: str = ""
    open: bool = False

    @property
    def model_info(self) -> Model:
        return ENDPOINT.models.get(self.model) or ENDPOINT.models[ENDPOINT.default_model]

    @property
    def models(self) -> list[Model]:
        return image_models()

    def body(self) -> dict[str, object]:
        return {"model": self.model, "promptText": self.prompt, "ratio": self.ratio}

    @classmethod
    def default(cls, position: str, video_ratio: str = "") -> "FrameRequest":
        """The disclosure as first shown: the model and ratio closest to the video's shape."""
        request = cls(position, model=closest_model(video_ratio).name)
        request.ratio = nearest_ratio(request.model_info, video_ratio)
        return request

    @classmethod
    def from_form(cls, form: ImmutableMultiDict, position: str) -> "FrameRequest":
        """The disclosure's fields (named `<position>_ft_*`, apart from the form's own)."""
        request = cls(
            position,
            prompt=str(form.get(f"{position}_ft_prompt") or ""),
            model=str(form.get(f"{position}_ft_model") or ENDPOINT.default_model),
            ratio=str(form.get(f"{position}_ft_ratio") or ""),
            open=True,
        )
        if request.ratio not in request.model_info.ratios:
            request.ratio = nearest_ratio(request.model_info, request.ratio)
        return request


def frame_of(record: TaskRecord, media: MediaStore, frames: FrameStore) -> StoredFrame | None:
    """The task's saved image as a stored frame (blocking: the store may be S3); None while
    the image is not saved yet."""
    if not record.video_saved:
        return None
    data = media.read(record.id, "png")
    if data is None:
        return None
    return frames.put(prepare_image(io.BytesIO(data)))
