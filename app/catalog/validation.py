"""Validation of a Runway create body against the model catalog.

The console runs it before anything is sent upstream (answering each bad field by name), and
the simulator runs the same rules to answer 400 the way the real API does.
"""

import ipaddress
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from app.catalog.credits import whole_seconds
from app.catalog.models import ENDPOINT_MODELS, SEED_MAX, Model, api_models
from app.core.i18n import gettext as _
from app.core.json_values import lone_surrogates, non_finite_numbers

DATA_URI_MAX_CHARS = 5 * 1024 * 1024
MAX_FIELDS_BYTES = 64 * 1024  # a create body without its frames (Runway's are < 2 KB)
URL_MAX_CHARS = 2048
IMAGE_MEDIA_TYPES = ("image/jpeg", "image/png", "image/webp")
POSITIONS = ("first", "last")
# Where an endpoint takes reference images (lists of `{uri, ...}`), checked like frames.
REFERENCE_FIELDS = {"text_to_image": "referenceImages", "text_to_video": "references"}
# An ephemeral upload's URI (`uploads.create_ephemeral`): passed upstream as it is, so only the
# characters a URI may hold unescaped, none of them a space, quote, bracket or control.
RUNWAY_URI = re.compile(r"runway://[A-Za-z0-9][A-Za-z0-9._~!$&'()*+,;=:@%/?#-]*")


@dataclass(frozen=True)
class FieldError:
    """One bad field: `field` uses the API's names (`promptImage[1].uri`)."""

    field: str
    message: str


class Invalid(Exception):
    """Raised with every field error at once, so the person fixes them in one go."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


def check_https_url(value: str, *, max_chars: int = URL_MAX_CHARS) -> str | None:
    """Why `value` is not an acceptable public https URL, or None."""
    if len(value) > max_chars:
        return _("must be at most {n} characters", n=max_chars)
    try:
        parts = urlsplit(value)
        _port = parts.port  # raises ValueError for a bad port
    except ValueError:
        return _("is not a valid URL")
    if parts.scheme != "https" or not parts.hostname:
        return _("must be an https:// URL")
    try:
        ipaddress.ip_address(parts.hostname)
    except ValueError:
        return None
    return _("must name a host, not an IP address")


def check_runway_uri(uri: str) -> str | None:
    """Why `uri` is not an ephemeral upload's `runway://` URI of a sane shape, or None."""
    if len(uri) > URL_MAX_CHARS:
        return _("must be at most {n} characters", n=URL_MAX_CHARS)
    if RUNWAY_URI.fullmatch(uri) is None:
        return _("is not a runway:// upload URI (letters, digits and URL punctuation only)")
    return None


def check_image_uri(uri: object) -> str | None:
    """Why an image reference is unusable: an https URL, a base64 image data URI, or an
    ephemeral upload's `runway://` URI (passed upstream as it is)."""
    if not isinstance(uri, str) or not uri:
        return _("is required (an https URL or a data:image/...;base64 URI)")
    if uri.startswith("runway:"):
        return check_runway_uri(uri)
    if uri.startswith("data:"):
        header, _sep, payload = uri.partition(",")
        media_type = header[5:].split(";")[0].lower()
        if media_type not in IMAGE_MEDIA_TYPES or ";base64" not in header.lower() or not payload:
            return _("data URI must be a base64 JPEG, PNG or WebP image")
        if len(uri) > DATA_URI_MAX_CHARS:
            return _("data URI is {size} MB; the limit is 5 MB", size=f"{len(uri) / 1e6:.1f}")
        return None
    return check_https_url(uri)


