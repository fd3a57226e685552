"""Keyboard and screen-reader use, checked with axe-core and by pressing keys like a person."""

from pathlib import Path

from playwright.sync_api import Browser, Page

from tests.browser.kit import Watched, axe_violations, frame_file, give_first_frame


def test_axe_finds_nothing_serious_on_the_main_page(watched: Watched, console_url: str) -> None:
    page = watched.page
    page.goto(console_url)
    page.wait_for_selector("#account .account-balance")
    page.wait_for_selector("#history h2")
    found = axe_violations(page)
    assert not found, "\n".join(found)
    page.emulate_media(color_scheme="dark")
    found = axe_violations(page)
    assert not found, "dark scheme:\n" + "\n".join(found)


def test_axe_finds_nothing_serious_on_the_chinese_page(browser: Browser, console_url: str) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.goto(console_url)
    page.wait_for_selector("#account .account-balance")
    page.click("#generate")  # the error banner and field errors, in Chinese
    page.wait_for_selector(".form-alert")
    found = axe_violations(page)
    assert not found, "\n".join(found)
    context.close()


def test_axe_finds_nothing_serious_on_the_history_page(
    watched: Watched, console_url: str, tmp_path: Path
) -> None:
    page = watched.page
    page.goto(console_url)
    give_first_frame(page, tmp_path)
    page.fill("#promptText", "a task for the history")
    page.click("#generate")
    page.wait_for_selector("#task-card .badge[data-status=SUCCEEDED]", timeout=30_000)
    task_id = page.get_attribute("#task-card", "data-task-id")
    page.goto(f"{console_url}/?task={task_id}")
    page.wait_for_selector(f"#task-card[data-task-id='{task_id}'] video")
    page.wait_for_selector(f".history-row[data-task-id='{task_id}'] .badge-succeeded")
    page.click("#task-card .inspector > summary")
    found = axe_violations(page)
    assert not found, "\n".join(found)


def focused(page: Page) -> str:
    """What has focus, as `tag#id.class`."""
    return page.evaluate(
        "(() => { const e = document.activeElement;"
        " return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +"
        " (e.className ? '.' + String(e.className).split(' ').join('.') : ''); })()"
    )


def wait_for_focus(page: Page, prefix: str) -> None:
    """Focus moves after htmx settles the swap: wait for it, a little."""
    for _ in range(30):
        if focused(page).startswith(prefix):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"focus is on {focused(page)}, not {prefix}")


def in_view(page: Page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    viewport = page.viewport_size
    assert box is not None and viewport is not None
    return box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]


def test_the_page_has_a_heading_and_a_skip_link(watched: Watched, console_url: str) -> None:
    page = watched.page
    page.goto(console_url)
    assert page.locator("h1").count() == 1
    page.keyboard.press("Tab")
    assert focused(page).startswith("a.skip-link"), focused(page)
    assert page.is_visible(".skip-link")
    page.keyboard.press("Enter")
    assert focused(page).startswith("main#main")


def test_the_drop_zone_opens_the_file_chooser_from_the_keyboard(
    watched: Watched, console_url: str, tmp_path: Path
) -> None:
    page = watched.page
    # Playwright turns on file-chooser interception when the first listener is added; added
    # before the page loads, no chooser can open ahead of it (expect_file_chooser raced that).
    choosers: list = []
    page.on("filechooser", lambda chooser: choosers.append(chooser))
    page.goto(console_url, wait_until="networkidle")
    page.focus("#slot-first .drop")
    page.keyboard.press("Tab")
    assert focused(page) == "input#first_url", "the hidden file input is not a Tab stop"
    for key in ("Enter", " "):
        # Chromium keeps one file chooser per page: an unanswered one from the Enter round
        # would swallow the next, so each key starts on a freshly loaded page.
        page.reload(wait_until="networkidle")
        page.focus("#slot-first .drop")
        opened = len(choosers)
        page.keyboard.press(key)
        for _ in range(100):  # events are delivered while Playwright waits
            if len(choosers) > opened:
                break
            page.wait_for_timeout(100)
        assert len(choosers) > opened, f"{key!r} on the drop zone opened no file chooser"
        assert choosers[-1].element.get_attribute("data-position") == "first"
    choosers[-1].set_files(str(frame_file(tmp_path)))
    page.wait_for_selector("#slot-first img.thumb")
    wait_for_focus(page, "button")  # focus stays in the slot, on its Remove button
    page.wait_for_selector("#announcer:has-text('1280×768')", state="attached", timeout=2000)
    assert watched.errors == [], watched.errors


def test_a_bad_upload_takes_focus_to_its_message(
    watched: Watched, console_url: str, tmp_path: Path
) -> None:
    page = watched.page
    page.set_viewport_size({"width": 390, "height": 700})
    page.goto(console_url)
    not_an_image = tmp_path / "notes.png"
    not_an_image.write_bytes(b"these are notes, not pixels" * 10)
    page.locator("#promptText").scroll_into_view_if_needed()
    page.set_input_files(".file-input[data-position=first]", str(not_an_image))
    page.wait_for_selector("#slot-first .error-text")
    wait_for_focus(page, "p#error-first")
    assert in_view(page, "#error-first")


def test_a_validation_error_takes_focus_to_the_banner(watched: Watched, console_url: str) -> None:
    page = watched.page
    page.set_viewport_size({"width": 390, "height": 700})
    page.goto(console_url)
    page.locator("#generate").scroll_into_view_if_needed()
    page.click("#generate")
    page.wait_for_selector(".form-alert")
    wait_for_focus(page, "p.form-alert")
    assert in_view(page, ".form-alert")


def test_status_changes_are_announced(watched: Watched, console_url: str) -> None:
    page = watched.page
    page.goto(console_url)
    assert page.get_attribute("#announcer", "aria-live") == "polite"
    page.fill("#first_url", "https://example.com/first.jpg")
    page.fill("#promptText", "announce me")
    page.click("#generate")
    page.wait_for_selector("#task-card .badge[data-status=SUCCEEDED]", timeout=30_000)
    page.wait_for_selector("#announcer:has-text('SUCCEEDED')", state="attached", timeout=3000)
