"""The key and the address the person gave: remembered, and used from the page's first request."""

from pathlib import Path

from playwright.sync_api import Request

from tests.browser.kit import Watched, give_first_frame

KEY = "hk-remembered-key-5678"
PANELS = ("/history", "/account")


def test_a_remembered_key_shows_its_own_history_after_a_reload(
    watched: Watched, console_url: str
) -> None:
    page = watched.page
    page.goto(console_url)
    page.fill("#api-key", KEY)
    page.check("#key-remember")
    page.fill("#first_url", "https://example.com/first.jpg")
    page.fill("#promptText", "made with the remembered key")
    page.click("#generate")
    page.wait_for_selector("#task-card[data-task-id]")
    task_id = page.get_attribute("#task-card", "data-task-id")

    sent: dict[str, list[str | None]] = {}

    def record(request: Request) -> None:
        path = request.url.split("?")[0].rsplit("/", 2)
        sent.setdefault("/".join(path[-2:]), []).append(request.headers.get("x-runway-key"))

    page.on("request", record)
    page.reload()
    page.wait_for_selector(f".history-row[data-task-id='{task_id}']")
    assert page.input_value("#api-key") == KEY
    page.wait_for_selector("#account .account-balance")
    first_sent = {
        name: keys[0] for name, keys in sent.items() if "history" in name or "account" in name
    }
    assert first_sent and all(key == KEY for key in first_sent.values()), first_sent

    page.goto(f"{console_url}/?task={task_id}")
    page.wait_for_selector(f"#task-card[data-task-id='{task_id}'] .badge")
    assert "Task not found" not in page.inner_text("#result")
    assert watched.errors == [], watched.errors


def test_a_remembered_address_comes_back_with_the_key(watched: Watched, console_url: str) -> None:
    page = watched.page
    page.goto(console_url)
    page.click("button[data-preset='https://api.dev.runwayml.com']")
    page.fill("#api-key", KEY)
    page.check("#key-remember")
    page.reload()
    assert page.input_value("#baseUrl") == "https://api.dev.runwayml.com"
    page.wait_for_selector("#url-preview:has-text('api.dev.runwayml.com/v1/image_to_video')")
    page.uncheck("#key-remember")
    assert page.evaluate("localStorage.getItem('runway-console.address')") is None


def test_a_frame_uploaded_with_a_typed_key_is_that_keys_frame(
    watched: Watched, console_url: str, tmp_path: Path
) -> None:
    """The upload names the key, as every htmx request does: frames belong to the key that
    added them, so a frame uploaded without it was refused as 'no longer stored' on Generate."""
    page = watched.page
    page.goto(console_url)
    page.fill("#api-key", KEY)
    give_first_frame(page, tmp_path)
    page.fill("#promptText", "a frame of my own, with my key")
    page.click("#generate")
    page.wait_for_selector("#task-card .badge[data-status=SUCCEEDED]", timeout=30_000)
    task_id = page.get_attribute("#task-card", "data-task-id")
    page.wait_for_selector(f".history-row[data-task-id='{task_id}'] img.history-thumb")
    assert watched.errors == [], watched.errors
