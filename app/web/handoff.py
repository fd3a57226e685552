"""A past task's output handed to a new task ("Use as input", "From a previous task").

The output URL is the upstream's: signed, it expires (Runway's in 24–48 h, some relays' sooner;
docs/runway-api.md), and only that upstream promises to fetch it. So it is handed on
as it is only while both hold: the form's address is the task's upstream, and the URL is not
past its expiry less MARGIN_S (the new task may wait in a queue before its upstream reads
it). Otherwise the console's saved copy goes up to the form's upstream as an ephemeral upload
(UploadSlots.file, as a file dropped on the field does) and the field gets its `runway://` URI;
with no saved copy the output is not offered.

When a URL expires is read off the URL where it says: `exp=` or `Expires=` (seconds since the
epoch: the simulator's and CloudFront's signed URLs), or S3's `X-Amz-Date` + `X-Amz-Expires`.
A URL that says nothing is taken to last OUTPUT_LIFETIME_S after its task finished: the lower
bound Runway documents, so an output is never offered past the time it may stop working.
"""

import asyncio
import time
from datetime import UTC, datetime
from enum import Enum
from urllib.parse import parse_qs, urlsplit

from app.catalog.validation import Invalid
from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.core.keys import Caller
from app.frames.allowance import FrameAllowanceSpent
from app.frames.uploads import NoUploads, UploadSlots
from app.media.copies import OUTPUT_TYPES, MediaStore, output_suffix
from app.runway.endpoints import BadAddress, resolve_upstream
from app.runway.exchange import UpstreamError
from app.storage.task_record import TaskRecord
from app.web.forms import FormState

# FrameAllowanceSpent: a file the built-in simulator would keep, past the day's allowance.
UPLOAD_FAILURES = (Invalid, NoUploads, UpstreamError, FrameAllowanceSpent)
GONE = N_("the output's link may have expired, and its copy is gone")

OUTPUT_LIFETIME_S = 24 * 3600  # Runway: "expiring in 24–48 h"; the lower bound
MARGIN_S = 15 * 60  # time for the new task to be queued and read its input


class Handoff(Enum):
    """How an output goes into a new task's field."""

    URL = "url"  # the upstream's own URL, as it is
    COPY = "copy"  # the saved copy, sent up as an ephemeral upload
    NONE = "none"  # not at all: the URL may have expired and there is no saved copy


def url_expiry(url: str) -> float | None:
    """When a signed URL says it expires (seconds since the epoch), or None when it does not."""
    query = {k.lower(): v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    for name in ("exp", "expires"):
        if query.get(name, "").isdigit():
            return float(query[name])
    signed, lasts = query.get("x-amz-date", ""), query.get("x-amz-expires", "")
    if lasts.isdigit():
        try:
            at = datetime.strptime(signed, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            return None
        return at.timestamp() + int(lasts)
    return None


def may_have_expired(record: TaskRecord, now: float | None = None) -> bool:
    """Whether the task's output URL may no longer work by the time a new task reads it."""
    url = record.output[0]
    ends = url_expiry(url)
    if ends is None:
        ends = (record.finished_at or record.created_at) + OUTPUT_LIFETIME_S
    return ends - MARGIN_S <= (time.time() if now is None else now)


def same_upstream(record: TaskRecord, address: str | None) -> bool:
    """Whether the form's address is the upstream the task ran on (the only one that promises
    to read its output URL)."""
    try:
        return resolve_upstream(address) == resolve_upstream(record.base_url)
    except BadAddress:
        return False


def handoff(record: TaskRecord, address: str | None, now: float | None = None) -> Handoff:
    """How the task's output may go into a field of a form on `address` (see the module)."""
    if not record.output:
        return Handoff.NONE
    if same_upstream(record, address) and not may_have_expired(record, now):
        return Handoff.URL
    return Handoff.COPY if record.video_path else Handoff.NONE


async def copy_up(
    record: TaskRecord, media: MediaStore, uploads: UploadSlots, address: str | None, caller: Caller
) -> str | None:
    """The task's saved copy sent up to `address`'s upstream as an ephemeral upload: its
    `runway://` URI, or None when the copy is gone. Raises as UploadSlots.file does."""
    suffix = output_suffix(record)
    data = await asyncio.to_thread(media.read, record.id, suffix)
    if data is None:
        return None
    file = (MediaStore.name(record.id, suffix), data, OUTPUT_TYPES[suffix])
    return await uploads.file(address, caller, file)


def upload_refusal(exc: Exception) -> str:
    """Why a media field's ephemeral upload (a file, or a saved copy) did not go up."""
    if isinstance(exc, Invalid):
        return exc.errors[0].message
    if isinstance(exc, NoUploads):
        return _("this address takes no uploads: give the file as an https URL")
    return exc.message if isinstance(exc, UpstreamError) else str(exc)


async def copy_into(
    state: FormState, record: TaskRecord, media: MediaStore, uploads: UploadSlots, caller: Caller
) -> None:
    """The form's field that holds the task's output URL given the saved copy's `runway://`
    URI instead when the URL may not work for the form's address; emptied, with its error
    saying why, when the copy does not go up."""
    if handoff(record, state.base_url) is not Handoff.COPY:
        return
    for field in state.schema_fields:
        if state.values.get(field.path) != record.output[0]:
            continue
        state.values[field.path] = ""
        try:
            uri = await copy_up(record, media, uploads, state.base_url, caller)
        except UPLOAD_FAILURES as exc:
            state.errors[field.top] = upload_refusal(exc)
            return
        if uri is None:
            state.errors[field.top] = _(GONE)
        else:
            state.values[field.path] = uri
        return
