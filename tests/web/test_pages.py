"""The page and its htmx fragments, checked with selectors."""

import httpx
import pytest
from bs4 import BeautifulSoup

from app.catalog.models import MODELS
from tests.helpers import create_body, form_fields, image_bytes, wait_saved

HX = {"HX-Request": "true"}


def soup(response: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


async def test_the_page_has_every_field(client: httpx.AsyncClient) -> None:
    page = soup(await client.get("/"))
    for selector in (
        "#baseUrl",
        "#api-key",
        "#model",
        "#slot-first",
        "#slot-last",
        "#promptText",
        "input[name=ratio]",
        "input[name=duration]",
        "#seed",
        "#dice",
        "input[name=watermark]",
        "#notify_hook",
        "#generate",
        "#url-preview",
    ):
        assert page.select_one(selector) is not None, selector
    assert page.select_one("#api-key")["type"] == "password"
    assert not page.select_one("#api-key").get("name"), "the key must never be a form field"
    options = [o["value"] for o in page.select("#model option")]
    assert options == list(MODELS)
    groups = {g["label"]: len(g.select("option")) for g in page.select("#model optgroup")}
    assert list(groups) == ["Runway", "Partner models"]
    assert groups["Runway"] == 5 and groups["Partner models"] == len(MODELS) - 5


async def test_the_page_loads_nothing_from_other_hosts(client: httpx.AsyncClient) -> None:
    page = soup(await client.get("/"))
    for tag, attr in (("script", "src"), ("link", "href"), ("img", "src")):
        for element in page.find_all(tag):
            value = element.get(attr) or ""
            assert not value.startswith(("http:", "https:", "//")), value
    assert not page.select("script:not([src])"), "no inline script (CSP)"


async def test_security_headers_are_set(client: httpx.AsyncClient) -> None:
    headers = (await client.get("/")).headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"


async def test_model_change_updates_the_options(client: httpx.AsyncClient) -> None:
    fields = soup(await client.get("/form/model-fields", params={"model": "gen4_turbo"}))
    assert [i["value"] for i in fields.select("input[name=ratio]")][:2] == ["1280:720", "720:1280"]
    assert len(fields.select("input[name=duration]")) == 9
    assert fields.select_one("#slot-last") is None
    veo = soup(
        await client.get("/form/model-fields", params={"model": "veo3.1", "ratio": "1280:720"})
    )
    assert veo.select_one("input[name=ratio][checked]")["value"] == "1280:720"
    assert [i["value"] for i in veo.select("input[name=duration]")] == ["4", "6", "8"]


async def test_url_preview_shows_the_exact_url(client: httpx.AsyncClient) -> None:
    relay = soup(
        await client.get("/form/url-preview", params={"baseUrl": "https://api.openai-hk.com/"})
    )
    assert "https://api.openai-hk.com/runwayml/v1/image_to_video" in relay.text
    official = soup(
        await client.get("/form/url-preview", params={"baseUrl": "https://api.dev.runwayml.com"})
    )
    assert "X-Runway-Version: 2024-11-06" in official.text
    bad = soup(await client.get("/form/url-preview", params={"baseUrl": "http://example.com"}))
    assert "https" in bad.select_one(".error-text").text


async def test_an_upload_becomes_a_stored_frame_with_a_thumbnail(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/frames",
        params={"position": "first"},
        files={"file": ("a.png", image_bytes((1280, 768)), "image/png")},
    )
    slot = soup(response)
    assert "1280×768" in slot.select_one(".meta").text
    ref = slot.select_one("input[name=first_ref]")["value"]
    assert ref.startswith("frame:")
    thumb = await client.get(slot.select_one("img.thumb")["src"])
    assert thumb.headers["content-type"] == "image/jpeg"


async def test_a_fake_image_upload_is_refused_by_name(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/frames",
        params={"position": "first"},
        files={"file": ("x.png", b"<svg></svg>", "image/png")},
    )
    slot = soup(response)
    assert "not a JPEG, PNG or WebP" in slot.select_one(".error-text").text
    assert slot.select_one("input[name=first_ref]") is None


async def test_an_oversized_upload_is_cut_off_with_413(client: httpx.AsyncClient, settings) -> None:
    big = b"\0" * (settings.max_upload_bytes + 200_000)
    response = await client.post("/frames", files={"file": ("big.png", big, "image/png")})
    assert response.status_code == 413


async def test_bad_fields_come_back_by_name_keeping_what_was_typed(
    client: httpx.AsyncClient,
) -> None:
    upload = soup(
        await client.post(
            "/frames",
            params={"position": "first"},
            files={"file": ("a.png", image_bytes(), "image/png")},
        )
    )
    ref = upload.select_one("input[name=first_ref]")["value"]
    form = {
        "baseUrl": "simulator",
        "model": "gen3a_turbo",
        "first_ref": ref,
        "promptText": "<b>bold</b> lake",
        "ratio": "1280:768",
        "duration": "5",
        "seed": "99999999999",
    }
    response = await client.post("/tasks", data=form, headers=HX)
    assert response.headers["HX-Retarget"] == "#gen-form"
    page = soup(response)
    assert page.select_one("[data-error-for=seed]") is not None
    assert page.select_one("#seed")["value"] == "99999999999"
    assert page.select_one("#promptText").text == "<b>bold</b> lake"
    assert "<b>bold</b>" not in response.text, "user text must be escaped"
    assert page.select_one("input[name=first_ref]")["value"] == ref


async def test_generate_answers_with_a_polling_card(client: httpx.AsyncClient) -> None:
    form = form_fields(promptText="waves")
    response = await client.post("/tasks", data=form, headers=HX)
    card = soup(response).select_one("#task-card")
    assert card["hx-trigger"] == "every 2s"
    assert card.select_one(".badge").text == "PENDING"
    task_id = card["data-task-id"]
    assert response.headers["HX-Push-Url"] == f"/?task={task_id}"
    reloaded = soup(await client.get(f"/?task={task_id}"))
    assert reloaded.select_one("#task-card")["hx-get"] == f"/tasks/{task_id}"
    polled = await client.get(f"/tasks/{task_id}?seen=SUCCEEDED", headers=HX)
    assert polled.headers["HX-Trigger"] == "taskChanged"


async def test_an_upstream_refusal_shows_status_and_body(client: httpx.AsyncClient) -> None:
    form = form_fields(promptText="now [sim:503]")
    page = soup(await client.post("/tasks", data=form, headers=HX))
    assert "HTTP 503" in page.select_one(".upstream-error h2").text
    assert "Simulated 503" in page.select_one("pre.body").text


async def test_the_account_panel_shows_the_simulated_balance(client: httpx.AsyncClient) -> None:
    before = soup(await client.get("/account", params={"model": "gen3a_turbo"}))
    assert "10,000" in before.select_one(".account-balance").text
    assert "0 / 200 today" in before.text
    await client.post("/api/tasks", json=create_body(duration=10))
    after = soup(await client.get("/account", params={"model": "gen3a_turbo"}))
    assert "9,950" in after.select_one(".account-balance").text
    assert "1 / 200 today" in after.text


async def test_the_account_panel_leaves_a_refused_address_to_the_preview(
    client: httpx.AsyncClient,
) -> None:
    panel = soup(await client.get("/account", params={"baseUrl": "https://127.0.0.1"}))
    assert "loopback" not in panel.text, "the address preview says why, once"
    preview = soup(await client.get("/form/url-preview", params={"baseUrl": "https://127.0.0.1"}))
    assert "loopback" in preview.text


async def test_durations_carry_their_price_for_the_estimate(client: httpx.AsyncClient) -> None:
    fields = soup(await client.get("/form/model-fields", params={"model": "veo3.1"}))
    credits = {
        i["value"]: (i["data-credits"], i["data-estimate"])
        for i in fields.select("input[name=duration]")
    }
    assert credits == {"4": ("160", "yes"), "6": ("240", "yes"), "8": ("320", "yes")}


async def test_a_four_seed_group_is_one_submission(client: httpx.AsyncClient) -> None:
    form = form_fields(promptText="group", runs="4", form_token="group-token-1")
    response = await client.post("/tasks", data=form, headers=HX)
    group = soup(response)
    cards = group.select(".group-grid .task-card")
    assert len(cards) == 4
    assert len({c["id"] for c in cards}) == 4, "card ids are unique in a grid"
    group_id = response.headers["HX-Push-Url"].split("=")[1]
    tasks = (await client.get("/api/tasks")).json()["tasks"]
    assert len(tasks) == 4 and {t["groupId"] for t in tasks} == {group_id}
    assert len({t["seed"] for t in tasks}) == 4
    again = soup(await client.post("/tasks", data=form, headers=HX))
    assert len(again.select(".group-grid .task-card")) == 4
    assert len((await client.get("/api/tasks")).json()["tasks"]) == 4, "a repeat starts nothing"
    reopened = soup(await client.get(f"/groups/{group_id}", headers=HX))
    assert len(reopened.select(".group-grid .task-card")) == 4


async def test_a_group_is_deleted_whole_and_only_by_its_key(client: httpx.AsyncClient) -> None:
    form = form_fields(promptText="group", runs="3", form_token="group-token-2")
    response = await client.post("/tasks", data=form, headers=HX)
    group_id = response.headers["HX-Push-Url"].split("=")[1]
    forged = {**HX, "X-CSRF-Token": "x" * 43}
    assert (await client.delete(f"/groups/{group_id}", headers=forged)).status_code == 403
    other = {**HX, "X-Runway-Key": "someone-else"}
    assert (await client.delete(f"/groups/{group_id}", headers=other)).status_code == 200
    assert len((await client.get("/api/tasks")).json()["tasks"]) == 3, "not another key's"
    deleted = await client.delete(f"/groups/{group_id}", headers=HX)
    assert deleted.headers["HX-Trigger"] == "taskChanged"
    assert (await client.get("/api/tasks")).json()["tasks"] == []
    assert (await client.get(f"/groups/{group_id}", headers=HX)).status_code == 404


async def test_comparing_two_addresses_uses_one_seed(client: httpx.AsyncClient) -> None:
    form = form_fields(promptText="compare", compare_base_url="simulator", seed="77")
    group = soup(await client.post("/tasks", data=form, headers=HX))
    assert len(group.select(".group-grid .task-card")) == 2
    assert {t["seed"] for t in (await client.get("/api/tasks")).json()["tasks"]} == {77}


async def test_a_bad_run_count_is_named(client: httpx.AsyncClient) -> None:
    form = form_fields(runs="9")
    page = soup(await client.post("/tasks", data=form, headers=HX))
    assert page.select_one("[data-error-for=runs]") is not None


async def test_text_is_compressed_and_static_files_cached(client: httpx.AsyncClient) -> None:
    page = await client.get("/", headers={"Accept-Encoding": "gzip"})
    assert page.headers["content-encoding"] == "gzip"
    css = soup(page).select_one("link[rel=stylesheet]")["href"]
    asset = await client.get(css, headers={"Accept-Encoding": "gzip"})
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert asset.headers["content-encoding"] == "gzip"
    unversioned = await client.get("/static/app.css")
    assert unversioned.headers["cache-control"] == "no-cache"


async def test_videos_are_never_compressed(client: httpx.AsyncClient) -> None:
    created = (await client.post("/api/tasks", json=create_body())).json()
    task = await wait_saved(client, created["id"])
    assert task["videoUrl"].startswith("http://console/media/"), (
        "the console's own copy is what is checked"
    )
    video = await client.get(
        task["videoUrl"], headers={"Accept-Encoding": "gzip", "Range": "bytes=0-99"}
    )
    assert video.status_code == 206 and "content-encoding" not in video.headers
    assert video.content[4:8] == b"ftyp"
    assert len(video.content) == 100


@pytest.mark.parametrize(
    ("language", "no_frame", "from_text"),
    [
        ("en", "Text to video (under Make) needs no frame", "Make a frame from text"),
        ("zh-CN", "文字生成视频（在“生成方式”里选）无需图片", "用文字生成一帧"),
    ],
)
async def test_the_welcome_card_says_a_frame_is_not_always_needed(
    client: httpx.AsyncClient, language: str, no_frame: str, from_text: str
) -> None:
    """A first visit learns every way to start: a frame of their own, one made from text, or
    none at all (text to video)."""
    page = soup(await client.get("/", headers={"Accept-Language": language}))
    welcome = page.select_one(".welcome").get_text(" ", strip=True)
    assert no_frame in welcome and from_text in welcome
