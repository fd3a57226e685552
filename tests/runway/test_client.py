"""The upstream client, faked at the transport, which checks each request it receives."""

import gzip
import json
from collections.abc import Callable

import httpx
import pytest

from app.runway.client import RunwayClient, UpstreamError, error_message
from app.runway.endpoints import resolve_upstream

Handler = Callable[[httpx.Request], httpx.Response]


def make_client(handler: Handler) -> RunwayClient:
    return RunwayClient(httpx.MockTransport(handler), httpx.MockTransport(handler))


async def test_relay_create_sends_bearer_json_to_the_relay_path() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": "task-1"})

    client = make_client(handler)
    task_id, exchange = await client.create(
        resolve_upstream("https://api.openai-hk.com"), "hk-secret", {"model": "gen3a_turbo"}
    )
    assert task_id == "task-1"
    request = seen[0]
    assert str(request.url) == "https://api.openai-hk.com/runwayml/v1/image_to_video"
    assert request.headers["Authorization"] == "Bearer hk-secret"
    assert "X-Runway-Version" not in request.headers
    assert json.loads(request.content) == {"model": "gen3a_turbo"}
    assert "hk-secret" not in json.dumps(exchange.as_dict())


async def test_official_reads_carry_the_version_header() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["X-Runway-Version"] == "2024-11-06"
        assert request.url.path == "/v1/tasks/t1"
        return httpx.Response(200, json={"id": "t1", "status": "RUNNING", "progress": 0.5})

    data, _ = await make_client(handler).read(
        resolve_upstream("https://api.dev.runwayml.com"), "key_x", "t1"
    )
    assert data["progress"] == 0.5


async def test_a_create_is_never_retried() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(503, json={"error": "overloaded"})

    with pytest.raises(UpstreamError) as caught:
        await make_client(handler).create(resolve_upstream("https://r.example.com"), "k", {})
    assert len(calls) == 1
    assert caught.value.status == 503
    assert caught.value.retryable


async def test_a_read_is_retried_after_429_honouring_retry_after() -> None:
    answers = [
        httpx.Response(429, headers={"Retry-After": "0"}, json={"error": "slow down"}),
        httpx.Response(200, json={"id": "t", "status": "PENDING"}),
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        return answers.pop(0)

    data, _ = await make_client(handler).read(resolve_upstream("https://r.example.com"), "k", "t")
    assert data["status"] == "PENDING"
    assert answers == []


async def test_a_read_gives_up_after_three_tries() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(502, text="<html>bad gateway</html>", headers={"Retry-After": "0"})

    with pytest.raises(UpstreamError) as caught:
        await make_client(handler).read(resolve_upstream("https://r.example.com"), "k", "t")
    assert len(calls) == 3
    assert "bad gateway" in caught.value.message


async def test_a_404_read_is_not_retried() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(404, json={"error": "Task not found"})

    with pytest.raises(UpstreamError) as caught:
        await make_client(handler).read(resolve_upstream("https://r.example.com"), "k", "t")
    assert len(calls) == 1
    assert caught.value.message == "HTTP 404: Task not found"


async def test_malformed_json_becomes_an_upstream_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text='{"id": "oops')

    with pytest.raises(UpstreamError) as caught:
        await make_client(handler).create(resolve_upstream("https://r.example.com"), "k", {})
    assert "not a JSON object" in caught.value.message


async def test_a_refused_connection_is_an_upstream_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(UpstreamError) as caught:
        await make_client(handler).create(resolve_upstream("https://r.example.com"), "k", {})
    assert caught.value.status is None
    assert "nothing answered at https://r.example.com" in caught.value.message
    assert caught.value.reach == "unreached" and caught.value.http_offer == ""


@pytest.mark.parametrize(
    ("status", "text", "expected"),
    [
        (400, '{"error": "Invalid parameter \'ratio\'"}', "HTTP 400: Invalid parameter 'ratio'"),
        (401, '{"error": {"message": "bad key", "type": "auth"}}', "HTTP 401: bad key"),
        (500, '{"message": "boom"}', "HTTP 500: boom"),
        (
            502,
            "<html><body>Bad   Gateway</body></html>",
            "HTTP 502: <html><body>Bad Gateway</body></html>",
        ),
        (503, "", "HTTP 503 with an empty body"),
    ],
)
def test_error_messages_come_from_any_error_shape(status: int, text: str, expected: str) -> None:
    assert error_message(status, text) == expected


async def test_no_key_sends_no_authorization_header() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert "Authorization" not in request.headers
        return httpx.Response(401, json={"error": "Invalid API key"})

    with pytest.raises(UpstreamError) as caught:
        await make_client(handler).create(resolve_upstream("https://r.example.com"), None, {})
    assert caught.value.status == 401


async def test_a_gzipped_answer_is_read_like_any_other() -> None:
    answer = gzip.compress(json.dumps({"id": "task-gz"}).encode())

    def handler(request: httpx.Request) -> httpx.Response:
        assert "gzip" in request.headers["Accept-Encoding"]
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=answer)

    task_id, exchange = await make_client(handler).create(
        resolve_upstream("https://api.openai-hk.com"), "hk-secret", {"model": "gen3a_turbo"}
    )
    assert task_id == "task-gz" and exchange.body == '{"id": "task-gz"}'


@pytest.mark.parametrize("encoding", [None, "gzip"])
async def test_an_endless_answer_is_cut_off_at_one_megabyte(encoding: str | None) -> None:
    """A hostile relay cannot fill the console's memory, neither plainly nor with a gzip bomb
    (64 MB of spaces compress to ~64 KB)."""
    body = b'{"id": "x", "pad": "' + b" " * (64 * 1024 * 1024) + b'"}'
    headers = {"Content-Encoding": encoding} if encoding else {}
    content = gzip.compress(body, compresslevel=1) if encoding else body

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=headers, content=content)

    with pytest.raises(UpstreamError, match="more than 1 MB"):
        await make_client(handler).read(resolve_upstream("https://relay.example"), "k", "x")
