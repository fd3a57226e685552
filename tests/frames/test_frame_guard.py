"""The in-process frame guard (SQLite's): shared holders together, a removal alone, a waiting
removal ahead of new shared holders, and nothing left held by a holder cancelled anywhere."""

import asyncio

from app.frames.guard import SharedOrAlone


async def test_shared_holders_hold_together_and_a_removal_waits_for_them() -> None:
    guard, order = SharedOrAlone(), []

    async def hold(name: str, alone: bool, seconds: float) -> None:
        async with guard.hold(alone):
            order.append(f"{name} in")
            await asyncio.sleep(seconds)
            order.append(f"{name} out")

    first = asyncio.ensure_future(hold("a", False, 0.05))
    second = asyncio.ensure_future(hold("b", False, 0.05))
    await asyncio.sleep(0.01)
    removal = asyncio.ensure_future(hold("removal", True, 0.01))
    await asyncio.gather(first, second, removal)
    assert order[:2] == ["a in", "b in"]
    assert order.index("removal in") > max(order.index("a out"), order.index("b out"))


async def test_a_waiting_removal_goes_before_new_shared_holders() -> None:
    guard, order = SharedOrAlone(), []

    async def hold(name: str, alone: bool) -> None:
        async with guard.hold(alone):
            order.append(name)
            await asyncio.sleep(0.02)

    upload = asyncio.ensure_future(hold("upload", False))
    await asyncio.sleep(0.005)
    removal = asyncio.ensure_future(hold("removal", True))
    await asyncio.sleep(0.005)
    later = asyncio.ensure_future(hold("later upload", False))
    await asyncio.gather(upload, removal, later)
    assert order == ["upload", "removal", "later upload"]


async def test_holders_cancelled_anywhere_leave_the_guard_free() -> None:
    guard = SharedOrAlone()
    held = asyncio.Event()

    async def hold_long() -> None:
        async with guard.hold(False):
            held.set()
            await asyncio.sleep(10)

    holder = asyncio.ensure_future(hold_long())
    await held.wait()
    waiting_removal = asyncio.ensure_future(guard.hold(True).__aenter__())
    waiting_upload = asyncio.ensure_future(guard.hold(False).__aenter__())
    await asyncio.sleep(0.01)
    for task in (waiting_removal, waiting_upload, holder):
        task.cancel()
    await asyncio.gather(waiting_removal, waiting_upload, holder, return_exceptions=True)
    async with asyncio.timeout(1):  # free for both kinds at once, nothing left counted
        async with guard.hold(True):
            pass
        async with guard.hold(False):
            pass
