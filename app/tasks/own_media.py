"""The console's own saved outputs, named by an app as a create's input.

An app holding a URL the gateway answered (`/v1/media/<id>.mp4`, `.mp3`...) may pass it on as
the video or sound of its next create; the upstream cannot fetch the console's copy, so the
service swaps in that task's own upstream output URL (when the task is the caller's).
"""

import re
from typing import Any
from urllib.parse import urlsplit

OWN_MEDIA = re.compile(r"^/(?:v1/|runwayml/v1/)?media/([A-Za-z0-9_-]{1,64})\.(\w{3,4})$")
FIELDS = ("videoUri", "audioUri")  # where an app passes an output on as an input


def own_media(body: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(field, task id, suffix) of each input that names one of the console's saved copies."""
    found = []
    for field in FIELDS:
        uri = body.get(field)
        match = OWN_MEDIA.search(urlsplit(uri).path) if isinstance(uri, str) else None
        if match is not None:
            found.append((field, match.group(1), match.group(2)))
    return found
