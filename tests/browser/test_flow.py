"""A person's path through the page, in headless Debian Chromium (never a downloaded browser)."""

import re
from pathlib import Path

from playwright.sync_api import Browser

from tests.browser.kit import ARTIFACTS, Watched, frame_file, give_first_frame, wait_for_video
from tests.helpers import image_bytes


def test_upload_generate_watch_and_play(watched: Watched, console_url: str, tmp_path: Path) -> None:
    page = watched.page
    page.goto(console_url)
    give_first_frame(page, tmp_path)
    assert "1280×768" in page.inner_text("#slot-first .meta")
    page.fill("#promptText", "A calm lake, slow dolly-in")
    assert page.inner_text("#prompt-counter") == "26 / 1000"
    page.click("#generate")
    page.wait_for_selector(
        "#task-card .badge[data-status=PENDING], #task-card .badge[data-status=RUNNING]"
    )
    assert "?task=" in page.url
    page.wait_for_selector("#task-card .badge[data-status=RUNNING]", timeout=15_000)
    page.wait_for_selector("#task-card .badge[data-status=SUCCEEDED]", timeout=30_000)
    video = page.wait_for_selector("#task-card video")
    assert video.get_attribute("loop") is not None and video.get_attribute("controls") is not None
    wait_for_video(page, "readyState", 2)
    video.evaluate("v => { v.muted = true; return v.play(); }")
    wait_for_video(page, "currentTime", 0.5)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "after-success.png"), full_page=True)
    origin = console_url.rstrip("/")
    foreign = [url for url in watched.requests if not url.startswith(origin)]
    assert foreign == [], f"requests to other hosts: {foreign}"
    assert watched.errors == [], watched.errors


def test_reload_keeps_the_card(watched: Watched, console_url: str) -> None:
    page = watched.page
    page.goto(console_url)
    page.fill("#first_url", "https://example.com/first.jpg")
    page.click("#slot-first button:has-text('Use URL')")
    page.wait_for_selector("#slot-first .url-frame")
    page.fill("#promptText", "reload me")
    page.click("#generate")
    page.wait_for_selector("#task-card[data-task-id]")
    task_id = page.get_attribute("#task-card", "data-task-id")
    page.reload()
    page.wait_for_selector(f"#task-card[data-task-id='{task_id}']")
    page.wait_for_selector("#history .history-row")
    assert "reload me" in page.inner_text("#history")
    assert watched.errors == [], watched.errors


def test_bad_fields_are_named_and_the_form_keeps_what_was_typed(
    watched: Watched, console_url: str
) -> None:
    page = watched.page
    page.goto(console_url)
    page.fill("#promptText", "no frame yet")
    page.fill("#seed", "12abc")
    page.click("#generate")
    page.wait_for_selector(".form-alert")
    assert page.is_visible("[data-error-for=first]")
    assert page.is_visible("[data-error-for=seed]")
    assert page.input_value("#promptText") == "no frame yet"
    assert page.input_value("#seed") == "12abc"
    assert page.query_selector("#task-card") is None


def test_model_switch_changes_the_options(watched: Watched, console_url: str) -> None:
    page = watched.page
    page.goto(console_url)
    page.select_option("#model", "veo3.1")
    page.wait_for_selector("input[name=ratio][value='1080:1920']")
    durations = page.eval_on_selector_all("input[name=duration]", "els => els.map(e => e.value)")
    assert durations == ["4", "6", "8"]
    page.select_option("#model", "gen4_turbo")
    page.wait_for_selector("#slot-last", state="detached")
    assert "first frame only" in page.inner_text(".model-note")
    page.select_option("#model", "happyhorse_1_0")  # a partner model: no ratio, longer prompts
    page.wait_for_selector("input[name=ratio]", state="detached")
    assert page.inner_text("#prompt-counter") == "0 / 2500"
    assert page.eval_on_selector("#model option:checked", "o => o.parentElement.label") == (
        "Partner models"
    )


def test_key_is_sent_in_a_header_and_not_kept_unless_asked(
    watched: Watched, console_url: str
) -> None:
    page = watched.page
    seen: list[str | None] = []
    page.on(
        "request",
        lambda r: seen.append(r.headers.get("x-runway-key")) if "/history" in r.url else None,
    )
    page.goto(console_url)
    page.fill("#api-key", "hk-browser-test-key-1234")
    page.wait_for_timeout(800)
    assert "hk-browser-test-key-1234" in seen
    assert page.evaluate("localStorage.getItem('runway-console.key')") is None
    page.check("#key-remember")
    assert page.evaluate("localStorage.getItem('runway-console.key')") == "hk-browser-test-key-1234"
    html = page.content()
    assert 'value="hk-browser-test-key-1234"' not in html


def test_the_failure_is_explained(watched: Watched, console_url: str) -> None:
    page = watched.page
    page.goto(console_url)
    page.fill("#first_url", "https://example.com/first.jpg")
    page.fill("#promptText", "please refuse [sim:moderation]")
    page.click("#generate")
    page.wait_for_selector("#task-card .badge[data-status=FAILED]", timeout=30_000)
    text = page.inner_text("#task-card .failure")
    assert "SAFETY.INPUT.TEXT" in text
    assert "moderation" in text.lower()


