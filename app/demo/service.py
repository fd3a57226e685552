"""The demo page's work: one click from a sample (or the customer's image) to a playing video,
or to a product ad made of it (the product_ad recipe, with the picture as the product photo).

It drives the task service like any other caller, on the operator's upstream (the server's key,
or the simulator when none), under the demo session's own owner. Everything a customer could
see is chosen here in plain words: failure scenarios are picked from a list and turned into the
simulator's markers on the server, and every refusal or failure becomes a sentence without
codes, addresses or ids.
"""

import asyncio
import contextlib
import re
import time
from dataclasses import dataclass
from functools import partial
from typing import NamedTuple

from app.catalog.credits import estimate_credits
from app.catalog.endpoints import DEFAULT_ENDPOINT
from app.catalog.models import MODELS, OFFICIAL_MODEL, Model, latest_version, random_seed
from app.catalog.validation import Invalid
from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.core.keys import Caller
from app.core.settings import Settings
from app.demo.pools import DemoPools, PoolCaps, PoolsFull
from app.demo.sessions import REPEATED, DemoSessions
from app.exports.share_links import ShareLinks
from app.frames.images import prepare_image
from app.frames.owners import FrameOwners
from app.frames.refs import EXTENSIONS, FrameStore, StoredFrame
from app.frames.samples import Sample, find_sample, sample_file
from app.frames.uploads import NoUploads, UploadSlots
from app.media.copies import MediaStore
from app.runway.client import UpstreamError
from app.runway.endpoints import OFFICIAL_HOST, UpstreamKind, resolve_upstream
from app.storage.task_record import TaskRecord
from app.storage.task_store import TaskStore
from app.tasks.recording import TaskNotRecorded
from app.tasks.service import TaskService
from app.tasks.submit_tokens import AlreadySubmitted

# Failure demos: a scenario the sales person picks, mapped to a simulator marker here only.
SCENARIOS = {"moderation": "[sim:moderation]", "busy": "[sim:429]"}
SCENARIO_LABELS = (
    ("", N_("Everything works")),
    ("moderation", N_("Content moderation")),
    ("busy", N_("Busy service")),
)
MARKER = re.compile(r"\s*\[sim:[^\]]*\]", re.IGNORECASE)
STRIP_SIZE = 24
DURATION = 5
PROMPT_LIMIT = 500
# The shared caps (app/demo/pools.py) are reached: no new cookie helps, so the page says so.
POOLS_FULL = N_("The demo has made all the videos it can today. It will be ready again tomorrow.")

DEFAULT_PROMPT = "Gentle, cinematic camera motion"  # English: what the models know best
PRODUCT_AD = "recipes/product_ad"  # the second button's recipe: the picture is the product
MAKES = {"": DEFAULT_ENDPOINT, "product_ad": PRODUCT_AD}


def clean_prompt(text: str) -> str:
    """A prompt as a customer may see it: no simulator markers."""
    return MARKER.sub("", text).strip()


class Reserved(NamedTuple):
    """Credits a demo create counted against its session and against the shared pools."""

    session: int
    pools: int


class DemoRefusal(Exception):
    """Nothing was started; the message is for the customer's eyes."""


@dataclass(frozen=True)
class DemoRequest:
    """What the demo form sends: a sample or an uploaded frame, a prompt and a scenario."""

    sample: str = ""
    frame: str = ""
    prompt: str = ""
    scenario: str = ""
    once: str = ""
    make: str = ""  # "" animates the picture; "product_ad" makes a product ad of it


@dataclass(frozen=True)
class DemoParts:
    """What the demo works with besides the task service: its stores and the server secret."""

    settings: Settings
    storage: TaskStore
    frames: FrameStore
    media: MediaStore
    secret: bytes
    owners: FrameOwners  # create_app's: a session may use only frames it added
    uploads: UploadSlots  # the product photo goes up as an ephemeral upload


