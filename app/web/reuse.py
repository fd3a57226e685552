"""What "Reuse" gives the form, by the kind of task it is pressed on.

A video made by the form (image or text to video) comes back as it was, in its own mode. An
image (text_to_image) was made to be animated, so it comes back as the first frame of the
image-to-video form (with the model the form has now, when the page says), at the video ratio
nearest its shape; an image task that gave no image
reopens its "Make a frame from text" panel, filled in, to try again. An upscale has no settings
a person chose (its model and source are fixed), so it offers no reuse at all. "Use as input"
puts any succeeded output into a mode that needs its kind (`input_modes`), read off the
schemas: a video into video-to-video, Act-Two or HDR (speech_to_speech's `media` too), an
image into image upscale or, as its first frame, image-to-video.
"""

from app.catalog.endpoints import ENDPOINTS, FORM_MODES
from app.frames.from_text import FrameRequest, frame_of, nearest_ratio
from app.frames.images import BadImage
from app.frames.owners import FrameOwners
from app.frames.refs import FrameStore
from app.media.copies import MediaStore
from app.storage.task_record import TaskRecord
from app.web.forms import FormState, state_from_record
from app.web.handoff import Handoff, handoff
from app.web.schema_form import union_tag

IMAGE_ENDPOINT = "text_to_image"
FIRST_FRAME_MODE = "image_to_video"  # an image goes in as its first frame


def _output_kind(record: TaskRecord) -> str | None:
    """What the task made (video, image, audio), by its endpoint; None for one not known."""
    endpoint = ENDPOINTS.get(record.endpoint)
    return endpoint.result if endpoint is not None else None


def _takes(mode: str, kind: str) -> bool:
    """Whether the form in `mode` (its default model) needs an input of this kind: a first
    frame for an image, or a media field the body needs whose kinds include it (a video fits
    speech_to_speech's `media`, audio or video)."""
    if mode == FIRST_FRAME_MODE:
        return kind == "image"
    state = FormState(endpoint=mode)
    state.fit_to_model()
    return any(f.kind == "media" and f.essential and kind in f.kinds for f in state.schema_fields)


def input_modes(record: TaskRecord) -> tuple[str, ...]:
    """The form modes a task's output may go into as an input ("Use as input"); none until it
    succeeded. An image made from text has its own "Use as first frame"."""
    kind = _output_kind(record)
    if record.status != "SUCCEEDED" or not record.output or kind is None:
        return ()
    # The form opens on the task's own address: an output whose link may have expired goes
    # in only as its saved copy (app/web/handoff.py), so with none it is not offered.
    if handoff(record, record.base_url) is Handoff.NONE:
        return ()
    skip = FIRST_FRAME_MODE if record.endpoint == IMAGE_ENDPOINT else None
    return tuple(m for m in FORM_MODES if m != skip and _takes(m, kind))


def input_state(
    record: TaskRecord, endpoint: str, frames: FrameStore, media: MediaStore, model: str = ""
) -> FormState | None:
    """The form in `endpoint`'s mode with the task's output as its input (blocking: an image
    becomes a stored first frame): the first field the body needs that holds this kind of
    media (a union's `type` set to match), under its upstream URL, which the upstream reads
    (the console's copy it cannot); `handoff.copy_into` swaps in the saved copy where that
    URL may have expired."""
    kind = _output_kind(record)
    if endpoint not in input_modes(record) or kind is None:
        return None
    if endpoint == FIRST_FRAME_MODE:
        return _image_as_first_frame(record, frames, media, model)
    state = FormState(base_url=record.base_url, endpoint=endpoint)
    state.fit_to_model()
    for field in state.schema_fields:
        if field.kind == "media" and kind in field.kinds and field.essential:
            state.values[field.path] = record.output[0]
            tag = union_tag(endpoint, state.model, field, kind)
            if tag is not None:
                state.values[tag.path] = kind
            return state
    return None


def reuse_state(
    record: TaskRecord, frames: FrameStore, media: MediaStore, new_seed: bool, model: str = ""
) -> FormState | None:
    """The form a past task gives (blocking: frames and media may be S3); None for none."""
    if record.endpoint in FORM_MODES:
        return state_from_record(record, frames, new_seed)
    if record.endpoint == IMAGE_ENDPOINT:
        return _image_as_first_frame(record, frames, media, model)
    return None


def _image_as_first_frame(
    record: TaskRecord, frames: FrameStore, media: MediaStore, model: str
) -> FormState:
    state = FormState(base_url=record.base_url, prompt_text=record.prompt_text)
    state.model = model or state.model  # one the mode does not know falls back to its default
    state.fit_to_model()
    state.ratio = nearest_ratio(state.model_info, record.ratio)
    slot = state.first
    if record.status == "SUCCEEDED":
        try:
            slot.frame = frame_of(record, media, frames)
        except BadImage as exc:
            slot.error = str(exc)
    if slot.frame is None:
        slot.from_text = FrameRequest(
            "first", record.prompt_text, record.model, record.ratio, open=True
        )
    return state


async def own_image_frame(
    record: TaskRecord, state: FormState, owners: FrameOwners, owner: str
) -> None:
    """A frame taken from the caller's own image is theirs now, as an upload would be."""
    if _output_kind(record) == "image" and state.first.frame is not None:
        await owners.own([state.first.frame.sha256], owner)
