"""The page's form: what it holds, how it turns into a Runway create body, and its errors.

Frames are held as references to stored frames (or https URLs), so re-rendering the form
after an error keeps everything, images included.
"""

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import ImmutableMultiDict

from app.catalog.endpoints import DEFAULT_ENDPOINT, ENDPOINTS, FORM_MODES
from app.catalog.models import (
    DEFAULT_MODEL,
    SCHEMAS,
    Model,
    latest_version,
    model_key,
    random_seed,
)
from app.catalog.validation import FieldError, prompt_images
from app.core.i18n import gettext as _
from app.frames.from_text import FrameRequest
from app.frames.owners import FrameOwners
from app.frames.refs import FrameStore, StoredFrame, frame_sha
from app.storage.task_record import TaskRecord
from app.web.schema_form import OWN_CONTROLS, SchemaField, body_values, flat_values, schema_fields


@dataclass
class FrameSlot:
    """One frame input: a stored upload, an https URL, or empty."""

    position: str
    frame: StoredFrame | None = None
    url: str = ""
    error: str = ""
    from_text: FrameRequest | None = None  # its "Make a frame from text" panel, when filled in

    @property
    def uri(self) -> str | None:
        if self.frame is not None:
            return self.frame.ref
        return self.url or None


@dataclass
class FormState:
    base_url: str = ""
    endpoint: str = DEFAULT_ENDPOINT  # the form's mode: image_to_video or text_to_video
    model: str = DEFAULT_MODEL
    prompt_text: str = ""
    ratio: str = ""
    duration: str = ""
    seed: str = ""
    watermark: bool = False
    notify_hook: str = ""
    notify_here: bool = False  # the console's own receiver as notify_hook (app/callbacks/hooks.py)
    runs: str = "1"
    compare_base_url: str = ""
    first: FrameSlot = field(default_factory=lambda: FrameSlot("first"))
    last: FrameSlot = field(default_factory=lambda: FrameSlot("last"))
    errors: dict[str, str] = field(default_factory=dict)
    # A schema-driven endpoint's own inputs, by body path (`character.uri`): app/web/schema_form.py
    values: dict[str, str] = field(default_factory=dict)
    # The submit token: a repeat of this form never starts a second task (app/tasks/submission.py).
    # It travels as the form field `form_token`.
    submit_token: str = field(default_factory=lambda: secrets.token_urlsafe(16))

    @property
    def takes_frames(self) -> bool:
        return ENDPOINTS[self.endpoint].takes_frames

    @property
    def schema_checked(self) -> bool:
        return ENDPOINTS[self.endpoint].schema_checked

    @property
    def schema_fields(self) -> list[SchemaField]:
        return schema_fields(self.endpoint, self.model) if self.schema_checked else []

    @property
    def filled_paths(self) -> set[str]:
        return {path for path, value in self.values.items() if value}

    @property
    def takes_prompt(self) -> bool:
        """Every form mode takes a prompt, but for a schema-driven model that has none."""
        if not self.schema_checked:
            return True
        return "promptText" in SCHEMAS[self.endpoint][self.model_info.name]["properties"]

    @property
    def model_info(self) -> Model:
        endpoint = ENDPOINTS[self.endpoint]
        return endpoint.models.get(self.model) or endpoint.models[endpoint.default_model]

    def fit_to_model(self) -> None:
        """Keep the model, ratio and duration when the mode and model allow them, else take
        their defaults (a mode's own default model first)."""
        if self.model not in ENDPOINTS[self.endpoint].models:
            self.model = ENDPOINTS[self.endpoint].default_model
        model = self.model_info
        if self.ratio not in model.ratios:
            self.ratio = model.default_ratio
        if not self.duration.isdigit() or int(self.duration) not in model.durations:
            self.duration = str(model.default_duration)
        if ENDPOINTS[self.endpoint].is_recipe and not self.values.get("version"):
            self.values["version"] = latest_version(self.endpoint)  # a dated one, not unsafe


