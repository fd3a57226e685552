"""Template rendering: one place decides between a whole page and an htmx fragment."""

import json
import re
from datetime import UTC, datetime
from functools import cache, partial
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from app.callbacks.hooks import reach_note
from app.catalog.endpoints import ENDPOINTS, FORM_MODES, endpoint_label, form_mode_groups
from app.catalog.failures import failure_hint
from app.catalog.models import (
    AUDIO_ENDPOINTS,
    DEFAULT_MODEL,
    MODELS,
    OFFICIAL_MODEL,
    SEED_MAX,
    USD_PER_CREDIT,
    model_groups,
    ratio_orientation,
    ratio_shape,
)
from app.core.i18n import LANGUAGES, current_language, gettext
from app.core.keys import mask_key, media_token
from app.core.resources import resource_dir
from app.core.settings import Settings
from app.frames.from_text import FrameRequest
from app.frames.images import over_limit_message
from app.frames.media_kinds import accept_attribute, kinds_words, limit_mb
from app.frames.owners import ThumbLinks
from app.frames.refs import first_frame, frame_sha
from app.frames.samples import SAMPLES
from app.media.audio import AUDIO_TYPES
from app.media.copies import output_suffix
from app.runway.endpoints import SIMULATOR_ADDRESS, SIMULATOR_ORIGIN
from app.runway.redaction import without_surrogates
from app.runway.snippets import SDK_MODELS, sdk_knows
from app.storage.task_record import TaskRecord
from app.web.deps import services
from app.web.middleware.csrf import csrf_token, set_csrf_cookie
from app.web.reuse import input_modes
from app.web.roles import session_member
from app.web.static_urls import bundle, static_url
from app.web.task_object import submit_timings, task_credits


def _ago(seconds: float) -> str:
    """A duration in the page's language; results.js's formatElapsed follows these steps and words
    (tests/browser/test_server_rules.py holds the two to the same text)."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return gettext("{s}s", s=seconds)
    if seconds < 3600:
        return gettext("{m}m {s}s", m=seconds // 60, s=f"{seconds % 60:02d}")
    if seconds < 86400:
        return gettext("{h}h {m}m", h=seconds // 3600, m=f"{seconds % 3600 // 60:02d}")
    return gettext("{d}d", d=seconds // 86400)


def _utc_time(timestamp: float) -> str:
    """`2026-11-25 14:03 UTC`: admin tables say when, the same for every viewer."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _wire_url(url: str, origin: str) -> str:
    """The simulator's in-process address, shown as where the console serves it."""
    if url.startswith(SIMULATOR_ORIGIN):
        return origin.rstrip("/") + "/simulator" + url[len(SIMULATOR_ORIGIN) :]
    return url


def plays_here(url: str | None, request: Request) -> bool:
    """Whether the page's CSP (`media-src 'self' blob: https:`) lets its player load `url`:
    an http relay's output does not, so the player waits for the console's own copy."""
    if not url:
        return False
    if url.startswith(("/", "https://", "blob:")):
        return not url.startswith("//")
    return url.startswith(str(request.base_url))


def thumb_url(links: ThumbLinks, secret: bytes, record: TaskRecord) -> str | None:
    """The signed thumbnail of a task's first frame when it is a stored frame (a URL has
    none), or an image task's own saved picture; only its owner's pages list the task, so
    only they get the URL."""
    if output_suffix(record) == "png" and record.video_saved:
        return f"/media/{record.id}.png?t={media_token(secret, record.id, record.owner)}"
    sha = frame_sha(first_frame(record.request))
    return links.src(sha) if sha is not None else None


THUMB_LABELS = {
    "image_to_video": "URL",
    "text_to_video": "TXT",
    "text_to_image": "IMG",
    "video_to_video": "V2V",
    "character_performance": "ACT",
    "video_to_hdr": "HDR",
    "text_to_speech": "♪ TTS",
    "sound_effect": "♪ SFX",
    "speech_to_speech": "♪ STS",
    "voice_dubbing": "♪ DUB",
    "voice_isolation": "♪ ISO",
    "video_to_audio": "♪ V2A",
}
# Where a task names the media it started from, besides a first frame.
INPUT_FIELDS = ("videoUri", "promptVideo", "imageUri")


def uploaded_input(record: TaskRecord) -> str:
    """The `runway://` URI of an upload the task started from (its first frame, the video it
    transformed or upscaled, the image it enlarged, Act-Two's character), or "": the upstream
    holds the file, the console only its name."""
    request = record.request
    character = request.get("character")
    found = [first_frame(request), *(request.get(name) for name in INPUT_FIELDS)]
    found.append(character.get("uri") if isinstance(character, dict) else None)
    uri = next((str(u) for u in found if isinstance(u, str) and u), "")
    return uri if uri.startswith("runway:") else ""


