"""Rules between fields that the SDK's docstrings state (app/catalog/cross_rules.py): each
still said by the installed SDK, checked by the console (naming the field, nothing sent) and,
with its own code, by the simulator."""

import inspect

import httpx
import pytest
import runwayml.types

from app.catalog.cross_rules import RULES
from app.catalog.schema_check import body_errors
from app.simulator.checks import BodyRefused
from app.simulator.schema_checks import check_schema

VIDEO = "https://example.com/in.mp4"
IMAGE = "https://example.com/k.png"
WINDOW = {"start_seconds": 1, "end_seconds": 3}
# endpoint, body, the field the console names, the path the simulator names
BROKEN = [
    (
        "video_to_video",
        {"model": "aleph2", "videoUri": VIDEO, "proresProfile": "422"},
        "proresProfile",
        ["proresProfile"],
    ),
    (
        "video_to_video",
        {
            "model": "aleph2",
            "videoUri": VIDEO,
            "keyframes": [
                {"seconds": 2, "uri": IMAGE, "range": WINDOW},
                {"seconds": 4, "uri": IMAGE},
            ],
        },
        "keyframes[1].range",
        ["keyframes", 1, "range"],
    ),
    (
        "video_to_video",
        {
            "model": "aleph2",
            "videoUri": VIDEO,
            "keyframes": [{"seconds": 5, "uri": IMAGE, "range": WINDOW}],
        },
        "keyframes[0].seconds",
        ["keyframes", 0, "seconds"],
    ),
    (
        "video_to_video",
        {
            "model": "klingO3_4k",
            "promptVideo": VIDEO,
            "promptText": "snow",
            "providerSettings": {"multiPrompt": [{"prompt": "a", "duration": 10}] * 2},
        },
        "providerSettings.multiPrompt",
        ["providerSettings", "multiPrompt"],
    ),
    (
        "video_to_hdr",
        {"model": "ruby", "videoUri": VIDEO, "outputFormat": "hdr10", "proresProfile": "422"},
        "proresProfile",
        ["proresProfile"],
    ),
]


def test_each_rule_is_still_said_by_the_installed_sdk() -> None:
    for endpoint, rules in RULES.items():
        module = getattr(runwayml.types, f"{endpoint}_create_params")
        text = " ".join(inspect.getsource(module).split())
        for rule in rules:
            assert rule.source in text, (endpoint, rule)


@pytest.mark.parametrize(("endpoint", "body", "field", "path"), BROKEN)
def test_the_console_and_the_simulator_refuse_a_broken_rule(
    endpoint: str, body: dict, field: str, path: list
) -> None:
    assert [e.field for e in body_errors(body, endpoint)] == [field]
    with pytest.raises(BodyRefused) as refused:
        check_schema(endpoint, body)
    assert [issue.path for issue in refused.value.issues] == [tuple(path)]


def test_bodies_that_keep_the_rules_pass_both() -> None:
    good = {
        "model": "aleph2",
        "videoUri": VIDEO,
        "outputFormat": "prores",
        "proresProfile": "422",
        "keyframes": [
            {"seconds": 1, "uri": IMAGE, "range": WINDOW},
            {"seconds": 2.5, "uri": IMAGE, "range": WINDOW},
        ],
    }
    assert body_errors(good, "video_to_video") == []
    check_schema("video_to_video", good)
    no_ranges = {**good, "keyframes": [{"at": 0.2, "uri": IMAGE}, {"at": 0.9, "uri": IMAGE}]}
    assert body_errors(no_ranges, "video_to_video") == []


async def test_the_form_names_the_field_and_sends_nothing(client: httpx.AsyncClient) -> None:
    form = {
        "endpoint": "video_to_video",
        "model": "aleph2",
        "s.videoUri": VIDEO,
        "promptText": "in winter",
        "s.keyframes.0.seconds": "5",
        "s.keyframes.0.uri": IMAGE,
        "s.keyframes.0.range.start_seconds": "1",
        "s.keyframes.0.range.end_seconds": "3",
        "runs": "1",
        "form_token": "tok-cross-1",
    }
    refused = await client.post("/tasks", data=form)
    assert "keyframes[0].seconds: must fall within its range (1 to 3)" in refused.text
    assert (await client.get("/api/tasks")).json()["tasks"] == []
    await client.delete("/simulator/_sim/stats")
    made = await client.post("/tasks", data={**form, "s.keyframes.0.seconds": "2"})
    assert made.status_code == 200 and "keyframes:" not in made.text
    assert len((await client.get("/api/tasks")).json()["tasks"]) == 1
