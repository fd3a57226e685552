"""The inspector's exchange lines keep a call's duration whole: "3 ms", never "3" at the end of
one line and "ms" alone at the start of the next (seen in docs/inspector.png)."""

from pathlib import Path

from playwright.sync_api import Browser

from tests.browser.kit import give_first_frame


def test_a_calls_duration_never_breaks_between_number_and_unit(
    browser: Browser, console_url: str, tmp_path: Path
) -> None:
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    page.goto(console_url)
    give_first_frame(page, tmp_path)
    page.fill("#promptText", "a lake at dawn")
    page.click("#generate")
    page.wait_for_selector("#task-card .badge[data-status=SUCCEEDED]", timeout=30_000)
    page.click("#task-card .inspector > summary")
    durations = page.locator("#task-card .exchange > details > summary > .muted")
    assert durations.count() >= 2
    split = []
    for width in range(900, 1441, 10):  # wherever the long URLs happen to wrap
        page.set_viewport_size({"width": width, "height": 900})
        lines = durations.evaluate_all(
            "spans => spans.map(s => new Set([...s.getClientRects()].map(r => r.top)).size)"
        )
        split += [width for count in lines if count > 1]
    assert split == [], f"a duration broke over two lines at widths {sorted(set(split))}"
    page.context.close()
