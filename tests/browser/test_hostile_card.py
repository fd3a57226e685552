"""A relay's refused output URL, seen in the browser (issue 12, item 6): the card says so.

The relay is a scripted stub on loopback that answers SUCCEEDED with a `javascript:` output.
The console refuses the URL before storing it; the person reads why on the card, and no link,
player or copy-in-progress carries or waits for it.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import start_console
from tests.browser.kit import Watched
from tests.relay_stub import Answer, RelayStub, relay  # noqa: F401 (a fixture)

HOSTILE = "javascript:alert(document.cookie)"


@pytest.fixture
def private_console(tmp_path: Path) -> Iterator[str]:
    yield from start_console(
        tmp_path, CONSOLE_ALLOW_PRIVATE_UPSTREAMS="true", CONSOLE_POLL_INTERVAL_S="0.5"
    )


def test_a_refused_output_url_is_said_on_the_card(
    watched: Watched,
    private_console: str,
    relay: RelayStub,  # noqa: F811
) -> None:
    relay.read = lambda seen: Answer(
        body={"id": seen.task_id, "status": "SUCCEEDED", "output": [HOSTILE]}
    )
    page = watched.page
    page.goto(private_console)
    page.fill("#baseUrl", relay.base_url)
    page.fill("#api-key", "hk-hostile-card-test-0001")
    page.fill("#first_url", "https://example.com/first.jpg")
    page.fill("#promptText", "a relay that answers a script")
    page.click("#generate")
    page.wait_for_selector("#task-card .badge[data-status=SUCCEEDED]", timeout=30_000)
    card = page.locator("#task-card")
    card.get_by_text("output address was refused").first.wait_for(timeout=10_000)
    text = card.inner_text()
    assert "only https addresses on public hosts are accepted" in text  # why, in words
    assert "Saving a copy" not in text
    links = card.evaluate(
        "c => [...c.querySelectorAll('[href], [src]')]"
        ".map(e => e.getAttribute('href') || e.getAttribute('src'))"
    )
    assert not [link for link in links if link.startswith("javascript:")], links
    assert card.locator("video").count() == 0
    assert not watched.errors, watched.errors
