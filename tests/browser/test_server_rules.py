"""What the page's script works out itself agrees with what the server decides.

results.js rewrites a running card's elapsed time every second and prices the form as it changes,
so it repeats two of the server's rules: `_ago`'s steps (render.py) and the catalog's
USD_PER_CREDIT. These tests fail when the page and the server disagree again.
"""

import re

import pytest
from playwright.sync_api import Browser

from app.catalog.models import USD_PER_CREDIT
from app.core.i18n import language
from app.web.render import _ago
from tests.browser.kit import Watched

# Ages far enough from a step that a second or two between writing and reading changes nothing.
AGES = (2 * 3600 + 30 * 60 + 20, 86400 - 600, 86400 + 30, 25 * 3600, 30 * 86400 + 7200)


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_the_page_writes_elapsed_time_as_the_server_does(
    browser: Browser, console_url: str, locale: str
) -> None:
    context = browser.new_context(locale=locale)
    watched = Watched(context.new_page())
    page = watched.page
    page.goto(console_url)
    page.evaluate(
        """ages => ages.forEach((age, i) => {
            const span = document.createElement("span");
            span.className = "elapsed"; span.id = "age" + i;
            span.dataset.started = String(Date.now() / 1000 - age);
            document.body.append(span);
        })""",
        list(AGES),
    )
    page.wait_for_selector(f"#age{len(AGES) - 1}:not(:empty)", state="attached")
    shown = [page.inner_text(f"#age{i}") for i in range(len(AGES))]
    with language(locale):
        assert shown == [_ago(age) for age in AGES]
    assert shown[3] == {"en": "1d", "zh-CN": "1 天"}[locale]
    assert watched.errors == [], watched.errors
    context.close()


def shown_usd(text: str) -> float:
    return float(re.search(r"\$(\d+\.\d\d)", text).group(1))


def test_the_page_prices_credits_at_the_catalogs_usd_per_credit(
    watched: Watched, console_url: str
) -> None:
    page = watched.page
    page.goto(console_url)
    estimate = page.locator("#cost-estimate")
    assert float(estimate.get_attribute("data-usd-per-credit")) == USD_PER_CREDIT
    chosen = page.locator("input[name=duration]:checked")
    credits = int(chosen.get_attribute("data-credits"))
    label = page.locator("label:has(input[name=duration]:checked)").inner_text()
    assert (
        shown_usd(estimate.inner_text()) == shown_usd(label) == round(credits * USD_PER_CREDIT, 2)
    )
    # The script prices at the rate the page carries, not at one of its own.
    page.evaluate("document.getElementById('cost-estimate').dataset.usdPerCredit = '0.37'")
    page.fill("#runs", "2")
    assert shown_usd(estimate.inner_text()) == round(credits * 2 * 0.37, 2)
    assert watched.errors == [], watched.errors
