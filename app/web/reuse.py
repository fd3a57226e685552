"""What "Reuse" gives the form, by the kind of task it is pressed on.

A video made by the form (image or text to video) comes back as it was, in its own mode. An
image (text_to_image) was made to be animated, so it comes back as the first frame of the
image-to-video form (with the model the form has now, when the page says), at the video ratio
nearest its shape; an image task that gave no image
reopens its "Make a frame from text" panel, filled in, to try again. An upscale has no settings
a person chose (its model and source are fixed), so it offers no reuse at all.
"""

from app.catalog.endpoints import FORM_MODES
from app.frames.from_text import FrameRequest, frame_of, nearest_ratio
from app.frames.images import BadImage
from app.frames.owners import FrameOwners
from app.frames.refs import FrameStore
from app.media.audio import AUDIO_TYPES
from app.media.copies import MediaStore, output_suffix
from app.storage.database import TaskRecord
from app.web.forms import FormState, state_from_record

IMAGE_ENDPOINT = "text_to_image"
# "Use as input": the modes an output of each kind goes into (video_upscale and image to
# video have their own buttons: "Upscale", "Use as first frame").
AUDIO_MODES = ("voice_isolation", "voice_dubbing", "speech_to_speech")
INPUT_MODES = {
    # A video's sound track too: speech-to-speech takes a video, video-to-audio scores one.
    "mp4": (
        "video_to_video",
        "character_performance",
        "video_to_hdr",
        "speech_to_speech",
        "video_to_audio",
    ),
    "png": ("image_upscale",),
} | dict.fromkeys(AUDIO_TYPES, AUDIO_MODES)
MEDIA_KINDS = {"mp4": "video", "png": "image"} | dict.fromkeys(AUDIO_TYPES, "audio")


def input_modes(record: TaskRecord) -> tuple[str, ...]:
    """The form modes a task's output may go into as an input; none until it succeeded."""
    if record.status != "SUCCEEDED" or not record.output:
        return ()
    return INPUT_MODES.get(output_suffix(record), ())


def input_state(record: TaskRecord, endpoint: str) -> FormState | None:
    """The form in `endpoint`'s mode with the task's output as its input: the first field
    the body needs that holds this kind of media (a union's `type` set to match), under its
    upstream URL, which the upstream reads (the console's copy it cannot)."""
    if endpoint not in input_modes(record):
        return None
    kind = MEDIA_KINDS[output_suffix(record)]
    state = FormState(base_url=record.base_url, endpoint=endpoint)
    state.fit_to_model()
    for field in state.schema_fields:
        if field.kind == "media" and field.media == kind and field.essential:
            state.values[field.path] = record.output[0]
            parent = field.path.rpartition(".")[0]
            tag = next((f for f in state.schema_fields if f.path == f"{parent}.type"), None)
            if parent and tag is not None and kind in tag.choices:
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
    if record.endpoint == IMAGE_ENDPOINT and state.first.frame is not None:
        await owners.own([state.first.frame.sha256], owner)
