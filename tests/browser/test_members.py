"""Members in the browser: a member signs in with their token and sees only their own day; the
admin raises their budget on /admin and the member's next create passes; the usage chart shows
the day's runs (screenshots on a desktop, a phone and in Chinese)."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import start_console
from tests.browser.kit import ARTIFACTS, Watched, axe_violations
from tests.browser.test_phone import assert_fits

PASSWORD = "correct horse battery staple"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def log_in(page: Page, url: str, secret: str) -> None:
    page.goto(f"{url}/login")
    page.fill("#password", secret)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")


def generate(page: Page, prompt: str) -> None:
    """Press Generate; the first frame is given once (the form keeps it for the next run)."""
    if page.locator("#first_url").count():
        page.fill("#first_url", "https://example.com/first.jpg")
    page.fill("#promptText", prompt)
    page.click("#generate")


def make_member(admin: Page, name: str, credits: int) -> str:
    admin.fill(".member-form input[name=name]", name)
    admin.fill(".member-form input[name=daily_credits]", str(credits))
    admin.click(".member-form button[type=submit]")
    return admin.inner_text("#new-token").strip()


# The member opens /admin on purpose and is refused (403); that page carries no favicon link.
@pytest.mark.console_errors_expected("status of 403 (Forbidden)", "favicon.ico")
def test_a_member_signs_in_and_the_admin_raises_their_budget(
    browser: Browser, tmp_path: Path
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for url in start_console(tmp_path, CONSOLE_PASSWORD=PASSWORD, CONSOLE_SIMULATOR_SPEED="5"):
        admin_context = browser.new_context(viewport=DESKTOP)
        admin = Watched(admin_context.new_page())
        log_in(admin.page, url, PASSWORD)
        generate(admin.page, "the operator's own run")  # not the member's: never in her history
        admin.page.wait_for_selector("#task-card[data-task-id]")
        operators = admin.page.get_attribute("#task-card", "data-task-id")
        admin.page.goto(f"{url}/admin")
        token = make_member(admin.page, "alice", 25)

        member_context = browser.new_context(viewport=DESKTOP)
        member = Watched(member_context.new_page())
        page = member.page
        log_in(page, url, token)
        assert page.locator("#api-key").count() == 0  # the session is alice, not a key
        page.wait_for_selector("#member-budget:has-text('0 of 25 credits used today')")
        generate(page, "alice's first run")
        page.wait_for_selector("#task-card[data-task-id]")
        first = page.get_attribute("#task-card", "data-task-id")
        page.wait_for_selector("#member-budget:has-text('25 of 25 credits used today')")
        generate(page, "alice's second run")
        page.wait_for_selector("text=Daily credit budget reached")

        admin.page.reload()
        row = admin.page.locator("#members-table tr[data-member=alice]")
        assert row.locator("td").nth(7).inner_text() == "1"  # refused today
        row.locator("summary").click()
        row.locator("input[name=daily_credits]").fill("100")
        row.locator("button[type=submit]").click()
        admin.page.wait_for_selector("#members-table tr[data-member=alice] td:has-text('100')")

        generate(page, "alice's run after the raise")
        page.wait_for_function(
            "id => { const c = document.querySelector('#task-card');"
            " return c && c.dataset.taskId && c.dataset.taskId !== id; }",
            arg=first,
        )
        second = page.get_attribute("#task-card", "data-task-id")
        for task_id in (first, second):
            page.wait_for_selector(f".history-row[data-task-id='{task_id}']")
        rows = page.locator(".history-row").evaluate_all("rs => rs.map(r => r.dataset.taskId)")
        assert operators not in rows and len(rows) == 2, rows
        page.wait_for_selector("#member-budget:has-text('of 100 credits used today')")
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(ARTIFACTS / "member-console.png"))
        other = member_context.new_page()  # the 403 (and its favicon) out of the watched page
        forbidden = other.goto(f"{url}/admin")
        assert forbidden is not None and forbidden.status == 403

        admin.page.goto(f"{url}/admin")
        today = datetime.now(UTC).date().isoformat()
        assert admin.page.locator(f"#usage-chart rect.bar[data-day='{today}']").count() == 1
        refused = admin.page.locator(f"#usage-chart .mark.refused[data-day='{today}'] text")
        assert refused.text_content() == "1"
        admin.page.screenshot(path=str(ARTIFACTS / "admin-members-desktop.png"), full_page=True)
        assert axe_violations(admin.page) == []
        assert admin.errors == [] and member.errors == [], (admin.errors, member.errors)
        _phone_and_chinese(browser, url)
        admin_context.close()
        member_context.close()


def _phone_and_chinese(browser: Browser, url: str) -> None:
    """The same /admin on a phone, and in Chinese: the chart scrolls within its box."""
    for name, options in (
        ("admin-members-phone.png", {"viewport": PHONE, "is_mobile": True}),
        ("admin-members-zh.png", {"viewport": DESKTOP, "locale": "zh-CN"}),
    ):
        context = browser.new_context(**options)
        page = context.new_page()
        page.goto(f"{url}/login")
        page.screenshot(path=str(ARTIFACTS / name.replace("admin-members", "login")))
        log_in(page, url, PASSWORD)
        page.goto(f"{url}/admin")
        page.wait_for_selector("#usage-chart svg")
        page.screenshot(path=str(ARTIFACTS / name), full_page=True)
        if "zh" in name:
            assert "失败的运行" in page.inner_text("#usage-chart")
        else:
            assert_fits(page)
        context.close()
