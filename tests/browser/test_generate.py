"""Making frames from text, text to video, and upscaling, as a person does them in the page."""

from tests.browser.kit import Watched, axe_violations, wait_for_video


def test_a_frame_made_from_text_becomes_the_first_frame_of_a_video(
    watched: Watched, console_url: str
) -> None:
    page = watched.page
    page.goto(console_url)
    page.click("#slot-first .from-text summary")
    page.fill("#first_ft_prompt", "a misty lake at dawn")
    # The image model and ratio nearest to 1280:768 (gen4_image's nearest, 1360:768, is 6 % off).
    assert page.input_value("#first_ft_ratio") == "1344:768"
    page.click("#slot-first .from-text button:has-text('Make frame')")
    page.wait_for_selector("#slot-first.making [role=status]")
    track, slot = (
        page.eval_on_selector(selector, "e => getComputedStyle(e).backgroundColor")
        for selector in ("#slot-first.making progress", "#slot-first.making")
    )
    assert track != slot, "the progress track is drawn in the slot's own colour, so unseen"
    thumb = page.wait_for_selector("#slot-first img.thumb", timeout=30_000)
    assert thumb.get_attribute("src").startswith("/frames/")
    assert "1344×768" in page.inner_text("#slot-first .meta")
    ref = page.get_attribute("#slot-first input[name=first_ref]", "value")
    assert ref.startswith("frame:")
    page.wait_for_selector("#history .history-row:has-text('a misty lake at dawn')")

    page.fill("#promptText", "slow dolly-in over the water")
    page.click("#generate")
    page.wait_for_selector("#task-card .badge[data-status=SUCCEEDED]", timeout=30_000)
    wait_for_video(page, "readyState", 2)
    code = page.request.get(
        f"{console_url}/tasks/{page.get_attribute('#task-card', 'data-task-id')}/code/curl"
    ).text()
    assert "/image_to_video" in code and "data:image/" in code  # the made frame, inlined

    page.click("#slot-first button:has-text('Remove')")
    row = "#history .history-row:has-text('a misty lake at dawn')"
    page.click(f"{row} button:has-text('Use as first frame')")  # the image, animated again
    page.wait_for_selector("#slot-first img.thumb")
    assert page.get_attribute("#slot-first input[name=first_ref]", "value") == ref
    assert page.is_checked("input[name=endpoint][value=image_to_video]")
    assert watched.errors == [], watched.errors


def test_a_failed_frame_says_why_in_the_slot_and_keeps_the_prompt(
    watched: Watched, console_url: str
) -> None:
    page = watched.page
    page.goto(console_url)
    page.click("#slot-last .from-text summary")
    page.fill("#last_ft_prompt", "a forest [sim:moderation]")
    page.click("#slot-last .from-text button:has-text('Make frame')")
    error = page.wait_for_selector("#slot-last .from-text [role=alert]", timeout=30_000)
    assert "SAFETY" in error.inner_text()
    assert page.input_value("#last_ft_prompt") == "a forest [sim:moderation]"
    assert watched.errors == [], watched.errors


def test_axe_finds_nothing_serious_with_frames_from_text_open(
    watched: Watched, console_url: str
) -> None:
    page = watched.page
    page.goto(console_url)
    page.wait_for_selector("#history h2")
    page.click("#slot-first .from-text summary")
    page.click("#slot-last .from-text summary")
    page.click("#slot-last .from-text button:has-text('Make frame')")  # refused: no prompt
    page.wait_for_selector("#slot-last .from-text [role=alert]")
    found = axe_violations(page)
    assert not found, "\n".join(found)
    page.emulate_media(color_scheme="dark")
    found = axe_violations(page)
    assert not found, "dark scheme:\n" + "\n".join(found)


def test_text_to_video_needs_no_frame_and_its_video_can_be_upscaled(
    watched: Watched, console_url: str
) -> None:
    page = watched.page
    page.goto(console_url)
    page.check("input[name=endpoint][value=text_to_video]")
    # The form is redrawn for the mode: its frame slots go (veo3.1 is offered by both modes,
    # so its option appearing does not say the redraw is done).
    page.wait_for_selector("#slot-first", state="detached")
    page.wait_for_selector("#model option[value='veo3.1']", state="attached")
    page.select_option("#model", "gen4.5")
    page.wait_for_selector("input[name=duration][value='2']", state="attached")
    page.check("input[name=duration][value='2']")
    page.fill("#promptText", "a paper boat on a stream")
    page.click("#generate")
    page.wait_for_selector("#task-card .badge[data-status=SUCCEEDED]", timeout=30_000)
    assert "Text to video" in page.inner_text("#task-card .card-title")
    wait_for_video(page, "readyState", 2)
    source = page.get_attribute("#task-card", "data-task-id")
    page.click("#task-card button:has-text('Upscale')")
    page.wait_for_selector("#task-card .card-title:has-text('Video upscale')")
    page.wait_for_selector("#task-card .badge[data-status=SUCCEEDED]", timeout=60_000)
    wait_for_video(page, "videoWidth", 2560, timeout_s=30)
    upscale = page.get_attribute("#task-card", "data-task-id")
    upscale_row = page.wait_for_selector(f".history-row[data-task-id='{upscale}']")
    assert upscale_row.query_selector("button:has-text('Reuse')") is None  # nothing to reuse

    page.check("input[name=endpoint][value=image_to_video]")
    page.wait_for_selector("#slot-first")
    page.click(f".history-row[data-task-id='{source}'] button:has-text('Reuse')")
    page.wait_for_selector("#gen-form:not(:has(#slot-first))")
    assert page.is_checked("input[name=endpoint][value=text_to_video]")
    assert page.input_value("#promptText") == "a paper boat on a stream"
    assert page.input_value("#model") == "gen4.5"
    assert watched.errors == [], watched.errors