def test_history_open_reuse_and_run_again(
    watched: Watched, console_url: str, tmp_path: Path
) -> None:
    page = watched.page
    page.goto(console_url)
    first = frame_file(tmp_path)
    last = tmp_path / "last.png"
    last.write_bytes(image_bytes((1280, 768), (220, 60, 90)))
    page.set_input_files(".file-input[data-position=first]", str(first))
    page.wait_for_selector("#slot-first img.thumb")
    page.set_input_files(".file-input[data-position=last]", str(last))
    page.wait_for_selector("#slot-last img.thumb")
    page.fill("#promptText", "history round trip")
    page.fill("#seed", "1234")
    page.click("#generate")
    page.wait_for_selector("#task-card .badge[data-status=SUCCEEDED]", timeout=30_000)
    task_id = page.get_attribute("#task-card", "data-task-id")
    page.wait_for_selector("#video-state.saved", timeout=15_000)

    page.goto(console_url)  # a fresh page: empty form, history below
    page.wait_for_selector(f".history-row[data-task-id='{task_id}'] .badge-succeeded")
    page.click(f".history-row[data-task-id='{task_id}'] .history-link")
    page.wait_for_selector(f"#task-card[data-task-id='{task_id}'] video")
    assert f"/media/{task_id}.mp4" in page.get_attribute("#task-card video", "src")
    wait_for_video(page, "readyState", 2)

    page.click(f".history-row[data-task-id='{task_id}'] button:has-text('Reuse')")
    page.wait_for_selector("#slot-last img.thumb")
    assert page.is_visible("#slot-first img.thumb")
    assert page.input_value("#promptText") == "history round trip"
    assert page.input_value("#seed") == "1234"
    page.click("#generate")
    page.wait_for_selector(f"#task-card:not([data-task-id='{task_id}'])")
    page.wait_for_selector("#task-card .badge[data-status=SUCCEEDED]", timeout=30_000)
    assert page.locator(".history-row").count() == 2
    page.screenshot(path=str(ARTIFACTS / "history-reuse.png"), full_page=True)
    assert watched.errors == [], watched.errors


def test_inspector_and_copy_buttons(browser: Browser, console_url: str, tmp_path: Path) -> None:
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, permissions=["clipboard-read", "clipboard-write"]
    )
    watched = Watched(context.new_page())
    page = watched.page
    page.goto(console_url)
    give_first_frame(page, tmp_path)
    page.fill("#promptText", "inspect me")
    page.click("#generate")
    page.wait_for_selector("#task-card .inspector")
    page.click("#task-card .inspector > summary")
    page.wait_for_selector("#task-card .badge[data-status=RUNNING]", timeout=15_000)
    assert page.locator("#task-card .inspector").get_attribute("open") is not None, (
        "the inspector stays open while the card polls"
    )
    page.wait_for_selector("#task-card .badge[data-status=SUCCEEDED]", timeout=30_000)
    inspector = page.locator("#task-card .inspector")
    if inspector.get_attribute("open") is None:
        page.click("#task-card .inspector > summary")
    page.click("#task-card .exchange:first-child summary")
    text = inspector.inner_text()
    assert "POST http://127.0.0.1" in text and "/simulator/v1/image_to_video" in text
    assert "Authorization: Bearer sim-…" in text
    assert "data:image/png;base64,…(" in text
    assert "Submit latency" in text and "Reads" in text

    def clipboard() -> str:
        return page.evaluate("navigator.clipboard.readText()")

    page.click("#task-card .exchange:first-child button:has-text('Copy') >> nth=0")
    page.wait_for_timeout(300)
    assert '"model": "gen3a_turbo"' in clipboard()
    page.click("#task-card .exchange:first-child button:has-text('Copy') >> nth=1")
    page.wait_for_timeout(300)
    assert '"id":' in clipboard()
    page.click("#task-card .facts button[data-copy]")
    page.wait_for_timeout(300)
    assert clipboard() == page.get_attribute("#task-card", "data-task-id")
    for language, expected in (
        ("curl", "curl -sS"),
        ("python", "import httpx"),
        ("js", "await fetch("),
    ):
        page.click(f"#task-card [data-lang={language}]")
        page.wait_for_function(
            "text => document.querySelector('#task-card .code-text').textContent.includes(text)",
            arg=expected,
        )
        page.click("#task-card [data-copy-code]")
        page.wait_for_timeout(500)
        copied = clipboard()
        assert expected in copied, (language, copied[:200])
        assert "RUNWAYML_API_SECRET" in copied
        assert "data:image/png;base64,iVBOR" in copied, "the copied code carries the whole frame"
    page.check("#task-card input[value=masked]")
    page.click("#task-card [data-lang=curl]")
    page.wait_for_function(
        "() => !document.querySelector('#task-card .code-text')"
        ".textContent.includes('RUNWAYML_API_SECRET')"
    )
    page.click("#task-card [data-copy-code]")
    page.wait_for_timeout(500)
    assert "RUNWAYML_API_SECRET" not in clipboard()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "inspector.png"), full_page=True)
    assert watched.errors == [], watched.errors
    context.close()


