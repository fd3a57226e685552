"""The Runway create endpoints the console drives, as one table.

Each endpoint is a path under `/v1`, the models the catalog lists for it, and what its task
makes: a video or an image. Its body is checked by the hand-written rules of image-to-video
(`validation.validate_create_body`) or, for the endpoints the SDK's JSON Schemas drive
(`catalog.SCHEMA_ENDPOINTS`), against its model's schema (`schema_check.body_errors`).
Submitting, recording, saving the output, the inspector, copy as code and the gateway all read
this table rather than naming `image_to_video`.
"""

from dataclasses import dataclass
from typing import Any

from app.catalog.credits import counted_duration
from app.catalog.models import (
    ENDPOINT_MODELS,
    SCHEMA_ENDPOINTS,
    SCHEMAS,
    Model,
    model_key,
    selector,
)
from app.catalog.schema_check import body_errors
from app.catalog.validation import FieldError, Invalid, raise_errors, validate_create_body
from app.core.i18n import N_
from app.core.i18n import gettext as _

DEFAULT_ENDPOINT = "image_to_video"


@dataclass(frozen=True)
class CreateEndpoint:
    """One create endpoint: `path` under `/v1` (also the SDK's resource name)."""

    path: str
    label: str
    result: str  # "video", "image" or "audio": what the task's output is, saved and shown as such
    default_model: str
    takes_frames: bool = False

    @property
    def models(self) -> dict[str, Model]:
        return ENDPOINT_MODELS[self.path]

    @property
    def makes_image(self) -> bool:
        return self.result == "image"

    @property
    def makes_audio(self) -> bool:
        return self.result == "audio"

    @property
    def schema_checked(self) -> bool:
        """Checked against its models' JSON Schemas (app/catalog/schema_check.py), not by hand."""
        return self.path in SCHEMA_ENDPOINTS

    def takes_seed(self, model: object) -> bool:
        """Whether a body for `model` may name a seed (the page draws one when it has none,
        so the task records the seed it used): as its schema says, or all but upscales."""
        if not self.schema_checked:
            return self.path != "video_upscale"
        schema = SCHEMAS[self.path].get(str(model))
        return schema is not None and "seed" in schema["properties"]

    @property
    def is_recipe(self) -> bool:
        return self.path.startswith("recipes/")

    def model_of(self, body: dict[str, Any]) -> str:
        """What the task records as its model: the body's, or for a recipe (which names none)
        its dated `version`, which pins what runs as a model does."""
        if self.schema_checked and selector(self.path) != "model":
            return str(body.get("version") or model_key(self.path, body))
        return str(body.get("model"))

    def prompt_of(self, body: dict[str, Any]) -> str:
        """What the task records as its prompt: `promptText`, or a recipe's brief (its prompt,
        else the creative concept), so history and the demo can say what was asked."""
        names = ("prompt", "userConcept", "productInfo") if self.is_recipe else ("promptText",)
        return next((body[n] for n in names if isinstance(body.get(n), str) and body[n]), "")

    def validate(self, body: dict[str, Any]) -> None:
        if self.schema_checked:
            raise_errors(body, body_errors(body, self.path))
        else:
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
        CreateEndpoint("video_to_video", N_("Video to video"), "video", "aleph2"),
        CreateEndpoint("character_performance", N_("Act-Two"), "video", "act_two"),
        CreateEndpoint("video_to_hdr", N_("Video to HDR"), "video", "ruby"),
        CreateEndpoint(
            "image_upscale", N_("Image upscale"), "image", "magnific_precision_upscaler_v2"
        ),
        CreateEndpoint("text_to_speech", N_("Text to speech"), "audio", "eleven_multilingual_v2"),
        CreateEndpoint("sound_effect", N_("Sound effect"), "audio", "eleven_text_to_sound_v2"),
        CreateEndpoint(
            "speech_to_speech", N_("Speech to speech"), "audio", "eleven_multilingual_sts_v2"
        ),
        CreateEndpoint("voice_dubbing", N_("Voice dubbing"), "audio", "eleven_voice_dubbing"),
        CreateEndpoint("voice_isolation", N_("Voice isolation"), "audio", "eleven_voice_isolation"),
        CreateEndpoint("video_to_audio", N_("Video to audio"), "audio", "mirelo_sfx_2_0"),
        # The recipes (the SDK's resources/recipes.py): a body with a dated version, no model.
        CreateEndpoint("recipes/product_ad", N_("Product ad"), "video", "default"),
        CreateEndpoint("recipes/product_ugc", N_("Product UGC video"), "video", "default"),
        CreateEndpoint("recipes/product_swap", N_("Product swap"), "video", "default"),
        CreateEndpoint("recipes/multi_shot_video", N_("Multi-shot video"), "video", "auto"),
        CreateEndpoint("recipes/ad_localization", N_("Ad localization"), "image", "default"),
        CreateEndpoint(
            "recipes/product_campaign_image", N_("Product campaign image"), "image", "default"
        ),
        CreateEndpoint(
            "recipes/marketing_stock_image", N_("Marketing stock image"), "image", "default"
        ),
    )
}
# The form's choice; video_upscale and text_to_image have their own buttons.
FORM_MODES = ("image_to_video", "text_to_video", *SCHEMA_ENDPOINTS)


# The page's "Make" shows its modes under what they make, in this order.
RESULT_GROUPS = {"video": N_("Video"), "image": N_("Image"), "audio": N_("Audio")}


def form_mode_groups() -> list[tuple[str, str, tuple[str, ...]]]:
    """The form's modes grouped by what their task makes: (result, its label, modes), in
    RESULT_GROUPS' order; a group without a mode is left out."""
    groups = [
        (result, label, tuple(m for m in FORM_MODES if ENDPOINTS[m].result == result))
        for result, label in RESULT_GROUPS.items()
    ]
    return [group for group in groups if group[2]]


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
