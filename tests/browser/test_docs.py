"""The JSON API's reference page: vendored Swagger UI, nothing from another host."""

from tests.browser.kit import ARTIFACTS, Watched


def test_docs_lists_the_operations_from_this_server_alone(
    watched: Watched, console_url: str
) -> None:
    page = watched.page
    page.goto(console_url)
    page.click("a.toplink:has-text('JSON API')")
    page.wait_for_selector("#swagger-ui .opblock", timeout=15_000)
    summaries = page.locator("#swagger-ui .opblock-summary-path").all_inner_texts()
    assert any(path.strip() == "/api/tasks" for path in summaries), summaries
    assert any("/api/tasks/{task_id}" in path for path in summaries), summaries
    page.click("#swagger-ui .opblock-summary >> nth=0")
    page.wait_for_selector("#swagger-ui .opblock-body")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "docs.png"), full_page=False)
    assert watched.foreign_requests(console_url) == []
    assert watched.errors == [], watched.errors
