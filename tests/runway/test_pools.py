"""The spread of upstream connections over several pools: least busy first, slots given back."""

import httpx
import pytest

from app.runway.pools import SpreadPools


def recording_pools(count: int, seen: list[int]) -> list[httpx.AsyncBaseTransport]:
    def pool(index: int) -> httpx.MockTransport:
        def handler(request: httpx.Request) -> httpx.Response:
            seen.append(index)
            if request.url.path == "/boom":
                raise httpx.ConnectError("refused", request=request)
            return httpx.Response(200, content=b"ok")

        return httpx.MockTransport(handler)

    return [pool(index) for index in range(count)]


def get(path: str = "/") -> httpx.Request:
    return httpx.Request("GET", f"http://127.0.0.1:9{path}")


async def test_one_request_at_a_time_always_uses_the_first_pool() -> None:
    seen: list[int] = []
    spread = SpreadPools(recording_pools(4, seen))
    for _ in range(5):
        response = await spread.handle_async_request(get())
        assert await response.aread() == b"ok"
        await response.aclose()
    assert seen == [0, 0, 0, 0, 0]


async def test_open_responses_push_requests_to_the_least_busy_pool() -> None:
    seen: list[int] = []
    spread = SpreadPools(recording_pools(3, seen))
    open_responses = [await spread.handle_async_request(get()) for _ in range(3)]
    assert seen == [0, 1, 2]
    await open_responses[1].aclose()
    await open_responses[1].aclose()  # closing twice gives the slot back once
    await spread.handle_async_request(get())
    assert seen[-1] == 1
    await spread.handle_async_request(get())
    assert seen[-1] == 0, "every pool has one request open again: the first wins the tie"


async def test_a_failed_request_gives_its_slot_back() -> None:
    seen: list[int] = []
    spread = SpreadPools(recording_pools(2, seen))
    with pytest.raises(httpx.ConnectError):
        await spread.handle_async_request(get("/boom"))
    await spread.handle_async_request(get())
    assert seen == [0, 0]