def thumb_label(record: TaskRecord) -> str:
    """What a history row without a picture shows in its place: where the task came from."""
    if record.endpoint == "image_to_video" and uploaded_input(record):
        return "UPL"
    if record.endpoint.startswith("recipes/"):
        return "RCP"  # a recipe: Runway's workflow, whatever it makes
    return THUMB_LABELS.get(record.endpoint, "MP4")


def thumb_title(record: TaskRecord) -> str:
    """The placeholder's tooltip for an uploaded input: its URI, the one thing there is to show."""
    uri = uploaded_input(record)
    if not uri:
        return ""
    if record.endpoint in ("video_upscale", "video_to_video", "video_to_hdr"):
        return gettext("uploaded video ({uri})", uri=uri)
    return gettext("uploaded frame ({uri})", uri=uri)


def _pretty_json(text: str) -> str:
    try:
        # A lone surrogate (`"\\ud800"`) is valid JSON but not text: replaced, not echoed.
        return json.dumps(without_surrogates(json.loads(text)), indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):
        return text


@cache
def _js_keys() -> tuple[str, ...]:
    """The strings the console's scripts show, marked there as tr("…"): one source, no list
    to keep in step."""
    script = bundle().decode("utf-8")
    return tuple(dict.fromkeys(re.findall(r'\btr\("((?:[^"\\]|\\.)*)"', script)))


def js_catalog() -> str:
    """Translations of the console scripts' strings in the current language, for a data
    attribute."""
    return json.dumps({key: gettext(key) for key in _js_keys()}, ensure_ascii=False)


def make_templates(secret: bytes, settings: Settings) -> Jinja2Templates:
    """The Jinja environment with the catalog, the console's settings and the helpers every
    template may use (`secret` signs the thumbnail URLs a page is given)."""
    templates = Jinja2Templates(directory=str(resource_dir("templates")))
    templates.env.globals.update(
        _=gettext,
        settings=settings,
        LANGUAGES=LANGUAGES,
        MODELS=MODELS,
        DEFAULT_MODEL=DEFAULT_MODEL,
        SEED_MAX=SEED_MAX,
        USD_PER_CREDIT=USD_PER_CREDIT,
        static_url=static_url,
        failure_hint=failure_hint,
        mask_key=mask_key,
        ratio_orientation=ratio_orientation,
        thumb_url=partial(thumb_url, ThumbLinks(secret), secret),
        thumb_label=thumb_label,
        thumb_title=thumb_title,
        frame_thumb=ThumbLinks(secret).src,
        plays_here=plays_here,
        SAMPLES=SAMPLES,
        SIMULATOR_ADDRESS=SIMULATOR_ADDRESS,
        ratio_shape=ratio_shape,
        model_groups=model_groups,
        OFFICIAL_MODEL=OFFICIAL_MODEL,
        hook_reach_note=reach_note,
    )
    templates.env.filters["duration"] = _ago
    templates.env.filters["utc_time"] = _utc_time
    templates.env.globals["session_member"] = session_member
    templates.env.filters["wire_url"] = _wire_url
    templates.env.filters["pretty_json"] = _pretty_json
    templates.env.filters["as_json"] = lambda value: json.dumps(value, indent=2, ensure_ascii=False)
    templates.env.globals["SDK_MODELS"] = SDK_MODELS
    templates.env.globals["sdk_knows"] = sdk_knows
    templates.env.globals["output_suffix"] = output_suffix
    templates.env.globals["is_audio"] = lambda record: output_suffix(record) in AUDIO_TYPES
    templates.env.globals["AUDIO_ENDPOINTS"] = AUDIO_ENDPOINTS
    templates.env.globals["endpoint_label"] = endpoint_label
    templates.env.globals["FORM_MODES"] = FORM_MODES
    templates.env.globals["form_mode_groups"] = form_mode_groups
    templates.env.globals["input_modes"] = input_modes
    templates.env.globals["task_credits"] = task_credits
    templates.env.globals["submit_timings"] = submit_timings
    templates.env.globals["frame_request"] = FrameRequest.default
    templates.env.globals["over_limit_message"] = over_limit_message
    templates.env.globals["media_accept"] = accept_attribute
    templates.env.globals["media_limit_mb"] = limit_mb
    templates.env.globals["media_words"] = kinds_words
    templates.env.globals["ENDPOINT_RESULTS"] = {name: e.result for name, e in ENDPOINTS.items()}
    return templates


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    templates = services(request).templates
    context = {"lang": current_language(), **context}
    return templates.TemplateResponse(
        request, template, context, status_code=status_code, headers=headers
    )


def render_page(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    """A whole page: carries the CSRF token (meta tag and cookie) its htmx requests send back."""
    token, is_new = csrf_token(request)
    response = render(
        request,
        template,
        {**context, "csrf_token": token, "js_catalog": js_catalog()},
        status_code=status_code,
        headers={"Cache-Control": "no-store"},
    )
    if is_new:
        set_csrf_cookie(response, token, secure=request.url.scheme == "https")
    return response
