"""What the demo page shows of a result: a phase, a calm sentence, and nothing internal.

The templates get only what this module hands them: no task id in the text, no status codes,
no upstream address, a prompt without markers.
"""

import math
from typing import Any

from fastapi import Request

from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.demo.service import PRODUCT_AD, Demo, clean_prompt, failure_text
from app.exports.share_links import Share
from app.frames.owners import ThumbLinks
from app.frames.refs import first_frame, frame_sha
from app.runway.endpoints import SIMULATOR_ORIGIN
from app.storage.task_record import TaskRecord

WORKING_TEXT = {
    "PENDING": N_("Getting ready…"),
    "THROTTLED": N_("Waiting for a free moment…"),
    "RUNNING": N_("Bringing your image to life…"),
    "SUCCEEDED": N_("Almost there…"),
}


def phase_of(record: TaskRecord) -> str:
    """`working` until the video can play from here, then `ready`; or `failed`."""
    if record.status in ("FAILED", "CANCELLED"):
        return "failed"
    if record.status != "SUCCEEDED":
        return "working"
    if record.video_saved or record.video_error or not record.output:
        return "ready"
    return "working"  # the console is still copying the video


def first_sha(record: TaskRecord) -> str | None:
    """The stored first frame's sha256 (None for a URL frame, which the demo never makes)."""
    return frame_sha(first_frame(record.request))


def frame_url(record: TaskRecord) -> str | None:
    sha = first_sha(record)
    return f"/demo/frames/{sha}" if sha else None


def video_src(demo: Demo, record: TaskRecord) -> str | None:
    """The console's own copy; the upstream's link only if the copy could not be made."""
    if record.video_saved:
        return demo.tasks.video_url(record)
    url = record.output[0] if record.output else None
    if url and url.startswith(SIMULATOR_ORIGIN):
        return "/simulator" + url[len(SIMULATOR_ORIGIN) :]
    return url


def minutes_seconds(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


async def stage_context(
    request: Request, demo: Demo, record: TaskRecord, owner: str, now: float
) -> dict[str, Any]:
    phase = phase_of(record)
    context: dict[str, Any] = {
        "record_key": record.id,  # only in URLs the page calls, never in its text
        "phase": phase,
        "frame_src": frame_url(record),
        "prompt": clean_prompt(record.prompt_text),
        "simulated": record.base_url == "simulator",
        "elapsed": int(now - record.created_at),
        "elapsed_text": minutes_seconds(now - record.created_at),
        "progress": record.progress or 0.0,
    }
    if phase == "working":
        context["status_text"] = _(WORKING_TEXT.get(record.status, WORKING_TEXT["PENDING"]))
    elif phase == "failed":
        context["failure_text"] = failure_text(record)
    else:
        context["video_src"] = video_src(demo, record)
        link = await demo.shares.open_for(record.id, owner, now)
        context["share"] = share_context(request, demo, record, link, now)
    return context


def share_context(
    request: Request, demo: Demo, record: TaskRecord, link: Share | None, now: float
) -> dict[str, Any]:
    context: dict[str, Any] = {"record_key": record.id, "url": None, "lasts": ""}
    if link is not None:
        origin = demo.settings.public_url.rstrip("/") or str(request.base_url).rstrip("/")
        context["url"] = f"{origin}/shared/{demo.shares.token(link)}"
        context["lasts"] = how_long(link.expires_at - now)
    return context


def how_long(seconds: float) -> str:
    """A link's remaining life in words: `7 days`, `5 hours`, `3 minutes`."""
    if seconds > 2 * 86400:
        return _("{n} days", n=math.ceil(seconds / 86400 - 0.01))
    if seconds > 2 * 3600:
        return _("{n} hours", n=math.ceil(seconds / 3600 - 0.01))
    if seconds > 120:
        return _("{n} minutes", n=math.ceil(seconds / 60 - 0.01))
    return _("less than two minutes")


def strip_items(records: list[TaskRecord], thumbs: ThumbLinks) -> list[dict[str, str | None]]:
    """The strip's thumbnails (signed: app/frames/owners.py), a phase and a label, no ids in
    the text."""
    items = []
    for record in records:
        sha = first_sha(record)
        thumb = thumbs.src(sha) if sha else None
        label = clean_prompt(record.prompt_text)
        kind = _("Product ad") if record.endpoint == PRODUCT_AD else ""
        label = f"{kind}: {label}" if kind else label  # says what its tile shows
        items.append(
            {
                "key": record.id,
                "thumb": thumb,
                "phase": phase_of(record),
                "label": label if len(label) <= 80 else label[:79] + "…",
                # A product ad shows its kind where a video shows its picture (it has none).
                "kind": kind,
            }
        )
    return items