def utf16_length(text: str) -> int:
    """A prompt's length as Runway measures it (UTF-16 code units): an emoji counts two, as
    it does in the page's counter (JavaScript's `length`)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def prompt_images(value: object) -> list[dict[str, Any]] | None:
    """Normalise `promptImage` (a string or a list of {uri, position}) to a list, or None."""
    if isinstance(value, str):
        return [{"uri": value, "position": "first"}]
    if isinstance(value, list) and all(isinstance(item, dict) for item in value):
        return value
    return None


def _check_images(body: dict[str, Any], allow_last: bool) -> list[FieldError]:
    images = prompt_images(body.get("promptImage"))
    if images is None or not images:
        return [FieldError("promptImage", _("a first frame is required"))]
    errors: list[FieldError] = []
    seen: set[str] = set()
    for index, image in enumerate(images):
        name = f"promptImage[{index}]" if not isinstance(body["promptImage"], str) else ""
        position = image.get("position", "first")
        if position not in POSITIONS:
            errors.append(FieldError(f"{name}.position", _("must be 'first' or 'last'")))
        elif position in seen:
            errors.append(
                FieldError(
                    f"{name}.position", _("more than one '{position}' frame", position=position)
                )
            )
        elif position == "last" and not allow_last:
            errors.append(FieldError(f"{name}.position", _("this model takes no last frame")))
        seen.add(str(position))
        problem = check_image_uri(image.get("uri"))
        if problem:
            errors.append(FieldError(f"{name}.uri" if name else "promptImage", problem))
    if "first" not in seen and not errors:
        errors.append(FieldError("promptImage", _("a first frame is required")))
    return errors


def _check_scalars(
    body: dict[str, Any], model: Model, duration_optional: bool = False
) -> list[FieldError]:
    """Prompt, ratio, duration, seed and the relay fields. `duration_optional`: the endpoint
    lets the upstream pick a model's default when the body leaves it out."""
    errors: list[FieldError] = []
    prompt = body.get("promptText")
    if prompt is not None and not isinstance(prompt, str):
        errors.append(FieldError("promptText", _("must be text")))
    elif model.prompt_required and not (prompt or "").strip():
        errors.append(FieldError("promptText", _("{model} needs a prompt", model=model.name)))
    elif prompt and utf16_length(prompt) > model.prompt_max_chars:
        n, limit = utf16_length(prompt), model.prompt_max_chars
        errors.append(
            FieldError("promptText", _("{n} characters; the limit is {max}", n=n, max=limit))
        )
    if not model.ratios:
        if body.get("ratio") not in (None, ""):
            errors.append(FieldError("ratio", _("{model} takes no ratio", model=model.name)))
    elif body.get("ratio") not in model.ratios:
        errors.append(
            FieldError("ratio", _("must be one of {values}", values=", ".join(model.ratios)))
        )
    duration = body.get("duration")
    if not model.durations:
        if duration is not None:
            errors.append(FieldError("duration", _("{model} takes no duration", model=model.name)))
    elif duration is None and duration_optional and not model.duration_required:
        pass  # the upstream picks the model's default, as the SDK's type allows
    elif whole_seconds(duration) not in model.durations:  # 5.0 is 5; 5.5, "5", true are not
        allowed = ", ".join(str(d) for d in model.durations)
        errors.append(FieldError("duration", _("must be one of {values} seconds", values=allowed)))
    seed = body.get("seed")
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= SEED_MAX
    ):
        errors.append(FieldError("seed", _("must be a whole number from 0 to {max}", max=SEED_MAX)))
    return errors + relay_field_errors(body)


def relay_field_errors(body: dict[str, Any]) -> list[FieldError]:
    """The fields relays add to every endpoint (`watermark`, `notify_hook`), which no SDK
    type declares: checked the same wherever they come."""
    errors: list[FieldError] = []
    if "watermark" in body and not isinstance(body["watermark"], bool):
        errors.append(FieldError("watermark", _("must be true or false")))
    hook = body.get("notify_hook")
    if hook not in (None, ""):
        problem = check_https_url(hook) if isinstance(hook, str) else _("must be a URL")
        if problem:
            errors.append(FieldError("notify_hook", problem))
    return errors


class BodyTooLarge(Invalid):
    """The body without its frames is over MAX_FIELDS_BYTES: answered 413, nothing stored."""


def check_body_size(body: dict[str, Any]) -> None:
    """Bound everything in a create body that is not a frame.

    Unknown fields are passed upstream as they are, and the body is stored with the task: a
    15 MB pad would be kept twice and read back into every history page. Frames are bounded on
    their own (the image rules), so their data URIs are not counted here.
    """
    rest = dict(body)
    images = prompt_images(body.get("promptImage"))
    if images is not None:
        rest["promptImage"] = [
            {**image, "uri": "" if str(image.get("uri", "")).startswith("data:") else image["uri"]}
            if "uri" in image
            else image
            for image in images
        ]
    size = len(json.dumps(rest).encode())
    if size > MAX_FIELDS_BYTES:
        message = _(
            "the body is {kb} KB without its frames; at most {limit} KB is accepted",
            kb=size // 1024,
            limit=MAX_FIELDS_BYTES // 1024,
        )
        raise BodyTooLarge([FieldError("body", message)])