def slot_from_form(form: ImmutableMultiDict, position: str, frames: FrameStore) -> FrameSlot:
    ref = str(form.get(f"{position}_ref") or "")
    sha = frame_sha(ref)
    frame = frames.get(sha) if sha is not None else None
    return FrameSlot(position, frame=frame, url=str(form.get(f"{position}_url") or "").strip())


async def keep_owned_frames(state: FormState, owners: FrameOwners, owner: str) -> None:
    """A form names its frames by sha256; one the caller may not use (another key's) is
    dropped, in the words of a frame that is not stored, so the form shows nothing of it."""
    slots = [slot for slot in (state.first, state.last) if slot.frame is not None]
    owned = await owners.owned([slot.frame.sha256 for slot in slots if slot.frame], owner)
    for slot in slots:
        if slot.frame is not None and slot.frame.sha256 not in owned:
            slot.frame = None
            slot.error = _("this frame is no longer stored; add it again")


def form_mode(value: object) -> str:
    """The form's mode as sent; anything else is image-to-video, the console's first job."""
    return value if isinstance(value, str) and value in FORM_MODES else DEFAULT_ENDPOINT


def state_from_form(form: ImmutableMultiDict, frames: FrameStore) -> FormState:
    state = FormState(
        base_url=str(form.get("baseUrl") or "").strip(),
        endpoint=form_mode(form.get("endpoint")),
        model=str(form.get("model") or DEFAULT_MODEL),
        prompt_text=str(form.get("promptText") or ""),
        ratio=str(form.get("ratio") or ""),
        duration=str(form.get("duration") or ""),
        seed=str(form.get("seed") or "").strip(),
        watermark=form.get("watermark") in ("on", "true", "1"),
        notify_hook=str(form.get("notify_hook") or "").strip(),
        notify_here=form.get("notify_here") in ("on", "true", "1"),
        runs=str(form.get("runs") or "1").strip(),
        compare_base_url=str(form.get("compare_base_url") or "").strip(),
        first=slot_from_form(form, "first", frames),
        last=slot_from_form(form, "last", frames),
    )
    state.values = {key[2:]: str(form.get(key) or "") for key in form if key.startswith("s.")}
    if form.get("form_token"):
        state.submit_token = str(form.get("form_token"))[:100]
    return state


def body_from_state(state: FormState) -> tuple[dict[str, Any], list[FieldError]]:
    """The create body the form describes, and the errors found before validation proper."""
    if state.schema_checked:
        return _schema_body(state)
    errors: list[FieldError] = []
    body: dict[str, Any] = {"model": state.model}
    if state.takes_frames:
        images = [{"uri": state.first.uri or "", "position": "first"}]
        if state.last.uri and state.model_info.last_frame:
            images.append({"uri": state.last.uri, "position": "last"})
        body["promptImage"] = images
    body["promptText"] = state.prompt_text
    if state.takes_frames or state.watermark:  # a relay's field: sent when asked for
        body["watermark"] = state.watermark
    if state.model_info.ratios:  # a model without ratios frames its output like the image
        body["ratio"] = state.ratio
    try:
        body["duration"] = int(state.duration)
    except ValueError:
        errors.append(FieldError("duration", _("choose a duration")))
    try:
        # An empty seed is picked here, not upstream, so the card can say which one was used
        # and a good result can be made again.
        body["seed"] = int(state.seed) if state.seed else random_seed()
    except ValueError:
        errors.append(FieldError("seed", _("must be a whole number, or empty for random")))
    if state.notify_hook:
        body["notify_hook"] = state.notify_hook
    return body, errors


