"""An app hands on an output this console answered with; the upstream gets its own URL instead.

Once a task's output is saved, the gateway answers with the console's copy (`/v1/media/<id>.mp4`,
`.png` for an image). An app that puts that URL into a new task (a video to upscale or to
transform, an image to upscale, Act-Two's character) names a URL the upstream cannot fetch:
the console is not on its network, and the copy needs the caller's key. Every such URI in a
body becomes that task's own upstream output URL, when the task is the caller's and its output
is of that kind; anything else is left for validation to judge.
"""

import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from app.catalog.endpoints import ENDPOINTS
from app.media.copies import output_suffix
from app.storage.task_record import TaskRecord

OWN_MEDIA = re.compile(r"^/(?:v1/|runwayml/v1/)?media/([A-Za-z0-9_-]{1,64})\.(\w{3,4})$")
Reader = Callable[[str], Awaitable[TaskRecord | None]]


def takes_own_outputs(endpoint: str) -> bool:
    """The endpoints whose inputs may be outputs: the video upscale, and those the schemas
    drive (image-to-video's frames keep their own rules)."""
    found = ENDPOINTS.get(endpoint)
    return found is not None and (endpoint == "video_upscale" or found.schema_checked)


async def _upstream_url(uri: str, read: Reader) -> str:
    match = OWN_MEDIA.search(urlsplit(uri).path)
    if match is None:
        return uri
    source = await read(match.group(1))
    if source is None or not source.output or output_suffix(source) != match.group(2):
        return uri
    return source.output[0]


async def upstream_inputs(value: Any, read: Reader) -> Any:
    """`value` (a create body) with each of this console's own output URLs replaced by the
    upstream's; `read` finds one of the caller's tasks by id."""
    if isinstance(value, str):
        return await _upstream_url(value, read)
    if isinstance(value, dict):
        return {key: await upstream_inputs(sub, read) for key, sub in value.items()}
    if isinstance(value, list):
        return [await upstream_inputs(sub, read) for sub in value]
    return value
