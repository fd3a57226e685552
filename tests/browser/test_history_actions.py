"""What the history panel offers and how it keeps up: a side-by-side group's one row deletes the
whole group, and a task made by the relay check is listed without a reload."""

import json
from pathlib import Path

from playwright.sync_api import Dialog

from tests.browser.kit import Watched, give_first_frame


def test_a_group_row_deletes_every_task_of_the_group(
    watched: Watched, console_url: str, tmp_path: Path
) -> None:
    page = watched.page
    page.goto(console_url)
    give_first_frame(page, tmp_path)
    page.fill("#promptText", "three seeds, then gone")
    page.fill("#runs", "3")
    page.click("#generate")
    page.wait_for_selector("#history .history-group")
    assert page.locator("#history .history-row").count() == 1
    asked: list[str] = []

    def answer(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss() if len(asked) == 1 else dialog.accept()

    page.on("dialog", answer)
    delete = page.locator("#history .history-group button:has-text('Delete')")
    delete.click()  # dismissed: nothing goes
    page.wait_for_timeout(500)
    assert len(asked) == 1 and "3 tasks" in asked[0], asked
    assert len(_listed(page, console_url)) == 3
    delete.click()
    page.wait_for_selector("#history .history-group", state="detached")
    assert _listed(page, console_url) == []
    assert "No tasks yet" in page.inner_text("#history")
    assert watched.errors == [], watched.errors


def _listed(page, console_url: str) -> list[dict]:
    """The tasks the JSON API lists for the page's (empty) key."""
    answer = page.request.get(f"{console_url}/api/tasks")
    assert answer.ok, answer.status
    return json.loads(answer.text())["tasks"]


def test_the_relay_checks_tiny_task_is_listed_at_once(watched: Watched, console_url: str) -> None:
    page = watched.page
    page.goto(console_url)
    # The list comes by htmx once the page has loaded: wait for it as a person would.
    page.locator("#history").get_by_text("No tasks yet").wait_for()
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('with a real tiny task')")
    page.wait_for_selector("#relay-report .report-head code", timeout=60_000)
    task_id = page.inner_text("#relay-report .report-head code")
    page.wait_for_selector(f"#history .history-row[data-task-id='{task_id}']", timeout=5_000)
    assert "relay check" in page.inner_text("#history")
    assert watched.errors == [], watched.errors
