"""The Runway create endpoints the console drives, as one table.

Each endpoint is a path under `/v1`, the models the catalog lists for it (so its body is
checked by the same rules as image-to-video: `validation.validate_create_body`), and what its
task makes: a video or an image. Submitting, recording, saving the output, the inspector, copy
as code and the gateway all read this table rather than naming `image_to_video`.
"""

from dataclasses import dataclass
from typing import Any

from app.catalog.credits import counted_duration
from app.catalog.models import ENDPOINT_MODELS, Model
from app.catalog.validation import FieldError, Invalid, validate_create_body
from app.core.i18n import N_
from app.core.i18n import gettext as _

DEFAULT_ENDPOINT = "image_to_video"


@dataclass(frozen=True)
class CreateEndpoint:
    """One create endpoint: `path` under `/v1` (also the SDK's resource name)."""

    path: str
    label: str
    result: str  # "video" or "image": what the task's output is, saved and shown as such
    default_model: str
    takes_frames: bool = False

    @property
    def models(self) -> dict[str, Model]:
        return ENDPOINT_MODELS[self.path]

    @property
    def makes_image(self) -> bool:
        return self.result == "image"

    def validate(self, body: dict[str, Any]) -> None:
        validate_create_body(body, self.path)

    def duration_of(self, body: dict[str, Any]) -> int:
        """The seconds the task will make, as its estimate counts them (0 for an image or an
        upscale, which keeps its video's length)."""
        return counted_duration(body, self.path) or 0


ENDPOINTS: dict[str, CreateEndpoint] = {
    e.path: e
    for e in (
        CreateEndpoint(
            "image_to_video", N_("Image to video"), "video", "gen3a_turbo", takes_frames=True
        ),
        CreateEndpoint("text_to_video", N_("Text to video"), "video", "gen4.5"),
        CreateEndpoint("text_to_image", N_("Text to image"), "image", "gen4_image"),
        CreateEndpoint(
            "video_upscale", N_("Video upscale"), "video", "magnific_video_upscaler_creative"
        ),
    )
}
FORM_MODES = ("image_to_video", "text_to_video")  # the form's choice; the others have buttons


def endpoint_label(name: str) -> str:
    """The endpoint's name as the page says it (translated where it is shown)."""
    endpoint = ENDPOINTS.get(name)
    return endpoint.label if endpoint is not None else name


def endpoint_named(name: object) -> CreateEndpoint:
    """The endpoint a request names; Invalid (a field error) for any other."""
    if name is None or name == "":
        return ENDPOINTS[DEFAULT_ENDPOINT]
    if isinstance(name, str) and name in ENDPOINTS:
        return ENDPOINTS[name]
    names = ", ".join(ENDPOINTS)
    raise Invalid([FieldError("endpoint", _("must be one of {names}", names=names))])
