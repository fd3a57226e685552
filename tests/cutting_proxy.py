"""A TCP relay on loopback that cuts every connection after it has passed N bytes upstream,
or holds back requests of one kind until told to let them through.

Placed in front of the real S3 server, it makes an upload fail part-way the way a dropped
network does, or an object's removal hang at a chosen moment, without touching our code or
the server.
"""

import asyncio
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress


class Hold:
    """Requests whose first bytes (request line, headers and a small body arrive together)
    match `pattern` wait for `release` (once `seen` is set), so a test can act while they
    hang."""

    def __init__(self, pattern: bytes) -> None:
        self.pattern = re.compile(pattern, re.DOTALL)
        self.seen = threading.Event()
        self.release = threading.Event()

    def holds(self, chunk: bytes) -> bool:
        return self.pattern.match(chunk) is not None


async def _pipe(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    budget: int,
    hold: Hold | None = None,
) -> None:
    passed = 0
    try:
        while chunk := await reader.read(64 * 1024):
            if hold is not None and hold.holds(chunk):
                hold.seen.set()
                await asyncio.get_running_loop().run_in_executor(None, hold.release.wait, 60)
            if budget >= 0 and passed + len(chunk) > budget:
                writer.write(chunk[: budget - passed])
                await writer.drain()
                break
            passed += len(chunk)
            writer.write(chunk)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


@contextmanager
def cutting_proxy(
    target_port: int, cut_after_bytes: int = -1, hold: Hold | None = None
) -> Iterator[int]:
    """Yields the proxy's port; requests up to `cut_after_bytes` long pass whole (all of
    them when it is -1), and those `hold` names wait for its release."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict[str, object] = {}

    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection("127.0.0.1", target_port)
        except OSError:
            client_w.close()
            return
        upload = asyncio.ensure_future(_pipe(client_r, server_w, cut_after_bytes, hold))
        download = asyncio.ensure_future(_pipe(server_r, client_w, -1))
        with suppress(asyncio.CancelledError):
            await asyncio.wait([upload, download], return_when=asyncio.FIRST_COMPLETED)
        for task in (upload, download):
            task.cancel()
        client_w.close()
        server_w.close()

    async def start() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        holder["server"] = server
        holder["port"] = server.sockets[0].getsockname()[1]
        ready.set()

    def run() -> None:
        loop.run_until_complete(start())
        loop.run_forever()
        for task in asyncio.all_tasks(loop):  # the open pipes end before the loop closes
            task.cancel()
        loop.run_until_complete(asyncio.sleep(0.05))
        loop.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(5)
    try:
        yield int(holder["port"])  # type: ignore[arg-type]
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
