"""Several small connection pools in place of one big one, used least-busy first.

httpcore's pool walks every pooled connection on each request and release, and polls each
idle socket for readability as it goes (encode/httpcore#924, encode/httpx#3215). With fifty
requests in flight to one upstream, that was a fifth of the console's CPU in py-spy. Splitting
the connections over a few pools bounds each walk; picking the least busy pool keeps a
single person's requests on pool 0, so a quiet console reuses one warm (TLS) connection.
"""

from collections.abc import AsyncIterator

import httpx

POOLS = 8


class _Released(httpx.AsyncByteStream):
    """A response body that tells its pool when it is closed (the connection is free again)."""

    def __init__(self, inner: httpx.AsyncByteStream, release: "Release") -> None:
        self._inner = inner
        self._release = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            self._release()


class Release:
    """Gives a pool's slot back once, however many times it is called."""

    def __init__(self, busy: list[int], index: int) -> None:
        self._busy, self._index, self._done = busy, index, False

    def __call__(self) -> None:
        if not self._done:
            self._done = True
            self._busy[self._index] -= 1


class SpreadPools(httpx.AsyncBaseTransport):
    """Sends each request through the pool with the fewest requests open (the first on a tie)."""

    def __init__(self, pools: list[httpx.AsyncBaseTransport]) -> None:
        self._pools = pools
        self._busy = [0] * len(pools)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        index = self._busy.index(min(self._busy))
        self._busy[index] += 1
        release = Release(self._busy, index)
        try:
            response = await self._pools[index].handle_async_request(request)
        except BaseException:
            release()
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_Released(response.stream, release),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        for pool in self._pools:
            await pool.aclose()
