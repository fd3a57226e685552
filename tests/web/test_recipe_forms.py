"""Recipes as forms from their schema and as code: a product ad's first product image is a main,
required field; the version offered is the newest dated one; the form's body names no model;
copy as code calls `client.recipes.<name>(...)`, and that call runs."""

import ast

from bs4 import BeautifulSoup

from app.catalog.endpoints import ENDPOINTS
from app.catalog.models import latest_version
from app.runway.endpoints import resolve_upstream
from app.runway.snippets import snippet
from app.web.forms import FormState, body_from_state
from app.web.schema_form import body_values, schema_fields

IMAGE = "https://example.com/bottle.png"


def test_a_product_ad_s_fields_come_from_its_schema() -> None:
    fields = {f.path: f for f in schema_fields("recipes/product_ad", "default")}
    first = fields["productImages.0.uri"]
    assert (first.kind, first.media, first.essential, first.advanced) == (
        "media",
        "image",
        True,
        False,
    )
    assert fields["productImages.1.uri"].advanced and not fields["productImages.1.uri"].essential
    assert fields["styleImages.0.uri"].advanced  # optional: under Advanced
    assert fields["version"].choices == ("2026-06", "2026-07", "unsafe-latest")
    assert fields["userConcept"].kind == "text" and fields["userConcept"].advanced
    assert "ratio" not in fields and "duration" not in fields  # the form's own controls
    # A custom multi-shot video needs three shots: all three rows are asked.
    fields = schema_fields("recipes/multi_shot_video", "custom")
    shots = [f.path for f in fields if f.essential and f.path.startswith("shots.")]
    assert shots == [f"shots.{i}.{k}" for i in range(3) for k in ("duration", "prompt")]


def test_the_form_s_body_names_no_model_and_the_newest_dated_version() -> None:
    state = FormState(endpoint="recipes/product_ad", model="default")
    state.fit_to_model()
    assert state.values["version"] == latest_version("recipes/product_ad") == "2026-07"
    state.values["productImages.0.uri"] = IMAGE
    body, errors = body_from_state(state)
    assert errors == []
    assert body == {
        "productImages": [{"uri": IMAGE}],
        "version": "2026-07",
        "ratio": state.ratio,
        "duration": int(state.duration),
    }
    ENDPOINTS["recipes/product_ad"].validate(body)
    shot = {"mode": "custom", "version": "2026-06"}  # the variant's literal, added, never asked
    assert body_values("recipes/multi_shot_video", "custom", {"version": "2026-06"}) == shot


def test_copy_as_code_calls_the_recipe_s_sdk_method() -> None:
    upstream = resolve_upstream("https://api.dev.runwayml.com")
    body = {"productImages": [{"uri": IMAGE}], "version": "2026-07", "duration": 4}
    text = snippet("sdk", upstream, upstream.api_root, body, "t-1", endpoint="recipes/product_ad")
    assert text is not None
    assert "client.recipes.product_ad(" in text and "model=" not in text
    assert "product_images=[{'uri': 'https://example.com/bottle.png'}]" in text
    ast.parse(text)
    curl = snippet("curl", upstream, upstream.api_root, body, "t-1", endpoint="recipes/product_ad")
    assert "/v1/recipes/product_ad" in curl


def test_a_recipe_s_version_is_a_metrics_label_as_a_model_is() -> None:
    """The recorded model of a recipe is its version: counted under it, not as `other`."""
    from app.metrics.shared import _task_labels

    assert _task_labels("recipes/product_ad", "2026-07", "SUCCEEDED")[1] == "2026-07"
    assert _task_labels("recipes/product_ad", "gen4_turbo", "SUCCEEDED")[1] == "other"


async def test_a_recipe_s_history_row_says_recipe_and_its_version(client) -> None:
    """A recipe's row has no picture of its input: it is marked RCP, named by the recipe and
    the version it ran at."""
    body = {
        "endpoint": "recipes/product_ad",
        "version": "2026-06",
        "productImages": [{"uri": IMAGE}],
    }
    created = await client.post("/api/tasks", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["model"] == "2026-06"
    rows = BeautifulSoup((await client.get("/history")).text, "html.parser")
    row = rows.select_one(".history-row")
    assert "RCP" in row.get_text(" ") and "Product ad · 2026-06" in row.get_text(" ")