class Demo:
    def __init__(self, tasks: TaskService, parts: DemoParts) -> None:
        self.tasks = tasks
        self.settings = parts.settings
        self.storage = parts.storage
        self.frames = parts.frames
        self.media = parts.media
        self.secret = parts.secret
        self.owners = parts.owners
        self.uploads = parts.uploads
        database = parts.storage.database
        self.sessions = DemoSessions(database)
        self.pools = DemoPools(database, parts.secret, PoolCaps.of(parts.settings))
        self.shares = ShareLinks(database, parts.secret, parts.settings.share_days * 86400)
        # The operator's upstream: the server's key and address, or the simulator without a key.
        self.upstream = (
            resolve_upstream(parts.settings.runwayml_base_url or f"https://{OFFICIAL_HOST}")
            if parts.settings.runwayml_api_secret
            else None
        )

    @property
    def simulated(self) -> bool:
        return self.upstream is None

    def model(self) -> Model:
        """gen3a_turbo (the simulator and relays); the official API has retired it."""
        if self.upstream is not None and self.upstream.kind is UpstreamKind.OFFICIAL:
            return MODELS[OFFICIAL_MODEL]
        return MODELS["gen3a_turbo"]

    async def store_upload(self, data: object, owner: str) -> StoredFrame:
        """The customer's own image, checked and stored as this session's; raises BadImage with
        a plain reason."""
        prepared = await asyncio.to_thread(prepare_image, data)
        frame = await self.owners.stored(partial(self.frames.put, prepared), owner)
        assert frame is not None  # put always stores
        return frame

    async def _sample_frame(self, sample: Sample, position: str, owner: str) -> StoredFrame:
        with sample_file(sample, position).open("rb") as file:
            prepared = await asyncio.to_thread(prepare_image, file)
        frame = await self.owners.stored(partial(self.frames.put, prepared), owner)
        assert frame is not None  # put always stores
        return frame

    async def _frames(
        self, request: DemoRequest, owner: str
    ) -> tuple[StoredFrame, StoredFrame | None]:
        sample = find_sample(request.sample) if request.sample else None
        if sample is not None:
            last = None
            if sample.has_last and self.model().last_frame:
                last = await self._sample_frame(sample, "last", owner)
            return await self._sample_frame(sample, "first", owner), last
        mine = request.frame and await self.owners.owns(request.frame, owner)
        frame = await asyncio.to_thread(self.frames.get, request.frame) if mine else None
        if frame is None:
            raise DemoRefusal(_("Choose a sample or add your own image first."))
        return frame, None

    def _body(
        self, first: StoredFrame, last: StoredFrame | None, request: DemoRequest
    ) -> dict[str, object]:
        model = self.model()
        portrait = first.height > first.width and len(model.ratios) > 1
        images = [{"uri": first.ref, "position": "first"}]
        if last is not None:
            images.append({"uri": last.ref, "position": "last"})
        prompt = clean_prompt(request.prompt)[:PROMPT_LIMIT] or DEFAULT_PROMPT
        marker = SCENARIOS.get(request.scenario) if self.simulated else None
        return {
            "model": model.name,
            "promptImage": images,
            "promptText": f"{prompt} {marker}" if marker else prompt,
            "ratio": model.ratios[1] if portrait else model.ratios[0],
            "duration": self._duration(),
            "seed": random_seed(),
            "watermark": False,
        }

    def _ad_body(self, product: StoredFrame, request: DemoRequest, uri: str) -> dict[str, object]:
        """A product ad of the picture: the recipe's newest dated version, the picture as its
        product photo (`uri`: its upload, made once the ad is within the caps), the prompt as
        the creative concept."""
        concept = clean_prompt(request.prompt)[:PROMPT_LIMIT] or DEFAULT_PROMPT
        marker = SCENARIOS.get(request.scenario) if self.simulated else None
        return {
            "version": latest_version(PRODUCT_AD),
            "productImages": [{"uri": uri}],
            "userConcept": f"{concept} {marker}" if marker else concept,
            "ratio": "720:1280" if product.height > product.width else "1280:720",
            "duration": DURATION,
        }

    async def _upload(self, product: StoredFrame, owner: str) -> str:
        """The product photo as an ephemeral upload on the operator's upstream."""
        data = await asyncio.to_thread(self.frames.read, product)
        name = f"{product.sha256[:16]}.{EXTENSIONS[product.media_type]}"
        file = (name, data, product.media_type)
        return await self.uploads.file(None, Caller(None, owner), file, paid=True)  # a frame

    def _duration(self) -> int:
        model = self.model()
        return DURATION if DURATION in model.durations else model.default_duration

    async def done_for_today(self, address: str) -> str | None:
        """What the page says up front when the shared caps leave no room for one video."""
        video = {"model": self.model().name, "duration": self._duration()}
        if await self.pools.full(address, estimate_credits(video), time.time()):
            return _(POOLS_FULL)
        return None

    async def animate(self, owner: str, request: DemoRequest, address: str) -> TaskRecord:
        """Start one video within today's caps (this session's, the client address's and the
        console's); raises DemoRefusal with a sentence to show."""
        endpoint = MAKES.get(request.make, DEFAULT_ENDPOINT)
        first, last = await self._frames(request, owner)
        ad = endpoint == PRODUCT_AD  # priced before its photo is uploaded: nothing sent yet
        body = self._ad_body(first, request, "") if ad else self._body(first, last, request)
        once = request.once[:100]
        reserved = await self._reserve(owner, address, estimate_credits(body, endpoint), once)
        try:
            if ad:
                body = self._ad_body(first, request, await self._upload(first, owner))
            return await self.tasks.submit(
                body, None, Caller(None, owner), submit_token=once or None, endpoint=endpoint
            )
        except TaskNotRecorded:  # started upstream, so its credits are spent: nothing back
            on_its_way = _("Your video is on its way. It will appear with your videos shortly.")
            raise DemoRefusal(on_its_way) from None
        except BaseException as exc:  # anything else: nothing started, the caps give it back
            await self._refund(owner, address, reserved)
            refusal = refusal_for(exc)
            if refusal is None:
                raise
            raise refusal from None

    async def _reserve(self, owner: str, address: str, credits: int, once: str) -> Reserved:
        """Count a video against every cap before anything is sent: what each counted
        (nothing for a repeated form), or DemoRefusal naming the cap that is reached. The
        shared caps are reserved even where sessions have no cap (CONSOLE_DEMO_CREDITS=0)."""
        now = time.time()
        counted = await self.sessions.reserve(owner, credits, self.settings.demo_credits, once)
        if counted is None:
            raise DemoRefusal(
                _("This demo has used today's allowance. It will be ready again tomorrow.")
            )
        if counted == REPEATED:  # the same video, already counted everywhere
            return Reserved(0, 0)
        try:
            await self.pools.reserve(address, credits, now)
        except PoolsFull:
            await self.sessions.refund(owner, counted)
            raise DemoRefusal(_(POOLS_FULL)) from None
        return Reserved(counted, credits)

    async def _refund(self, owner: str, address: str, reserved: Reserved) -> None:
        await self.sessions.refund(owner, reserved.session)
        if reserved.pools:
            await self.pools.refund(address, reserved.pools, time.time())

    async def result(self, owner: str, task_id: str) -> TaskRecord | None:
        """One of this session's results, brought up to date (coalesced, like every read)."""
        return await self.tasks.get(task_id, Caller(None, owner))

    async def strip(self, owner: str) -> list[TaskRecord]:
        """This session's results since its last Clear, newest first."""
        cleared = await self.sessions.cleared_at(owner)
        records = await self.storage.list_tasks(owner, limit=STRIP_SIZE)
        return [record for record in records if record.created_at > cleared]

    async def clear(self, owner: str) -> None:
        """Empty the strip: results nobody holds a link to are deleted, shared ones stay
        (hidden here) until their links expire, so a customer's link keeps working."""
        shared = await self.shares.tasks_with_open_links(owner)
        for record in await self.strip(owner):
            if record.id not in shared:
                # Still running and the cancel failed: it is hidden all the same.
                with contextlib.suppress(UpstreamError):
                    await self.tasks.delete(record.id, Caller(None, owner))
        await self.sessions.clear(owner)


