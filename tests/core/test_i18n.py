"""Both languages have every string: whatever the code marks for translation is in the catalog.

Strings are found where they are marked: `_("…")` in templates, `tr("…")` in the console's
scripts (static_urls.CONSOLE_SCRIPTS), and `_(…)`, `N_(…)` or `gettext(…)` calls in Python (read
through its AST, so strings split over lines count as one).
"""

import ast
import json
import re
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup

from app.core.i18n import LANGUAGES, catalog, choose
from app.web.static_urls import bundle
from tests.helpers import ROOT, create_body

TEMPLATE_CALL = re.compile(r"""\b_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")
JS_CALL = re.compile(r'\btr\("((?:[^"\\]|\\.)*)"')
MARKERS = {"_", "N_", "gettext"}


def python_strings(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in MARKERS
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
    return found


def marked_strings() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "templates").rglob("*.html"):
        for double, single in TEMPLATE_CALL.findall(path.read_text("utf-8")):
            found.add((double or single).replace("\\'", "'").replace('\\"', '"'))
    found.update(JS_CALL.findall(bundle().decode("utf-8")))
    for path in (ROOT / "app").rglob("*.py"):
        found |= python_strings(path)
    return found


def test_the_chinese_catalog_has_every_string_and_nothing_stale() -> None:
    marked = marked_strings()
    zh = catalog("zh-CN")
    missing = sorted(marked - set(zh))
    assert not missing, "missing from locales/zh-CN.json:\n" + json.dumps(
        missing, indent=1, ensure_ascii=False
    )
    assert not sorted(set(zh) - marked), "stale keys in locales/zh-CN.json"
    assert len(marked) > 150


def test_translations_keep_their_placeholders() -> None:
    for english, chinese in catalog("zh-CN").items():
        fields = set(re.findall(r"\{(\w+)\}", english))
        assert fields == set(re.findall(r"\{(\w+)\}", chinese)), english
        assert chinese.strip(), english


@pytest.mark.parametrize(
    ("cookie", "header", "expected"),
    [
        (None, "zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
        (None, "zh-TW", "zh-CN"),
        (None, "en-US", "en"),
        (None, "fr-FR", "en"),
        ("en", "zh-CN", "en"),
        ("zh-CN", "en", "zh-CN"),
        ("xx", "", "en"),
    ],
)
def test_the_language_is_the_switch_else_the_browser(
    cookie: str | None, header: str, expected: str
) -> None:
    assert choose(cookie, header) == expected
    assert expected in LANGUAGES


async def test_the_page_follows_the_browser_and_the_switch(client: httpx.AsyncClient) -> None:
    zh = BeautifulSoup(
        (await client.get("/", headers={"Accept-Language": "zh-CN"})).text, "html.parser"
    )
    assert zh.html["lang"] == "zh-CN"
    assert zh.select_one("#generate").text == "生成"
    prices = zh.select_one("#durations, .durations") or zh
    assert "积分 ≈ $" in prices.text and " cr ≈" not in prices.text  # the durations' prices
    switched = await client.get("/lang/en", headers={"Referer": "http://console/?task=x"})
    assert switched.headers["location"] == "/?task=x"
    assert "lang=en" in switched.headers["set-cookie"]
    en = BeautifulSoup(
        (await client.get("/", headers={"Accept-Language": "zh-CN"})).text, "html.parser"
    )
    assert en.select_one("#generate").text == "Generate"


async def test_errors_come_in_the_page_language(client: httpx.AsyncClient) -> None:
    client.headers["Accept-Language"] = "zh-CN"
    response = await client.post("/api/tasks", json={"model": "gen3a_turbo", "ratio": "1:1"})
    messages = " ".join(e["message"] for e in response.json()["errors"])
    assert "首帧" in messages
    refused = await client.post(
        "/api/tasks",
        json=create_body(promptText="x [sim:400]"),
    )
    assert refused.json()["error"]["body"].startswith('{"error":"Simulated'), (
        "the simulator answers in English, like Runway"
    )
