"""The JSON Schemas generated from the official SDK's types (app/catalog/schema.json) match the
installed SDK, and carry the facts its types and docstrings state."""

import importlib.util
import json
import pkgutil

import runwayml.types

from tests.helpers import ROOT

SCHEMAS = json.loads((ROOT / "app/catalog/schema.json").read_text())["endpoints"]


def _generator():
    spec = importlib.util.spec_from_file_location(
        "generate_catalog", ROOT / "scripts/generate_catalog.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generated_schemas_match_the_installed_sdk() -> None:
    fresh = _generator().build_schemas()
    assert fresh == json.loads((ROOT / "app/catalog/schema.json").read_text()), (
        "the installed runwayml disagrees with app/catalog/schema.json: "
        "run python scripts/generate_catalog.py and review the diff"
    )


def test_every_create_endpoint_of_the_sdk_has_a_schema() -> None:
    modules = {
        info.name.removesuffix("_create_params")
        for info in pkgutil.iter_modules(runwayml.types.__path__)
        if info.name.endswith("_create_params")
    }
    recipes = {name for name in SCHEMAS if name.startswith("recipes/")}
    assert set(SCHEMAS) - recipes == modules and len(modules) == 20
    assert len(SCHEMAS["video_to_video"]) == 12


def test_every_recipe_is_an_endpoint_at_the_path_the_sdk_posts_to() -> None:
    """The seven recipes of resources/recipes.py, each at `/v1/recipes/<name>` as the SDK's
    method posts it, with the dated `version` its body carries as a required field."""
    import inspect

    from runwayml.resources.recipes import RecipesResource

    names = {
        info.name.removeprefix("recipe_").removesuffix("_params")
        for info in pkgutil.iter_modules(runwayml.types.__path__)
        if info.name.startswith("recipe_") and info.name.endswith("_params")
    }
    assert len(names) == 7
    assert {n for n in SCHEMAS if n.startswith("recipes/")} == {f"recipes/{n}" for n in names}
    for name in names:
        assert f'"/v1/recipes/{name}"' in inspect.getsource(getattr(RecipesResource, name))
        for schema in SCHEMAS[f"recipes/{name}"].values():
            assert "version" in schema["required"] and "model" not in schema["properties"]
            assert "2026-06" in schema["properties"]["version"]["enum"]


def test_the_recipe_facts_read_by_hand_from_runwayml_5_24_0() -> None:
    ad = SCHEMAS["recipes/product_ad"]["default"]
    assert ad["required"] == ["productImages", "version"]
    assert ad["properties"]["version"]["enum"] == ["2026-06", "2026-07", "unsafe-latest"]
    images = ad["properties"]["productImages"]
    assert (images["minItems"], images["maxItems"]) == (1, 10)
    assert images["items"]["properties"]["uri"]["x-media"] == "image"
    assert ad["properties"]["styleImages"]["maxItems"] == 4
    duration = ad["properties"]["duration"]
    assert (duration["minimum"], duration["maximum"], duration["default"]) == (4, 15, 10)
    shots = SCHEMAS["recipes/multi_shot_video"]
    assert set(shots) == {"auto", "custom"}  # keyed by `mode`, which tells its variants apart
    assert shots["custom"]["properties"]["shots"]["minItems"] == 3
    swap = SCHEMAS["recipes/product_swap"]["default"]["properties"]
    assert swap["referenceVideo"]["properties"]["uri"]["x-media"] == "video"
    stock = SCHEMAS["recipes/marketing_stock_image"]["default"]["properties"]
    assert (stock["outputCount"]["minimum"], stock["outputCount"]["maximum"]) == (1, 4)


def test_the_facts_read_by_hand_from_runwayml_5_24_0() -> None:
    """Read off the SDK's source by a person, so a generator bug cannot hide."""
    act_two = SCHEMAS["character_performance"]["act_two"]
    assert act_two["required"] == ["character", "model", "reference"]
    assert act_two["properties"]["expressionIntensity"] | {"description": ""} == {
        "type": "integer",
        "minimum": 1,
        "maximum": 5,
        "description": "",
    }
    image, video = act_two["properties"]["character"]["anyOf"]
    assert image["properties"]["type"]["enum"] == ["image"]
    assert image["properties"]["uri"]["x-media"] == "image"
    assert video["properties"]["uri"]["x-media"] == "video"
    aleph = SCHEMAS["video_to_video"]["aleph2"]["properties"]
    assert aleph["keyframes"]["maxItems"] == 5
    by_seconds, by_fraction = aleph["keyframes"]["items"]["anyOf"]
    assert by_seconds["required"] == ["seconds", "uri"]
    assert (
        by_fraction["properties"]["at"]["minimum"],
        by_fraction["properties"]["at"]["maximum"],
    ) == (0, 1)
    assert aleph["promptText"]["minLength"] == 1 and "maxLength" not in aleph["promptText"]
    assert aleph["proresProfile"]["default"] == "4444"
    kling = SCHEMAS["video_to_video"]["klingO3_pro"]["properties"]
    assert kling["references"]["anyOf"][1]["maxItems"] == 4
    assert kling["providerSettings"]["properties"]["keepOriginalSound"]["default"] is True
    seedance = SCHEMAS["video_to_video"]["seedance2"]["properties"]
    assert seedance["promptText"]["maxLength"] == 3500
    assert seedance["duration"]["anyOf"] == [{"type": "integer"}, {"enum": ["auto"]}]
    assert SCHEMAS["video_to_video"]["kling_4"]["properties"]["references"]["maxItems"] == 10
    upscale = SCHEMAS["image_upscale"]["magnific_precision_upscaler_v2"]
    assert upscale["required"] == ["imageUri", "model"]
    assert upscale["properties"]["scaleFactor"]["enum"] == [2, 4, 8, 16]
    assert upscale["properties"]["scaleFactor"]["default"] == 2
    assert upscale["properties"]["sharpen"]["maximum"] == 100
    hdr = SCHEMAS["video_to_hdr"]["ruby"]
    assert hdr["required"] == ["model", "videoUri"]
    assert hdr["properties"]["outputFormat"]["enum"][0] == "hdr10"
