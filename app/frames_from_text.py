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

from app.catalog import Model, api_models, ratio_shape
from app.create_endpoints import ENDPOINTS
from app.frames import FrameStore, StoredFrame
from app.images import prepare_image
from app.media import MediaStore
from app.storage import TaskRecord

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


def nearest_ratio(model: Model, video_ratio: str) -> str:
    """The model's ratio closest in shape to the video's, so the frame needs no crop."""
    target = ratio_shape(video_ratio)
    shaped = [r for r in model.ratios if ratio_shape(r)]
    if target is None or not shaped:
        return model.default_ratio

    def distance(ratio: str) -> float:
        w, h = ratio_shape(ratio) or (1, 1)
        return abs(math.log(w / h) - math.log(target[0] / target[1]))

    return min(shaped, key=distance)


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
        request = cls(position)
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