def test_the_cost_estimate_follows_the_duration(watched: Watched, console_url: str) -> None:
    page = watched.page
    page.goto(console_url)
    assert page.inner_text("#cost-estimate") == "Estimate: 25 credits ≈ $0.25"
    page.check("input[name=duration][value='10']")
    assert page.inner_text("#cost-estimate") == "Estimate: 50 credits ≈ $0.50"
    page.wait_for_selector("#account .account-balance")
    assert "credits" in page.inner_text("#account")


def test_the_relay_check_report(watched: Watched, console_url: str) -> None:
    page = watched.page
    page.goto(console_url)
    page.click("button:has-text('Check this address')")
    page.wait_for_selector("#relay-report .report-items")
    ok = page.locator("#relay-report li.verdict-ok").count()
    assert ok >= 8  # the free probes, the version header and CORS among them
    assert f"{ok} like Runway, 0 different, 0 failed" in page.inner_text("#relay-report")
    assert "CORS preflight" in page.inner_text("#relay-report")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('with a real tiny task')")
    page.wait_for_selector("#relay-report .report-head code", timeout=30_000)
    assert "Output is a list of URLs" in page.inner_text("#relay-report")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "relay-check.png"), full_page=False)
    assert watched.errors == [], watched.errors


def test_a_four_seed_group_plays_in_sync(
    watched: Watched, console_url: str, tmp_path: Path
) -> None:
    page = watched.page
    page.goto(console_url)
    give_first_frame(page, tmp_path)
    page.fill("#promptText", "four seeds")
    page.fill("#runs", "4")
    assert page.inner_text("#cost-estimate") == "Estimate: 100 credits ≈ $1.00 for 4 runs"
    page.click("#generate")
    page.wait_for_selector(".group-grid .task-card")
    assert "?group=" in page.url
    for _ in range(300):
        if page.locator(".group-grid .badge[data-status=SUCCEEDED]").count() == 4:
            break
        page.wait_for_timeout(100)
    videos = page.locator(".group-grid video")
    assert videos.count() == 4
    for index in range(4):
        for _ in range(100):
            if videos.nth(index).evaluate("v => v.readyState") >= 2:
                break
            page.wait_for_timeout(100)
    page.click("[data-sync-action=play]")
    page.wait_for_timeout(1500)
    times = [videos.nth(i).evaluate("v => v.currentTime") for i in range(4)]
    assert min(times) > 0.5, times
    assert max(times) - min(times) < 0.3, times
    page.click("[data-sync-action=pause]")
    page.wait_for_function(  # every video stops, as a person sees the grid stop
        "() => [...document.querySelectorAll('.group-grid video')].every(v => v.paused)"
    )
    # A seek on one video moves the others to the same moment. Seeking while paused keeps
    # playback's own progress (which a busy machine slows) out of what is checked.
    videos.nth(2).evaluate("v => { v.currentTime = 3.5; }")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.group-grid video')]"
        ".every(v => Math.abs(v.currentTime - 3.5) < 0.2)",
        timeout=15_000,
    )
    assert all(videos.nth(i).evaluate("v => v.paused") for i in range(4))
    page.screenshot(path=str(ARTIFACTS / "side-by-side.png"), full_page=True)
    page.reload()
    page.wait_for_selector(".group-grid .task-card")
    assert page.locator(".group-grid .task-card").count() == 4
    assert watched.errors == [], watched.errors


def test_the_chinese_page(browser: Browser, console_url: str, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    watched = Watched(context.new_page())
    page = watched.page
    page.goto(console_url)
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert page.inner_text("#generate") == "生成"
    assert page.inner_text("#cost-estimate") == "估算：25 积分 ≈ $0.25"
    page.click("#generate")
    page.wait_for_selector(".form-alert")
    assert "必填" in page.inner_text("[data-error-for=first]")
    give_first_frame(page, tmp_path)
    page.fill("#promptText", "湖面上的晨雾，镜头缓慢推进")
    page.click("#generate")
    page.wait_for_selector("#task-card .elapsed:not([data-final])")
    page.wait_for_timeout(1200)  # results.js has rewritten the running card's elapsed time
    assert re.fullmatch(r"\d+ 秒", page.inner_text("#task-card .elapsed")), "in Chinese units"
    page.wait_for_selector("#task-card .badge[data-status=SUCCEEDED]", timeout=30_000)
    assert re.search(r"排队 \d+ 秒", page.inner_text("#task-card")), "the timings too"
    assert page.query_selector(".form-alert") is None, "a successful run clears the old errors"
    assert "已保存在本服务器" in page.inner_text("#task-card") or "正在保存副本" in page.inner_text(
        "#task-card"
    )
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / "chinese.png"), full_page=True)
    page.click(".languages a[hreflang=en]")
    page.wait_for_selector("#generate")
    assert page.inner_text("#generate") == "Generate"
    page.reload()
    assert page.inner_text("#generate") == "Generate", "the switch sticks"
    assert watched.errors == [], watched.errors
    context.close()