def refusal_for(exc: BaseException) -> DemoRefusal | None:
    """The customer's sentence for a create that started nothing, or None for a fault of ours
    (the caller answers that as the error it is)."""
    if isinstance(exc, AlreadySubmitted):
        return DemoRefusal(_("Your video is already on its way."))
    if isinstance(exc, Invalid):
        return DemoRefusal(_("This image can't be used. Please try another one."))
    if isinstance(exc, NoUploads):  # a relay without `/uploads`: the photo can't go up
        return DemoRefusal(_("Product ads can't be made here right now. Try Animate instead."))
    if isinstance(exc, UpstreamError):
        return DemoRefusal(refusal_text(exc.status))
    return None


def refusal_text(status: int | None) -> str:
    """Why a create was refused, for a customer: nothing was started or charged."""
    if status in (401, 403):
        return _("The demo is not set up correctly right now. Please tell the person running it.")
    if status == 400:
        return _("This image or prompt can't be used. Please try another one.")
    return _("The service is busy right now. Nothing was charged; please try again in a moment.")


def failure_text(record: TaskRecord) -> str:
    """Why a started video did not come out, without the upstream's codes."""
    code = record.failure_code or ""
    if code.startswith(("SAFETY", "INPUT_PREPROCESSING.SAFETY")):
        return _(
            "Content moderation declined this image or prompt. Try another image or other words."
        )
    if record.status == "CANCELLED":
        return _("This video was stopped before it was finished.")
    return _("This one didn't work out. Please try again, or pick another image.")
