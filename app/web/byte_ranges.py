"""HTTP Range for stored videos: the player seeks with `Range: bytes=…`, on every replica.

The video may be a local file or an S3 object, so the response is built here from the
object's size and a ranged read rather than by FileResponse, which knows only files.
"""

import re
from collections.abc import Callable, Iterator

from fastapi import Response
from fastapi.responses import StreamingResponse

SINGLE_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class Unsatisfiable(Exception):
    """The range asked for lies outside the object (416)."""


def requested_range(header: str | None, size: int) -> tuple[int, int] | None:
    """[start, end) for a single-range header; None to send the whole object.

    Several ranges in one header are answered with the whole object, which RFC 9110 allows.
    """
    match = SINGLE_RANGE.match((header or "").strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        start = max(0, size - int(last))
        end = size
    else:
        start = int(first)
        end = min(size, int(last) + 1) if last else size
    if start >= size or start >= end:
        raise Unsatisfiable()
    return start, end


def ranged_response(
    read: Callable[[int, int], Iterator[bytes]],
    size: int,
    range_header: str | None,
    media_type: str,
    headers: dict[str, str],
    *,
    head: bool = False,
) -> Response:
    """200 with the whole object, 206 with the asked part, or 416."""
    base = {**headers, "Accept-Ranges": "bytes"}
    try:
        wanted = requested_range(range_header, size)
    except Unsatisfiable:
        return Response(status_code=416, headers={**base, "Content-Range": f"bytes */{size}"})
    start, end = wanted or (0, size)
    base["Content-Length"] = str(end - start)
    status = 200
    if wanted is not None:
        status = 206
        base["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    if head:
        return Response(status_code=status, headers=base, media_type=media_type)
    return StreamingResponse(
        read(start, end), status_code=status, headers=base, media_type=media_type
    )
