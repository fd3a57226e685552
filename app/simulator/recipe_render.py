"""What the simulator's recipes make (recipes.py creates them), cheap and by seed.

- product_ad: the product photo moved by a seeded camera towards the first style image (the
  image-to-video renderer), at the ratio and for the seconds asked.
- product_ugc: the character, then the product, the same way (portrait).
- product_swap: the reference video in a seeded look (video_to_video's renderer).
- multi_shot_video: the first frame (or a scene painted from the story or the first shot)
  towards a scene painted from the last shot.
- ad_localization: the ad image with a band naming the target language.
- product_campaign_image, marketing_stock_image: a scene painted from the brief and the seed,
  the product photo or the logo on it. One image, whatever `outputCount` asks.
"""

from pathlib import Path
from threading import Event

from PIL import Image, ImageDraw, ImageFont, ImageOps

from app.catalog.models import ratio_shape
from app.simulator.camera import CameraPath
from app.simulator.media_render import input_image, render_transform
from app.simulator.scenes import paint_scene
from app.simulator.store import SimStore, SimTask
from app.simulator.video import output_size, placeholder_frame, render_video, source_size

PREFIX = "recipes/"
IMAGE_RECIPES = ("ad_localization", "product_campaign_image", "marketing_stock_image")
IMAGE_SIZE = (1024, 1024)


def is_recipe(kind: object) -> bool:
    return isinstance(kind, str) and kind.startswith(PREFIX)


def makes_image(kind: object) -> bool:
    return is_recipe(kind) and str(kind).removeprefix(PREFIX) in IMAGE_RECIPES


def _picture(store: SimStore, task: SimTask, role: str, size: tuple[int, int]) -> Image.Image:
    """An input image cover-cropped to `size`, or a placeholder that names what it was."""
    image = input_image(store, task, role)
    if image is not None:
        return ImageOps.fit(image, size, Image.Resampling.LANCZOS)
    found = task.extra.get("inputs", {}).get(role)
    return placeholder_frame(str(found[1]) if found else f"(no {role})", size)


def _scene(task: SimTask, shot: int, size: tuple[int, int]) -> Image.Image:
    recipe = task.extra.get("recipe", {})
    shots = recipe.get("shots") or []
    text = shots[shot].get("prompt", "") if shots else recipe.get("prompt", "")
    return paint_scene(str(text), task.seed + shot, size)


def _video(store: SimStore, task: SimTask, path: Path, stop: Event) -> None:
    name = str(task.extra["kind"]).removeprefix(PREFIX)
    if name == "product_swap":
        return render_transform(store, task, path, stop)
    size = output_size(*(ratio_shape(task.ratio) or (1280, 720)))
    frame = source_size(size)
    inputs = task.extra.get("inputs", {})
    if name == "multi_shot_video":
        first = _picture(store, task, "image", frame) if "image" in inputs else None
        first = first or _scene(task, 0, frame)
        last: Image.Image | None = _scene(task, -1, frame)
    elif name == "product_ugc":
        first = _picture(store, task, "character", frame)
        last = _picture(store, task, "image", frame)
    else:  # product_ad
        first = _picture(store, task, "image", frame)
        last = _picture(store, task, "style", frame) if "style" in inputs else None
    camera = CameraPath.from_seed(task.seed)
    render_video(first, last, size, task.duration or 10, path, camera, stop=stop)
    return None


def _band(picture: Image.Image, text: str) -> Image.Image:
    """A band across the bottom with `text`: the localized ad's new message, simulated."""
    draw = ImageDraw.Draw(picture)
    height = max(24, picture.height // 8)
    draw.rectangle((0, picture.height - height, picture.width, picture.height), (20, 20, 28))
    font = ImageFont.load_default(size=height // 2)
    draw.text((height // 2, picture.height - height * 3 // 4), text, font=font, fill="white")
    return picture


def _image(store: SimStore, task: SimTask, path: Path) -> None:
    name = str(task.extra["kind"]).removeprefix(PREFIX)
    recipe = task.extra.get("recipe", {})
    if name == "ad_localization":
        found = input_image(store, task, "image")
        if found is None:
            found = _picture(store, task, "image", IMAGE_SIZE)
        base = ImageOps.contain(found, IMAGE_SIZE)
        picture = _band(base.copy(), f"[{recipe.get('targetLanguage', '?')}]")
    else:
        picture = paint_scene(str(recipe.get("prompt", "")), task.seed, IMAGE_SIZE)
        inset = IMAGE_SIZE[0] // (2 if name == "product_campaign_image" else 5)
        if "image" in task.extra.get("inputs", {}):
            product = ImageOps.contain(_picture(store, task, "image", IMAGE_SIZE), (inset, inset))
            spot = (IMAGE_SIZE[0] - product.width) // 2 if inset > 300 else 24
            picture.paste(product, (spot, IMAGE_SIZE[1] - product.height - 24))
    temporary = path.with_suffix(".part")
    picture.save(temporary, "PNG", compress_level=1)
    temporary.replace(path)


def render_recipe(store: SimStore, task: SimTask, path: Path, stop: Event) -> None:
    """The recipe's output at `path`: a PNG for an image recipe, else an MP4."""
    if makes_image(task.extra.get("kind")):
        _image(store, task, path)
    else:
        _video(store, task, path, stop)