def _schema_body(state: FormState) -> tuple[dict[str, Any], list[FieldError]]:
    """A schema-driven endpoint's body: its own inputs, then the form's common controls
    where the model's schema has them."""
    model = state.model_info
    endpoint = ENDPOINTS[state.endpoint]
    body: dict[str, Any] = {} if endpoint.is_recipe else {"model": model.name}
    body |= body_values(state.endpoint, model.name, state.values)
    errors: list[FieldError] = []
    if state.takes_prompt and (state.prompt_text or model.prompt_required):
        body["promptText"] = state.prompt_text
    if model.ratios and state.ratio:
        body["ratio"] = state.ratio
    if model.durations and state.duration.isdigit():
        body["duration"] = int(state.duration)
    if ENDPOINTS[state.endpoint].takes_seed(model.name):
        try:
            body["seed"] = int(state.seed) if state.seed else random_seed()
        except ValueError:
            errors.append(FieldError("seed", _("must be a whole number, or empty for random")))
    if state.watermark:
        body["watermark"] = True
    if state.notify_hook:
        body["notify_hook"] = state.notify_hook
    return body, errors


MAX_RUNS = 8


def group_runs(
    state: FormState, body: dict[str, Any]
) -> tuple[list[tuple[dict[str, Any], str | None]], list[FieldError]]:
    """The runs a side-by-side group is made of: N seeds, or the same seed on two addresses.

    One run (and no second address) is not a group: the list is empty.
    """
    if state.compare_base_url:
        seed = body.get("seed", random_seed())
        same = {**body, "seed": seed}
        return [(same, state.base_url or None), (same, state.compare_base_url)], []
    if not state.runs.isdigit() or not 1 <= int(state.runs) <= MAX_RUNS:
        return [], [FieldError("runs", _("choose 1 to {n} runs", n=MAX_RUNS))]
    count = int(state.runs)
    if count == 1:
        return [], []
    seeds = [body["seed"]] if "seed" in body else []
    while len(seeds) < count:
        seed = random_seed()
        if seed not in seeds:
            seeds.append(seed)
    return [({**body, "seed": seed}, state.base_url or None) for seed in seeds], []


def form_field(api_field: str) -> str:
    """Where an API field's error shows on the form."""
    if api_field.startswith("promptImage[1]"):
        return "last"
    if api_field.startswith("promptImage"):
        return "first"
    return re.split(r"[.\[]", api_field)[0]


def attach_errors(state: FormState, errors: list[FieldError]) -> None:
    """Each error under its form field; one deeper in it (`keyframes[0].seconds`) says its
    whole path, as the schema names it."""
    for error in errors:
        name = form_field(error.field)
        deeper = error.field != name and error.field.startswith(name) and state.schema_checked
        message = f"{error.field}: {error.message}" if deeper else error.message
        state.errors.setdefault(name, message)


def _recipe(endpoint: str) -> bool:
    """A recipe's task records its version as its model; its form picks by its schema."""
    return endpoint in ENDPOINTS and ENDPOINTS[endpoint].is_recipe


def state_from_record(record: TaskRecord, frames: FrameStore, new_seed: bool) -> FormState:
    """Every setting of a past task, both frames included, ready to run again."""
    request = record.request
    state = FormState(
        base_url=record.base_url,
        endpoint=form_mode(record.endpoint),
        model=model_key(record.endpoint, request) if _recipe(record.endpoint) else record.model,
        prompt_text=record.prompt_text,
        ratio=record.ratio,
        duration=str(record.duration),
        seed=str(random_seed()) if new_seed else _text(record.seed),
        watermark=bool(request.get("watermark")),
        notify_hook=_text(request.get("notify_hook")),
    )
    if state.schema_checked:
        rest = {k: v for k, v in request.items() if k not in OWN_CONTROLS}
        state.values = flat_values(rest)
    for image in prompt_images(request.get("promptImage")) or []:
        position = image.get("position", "first")
        if position not in ("first", "last"):
            continue
        slot = FrameSlot(position)
        uri = str(image.get("uri") or "")
        sha = frame_sha(uri)
        if sha is not None:
            slot.frame = frames.get(sha)
            slot.error = "" if slot.frame else _("this frame is no longer stored; add it again")
        else:
            slot.url = uri
        setattr(state, position, slot)
    return state


def _text(value: object) -> str:
    return "" if value is None else str(value)
