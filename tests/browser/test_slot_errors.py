"""A frame slot shows one current error, styled as one, that says what is wrong."""

from pathlib import Path

from playwright.sync_api import Browser, Page


def slot_error(page: Page) -> str:
    """The slot's one error, checked to look like an error and to leave the heading alone."""
    errors = page.locator("#slot-first .error-text")
    assert errors.count() == 1, errors.all_inner_texts()
    assert errors.get_attribute("role") == "alert"
    assert page.inner_text("#slot-first .slot-head").startswith("First frame")
    colour, head = (
        page.eval_on_selector(selector, "e => getComputedStyle(e).color")
        for selector in ("#slot-first .error-text", "#slot-first .slot-head")
    )
    assert colour != head, "the error is drawn like ordinary text"
    return errors.inner_text()


def test_an_upload_over_the_limit_replaces_the_earlier_error_and_states_the_limit(
    browser: Browser, console_url: str, tmp_path: Path
) -> None:
    text = tmp_path / "notes.png"
    text.write_bytes(b"not a picture at all\n" * 100)
    huge = tmp_path / "huge.png"
    huge.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(30 * 1024 * 1024))
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    for width, height in ((1440, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(console_url)
        page.set_input_files(".file-input[data-position=first]", str(text))
        page.wait_for_selector("#slot-first .error-text:has-text('not a JPEG, PNG or WebP')")
        assert "not a JPEG" in slot_error(page)
        page.set_input_files(".file-input[data-position=first]", str(huge))
        page.wait_for_selector("#slot-first .error-text:has-text('20 MB')")
        assert "not a JPEG" not in slot_error(page)
        assert page.locator("#slot-first .drop").is_visible()  # another file can be chosen
    page.context.close()
