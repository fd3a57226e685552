"""Comparing two addresses in the browser: a person fills the second address and its own key,
and each relay (a scripted stub on loopback) hears only its own key, on the create and on
every read the page's cards make afterwards."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import start_console
from tests.browser.kit import Watched, axe_violations
from tests.relay_stub import RelayStub, relay_stub

KEY_A = "key_relay_a_browser_1111"
KEY_B = "key_relay_b_browser_2222"


@pytest.fixture
def relays() -> Iterator[tuple[RelayStub, RelayStub]]:
    with relay_stub() as a, relay_stub() as b:
        yield a, b


@pytest.fixture
def private_console(tmp_path: Path) -> Iterator[str]:
    """A console that may call the stubs (loopback), reading a relay at most every 0.5 s."""
    yield from start_console(
        tmp_path, CONSOLE_ALLOW_PRIVATE_UPSTREAMS="true", CONSOLE_POLL_INTERVAL_S="0.5"
    )


def task_keys(stub: RelayStub) -> set[str]:
    """The keys a relay's task requests carried (the page's account panel asks it too, with
    whatever key the field holds while a person types)."""
    return {
        seen.authorization for seen in stub.seen if "image_to_video" in seen.path or seen.task_id
    }


def every_key(stub: RelayStub) -> set[str]:
    return {seen.authorization for seen in stub.seen}


def reads(stub: RelayStub) -> int:
    return sum(1 for seen in stub.seen if seen.method == "GET")


def wait_for_reads(page: Page, stubs: tuple[RelayStub, RelayStub], count: int) -> None:
    """Until each relay has been read `count` times by the page's polling cards."""
    for _ in range(300):
        if all(reads(stub) >= count for stub in stubs):
            return
        page.wait_for_timeout(100)
    raise AssertionError([reads(stub) for stub in stubs])


def test_each_relay_hears_its_own_key(
    watched: Watched, private_console: str, relays: tuple[RelayStub, RelayStub]
) -> None:
    a, b = relays
    page = watched.page
    page.goto(private_console)
    page.fill("#baseUrl", a.base_url)
    page.fill("#api-key", KEY_A)
    page.fill("#first_url", "https://example.com/first.jpg")
    page.fill("#promptText", "the same scene on two relays")
    page.click("details.advanced > summary")
    page.get_by_label("Compare with a second API address").fill(b.base_url)
    page.get_by_label("Key for the second address").fill(KEY_B)
    page.click("#generate")
    page.wait_for_selector(".group-grid .task-card >> nth=1")
    wait_for_reads(page, relays, 2)
    assert task_keys(a) == {f"Bearer {KEY_A}"} and task_keys(b) == {f"Bearer {KEY_B}"}
    assert f"Bearer {KEY_A}" not in every_key(b) and f"Bearer {KEY_B}" not in every_key(a)
    assert KEY_B not in page.content() and KEY_A not in page.content()
    found = axe_violations(page)
    assert not found, "\n".join(found)
    assert watched.errors == []


def test_an_empty_second_key_sends_none(
    watched: Watched, private_console: str, relays: tuple[RelayStub, RelayStub]
) -> None:
    a, b = relays
    page = watched.page
    page.goto(private_console)
    page.fill("#baseUrl", a.base_url)
    page.fill("#api-key", KEY_A)
    page.fill("#first_url", "https://example.com/first.jpg")
    page.fill("#promptText", "the second relay gets no key")
    page.click("details.advanced > summary")
    page.get_by_label("Compare with a second API address").fill(b.base_url)
    page.click("#generate")
    page.wait_for_selector(".group-grid .task-card >> nth=1")
    wait_for_reads(page, relays, 2)
    assert task_keys(a) == {f"Bearer {KEY_A}"} and task_keys(b) == {""}
    assert f"Bearer {KEY_A}" not in every_key(b)
    assert watched.errors == []