# An upstream's own output URL (http on a loopback simulator, a path on the built-in one): a
# task's output put into another task as its input ("Use as input"), fetched by the upstream.
UPSTREAM_OUTPUTS = ("http://", "/simulator/outputs/")


def check_output_url(uri: str) -> str | None:
    """Why an upstream's own output URL is unusable (it is passed as it is): its length."""
    if len(uri) <= URL_MAX_CHARS:
        return None
    return _("must be at most {n} characters", n=URL_MAX_CHARS)


def check_video_uri(uri: object) -> str | None:
    """Why a video to upscale is unusable. The console never fetches it: an upstream's own
    output URL (http on a loopback simulator, a path on the built-in one), a runway://
    upload or a video data URI."""
    if not isinstance(uri, str) or not uri:
        return _("is required (the URL of the video to upscale)")
    if uri.startswith("data:"):
        if not uri.lower().startswith("data:video/") or len(uri) > DATA_URI_MAX_CHARS:
            return _("data URI must be a base64 video of at most 5 MB")
        return None
    if uri.startswith("runway:"):
        return check_runway_uri(uri)
    if uri.startswith(UPSTREAM_OUTPUTS):
        return check_output_url(uri)
    return check_https_url(uri)


def _check_references(name: str, items: object) -> list[FieldError]:
    """Reference images, a list of `{uri, ...}`: each uri by the frames' rules, so an upload's
    `runway://` URI is welcome and a misshapen one is refused here rather than upstream."""
    if items is None:
        return []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        return [FieldError(name, _("must be a list of objects with a uri"))]
    found = ((index, check_image_uri(item.get("uri"))) for index, item in enumerate(items))
    return [FieldError(f"{name}[{index}].uri", problem) for index, problem in found if problem]


def _check_inputs(endpoint: str, body: dict[str, Any], model: Model) -> list[FieldError]:
    """What the endpoint takes besides the scalars: frames, reference images, or the video to
    upscale."""
    if endpoint == "image_to_video":
        return _check_images(body, model.last_frame)
    if endpoint == "video_upscale":
        problem = check_video_uri(body.get("videoUri"))
        return [FieldError("videoUri", problem)] if problem else []
    if endpoint in REFERENCE_FIELDS:
        name = REFERENCE_FIELDS[endpoint]
        return _check_references(name, body.get(name))
    return []


def _missing_fields(
    body: dict[str, Any], endpoint: str, model: str, known: set[str]
) -> list[FieldError]:
    """Fields the SDK's type requires for this model that the body leaves out (such as
    gen4_image_turbo's `referenceImages`), each said once."""
    required = api_models(endpoint)[model]["fields"]
    return [
        FieldError(name, _("{model} needs this field", model=model))
        for name, needed in required.items()
        if needed and name not in body and name not in known
    ]


def validate_create_body(body: dict[str, Any], endpoint: str = "image_to_video") -> None:
    """Raise Invalid listing every problem with a create body; return quietly when it is good."""
    models = ENDPOINT_MODELS[endpoint]
    model_name = body.get("model")
    if not isinstance(model_name, str) or model_name not in models:
        names = ", ".join(models)
        raise Invalid([FieldError("model", _("unknown model; choose one of {names}", names=names))])
    model = models[model_name]
    # Left out, the upstream picks the model's default, as the SDK's types allow (the page's
    # form always names one; an SDK's body may not).
    errors = _check_inputs(endpoint, body, model) + _check_scalars(body, model, True)
    errors += _missing_fields(body, endpoint, model_name, {error.field for error in errors})
    raise_errors(body, errors)


def raise_errors(body: dict[str, Any], errors: list[FieldError]) -> None:
    """Raise Invalid with `errors` and what any body may hold wrong (non-finite numbers,
    lone surrogates) where no field's own error said it already; return when there is none."""
    known = {error.field for error in errors}
    errors += [
        FieldError(path, _("NaN and Infinity are not JSON numbers"))
        for path in non_finite_numbers(body)
        if path not in known
    ]
    known = {error.field for error in errors}
    errors += [
        FieldError(path, _("not valid text: it holds a lone UTF-16 surrogate"))
        for path in lone_surrogates(body)
        if path not in known
    ]
    if errors:
        raise Invalid(errors)
