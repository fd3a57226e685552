"""Draw the built-in sample frames (app/frames/samples.py) into static/samples/, with Pillow alone.

Every picture is made here from gradients and shapes, so the samples belong to the project and
carry its licence. The drawing is seeded, so a re-run gives the same scenes (only the film
grain differs).

Usage: python scripts/make_samples.py
"""

import itertools
import math
import random
import sys
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.frames.samples import SAMPLE_SIZE, SAMPLES  # noqa: E402

W, H = SAMPLE_SIZE
RGB = tuple[int, int, int]
Stops = list[tuple[float, RGB]]


def mix(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(int(a[i] + (b[i] - a[i]) * t) for i in range(3))  # type: ignore[return-value]


def gradient(stops: Stops, size: tuple[int, int] = (W, H)) -> Image.Image:
    """A vertical gradient through colour stops at fractions of the height."""
    column = Image.new("RGB", (1, size[1]))
    for y in range(size[1]):
        t = y / max(1, size[1] - 1)
        for (p0, c0), (p1, c1) in itertools.pairwise(stops):
            if p0 <= t <= p1:
                column.putpixel((0, y), mix(c0, c1, (t - p0) / max(1e-6, p1 - p0)))
                break
        else:
            column.putpixel((0, y), stops[0][1] if t < stops[0][0] else stops[-1][1])
    return column.resize(size, Image.Resampling.BILINEAR)


def glow(image: Image.Image, center: tuple[float, float], radius: float, color: RGB, power: float):
    """A soft light: a radial falloff added onto the picture."""
    side = int(radius * 2)
    falloff = Image.radial_gradient("L").resize((side, side), Image.Resampling.BILINEAR)
    mask = falloff.point(lambda v: int(255 * power * max(0.0, 1 - v / 180) ** 2))
    layer = Image.new("RGB", image.size, (0, 0, 0))
    full = Image.new("L", image.size, 0)
    full.paste(mask, (int(center[0] - radius), int(center[1] - radius)))
    layer.paste(Image.new("RGB", image.size, color), (0, 0), full)
    return ImageChops.add(image, layer)


def ridge(rng: random.Random, base: float, amp: float, waves: int = 4) -> list[tuple[float, float]]:
    """A skyline of summed sines across the width."""
    parts = [
        (rng.uniform(0.5, 1.0) / k, rng.uniform(0.002, 0.004) * k, rng.uniform(0, 6.3))
        for k in range(1, waves + 1)
    ]
    return [
        (x, base - amp * sum(a * math.sin(f * x + p) for a, f, p in parts))
        for x in range(-10, W + 20, 8)
    ]


def peaks(rng: random.Random, base: float, amp: float) -> list[tuple[float, float]]:
    """A mountain range: |sin| waves have sharp tops where smooth sines have round ones."""
    parts = [
        (1.0, 0.0045, rng.uniform(0, 6.3)),
        (0.45, 0.011, rng.uniform(0, 6.3)),
        (0.12, 0.045, rng.uniform(0, 6.3)),
    ]
    return [
        (x, base - amp * sum(a * (1 - abs(math.sin(f * x + p))) for a, f, p in parts))
        for x in range(-10, W + 20, 4)
    ]


def fill_below(image: Image.Image, line: list[tuple[float, float]], color, blur: float = 0):
    """Fill everything under a line; a blur softens the edge (haze, distance)."""
    mask = Image.new("L", image.size, 0)
    ImageDraw.Draw(mask).polygon([(-10, H + 10), *line, (W + 20, H + 10)], fill=255)
    if blur:
        mask = mask.filter(ImageFilter.GaussianBlur(blur))
    image.paste(Image.new("RGB", image.size, color), (0, 0), mask)


def reflect(image: Image.Image, horizon: int, dim: float, tint: RGB, ripple: float = 3.0):
    """Water: the picture above the horizon mirrored below it, darker, tinted and rippled."""
    above = image.crop((0, max(0, 2 * horizon - H), W, horizon)).transpose(
        Image.Transpose.FLIP_TOP_BOTTOM
    )
    above = Image.blend(above, Image.new("RGB", above.size, tint), 1 - dim)
    water = Image.new("RGB", (W, H - horizon), tint)
    water.paste(above, (0, 0))  # under the shifted rows, so no edge shows where they moved
    for y in range(min(above.height, water.height)):
        shift = int(ripple * (1 + y / 60) * math.sin(y * 0.45))
        water.paste(above.crop((0, y, W, y + 1)), (shift, y))
    image.paste(water.filter(ImageFilter.GaussianBlur(1.2)), (0, horizon))


def grain(image: Image.Image, sigma: float = 4) -> Image.Image:
    """A little film grain, so smooth gradients do not band in a JPEG."""
    noise = Image.effect_noise((W, H), sigma).convert("RGB")
    return ImageChops.add(image, noise, scale=1.0, offset=-128)


def stars(image: Image.Image, rng: random.Random, count: int, bottom: int) -> None:
    draw = ImageDraw.Draw(image)
    for _ in range(count):
        x, y, b = rng.uniform(0, W), rng.uniform(0, bottom), rng.randint(120, 255)
        r = rng.choice((0.6, 0.8, 1.0, 1.4))
        draw.ellipse([x - r, y - r, x + r, y + r], fill=(b, b, min(255, b + 20)))


def pine(draw: ImageDraw.ImageDraw, x: float, base: float, height: float, color) -> None:
    """A stylised pine: three stacked triangles."""
    for step in range(3):
        top = base - height * (1 - step * 0.28)
        half = height * (0.22 + step * 0.06)
        draw.polygon(
            [(x, top), (x - half, top + height * 0.5), (x + half, top + height * 0.5)], fill=color
        )
    draw.rectangle([x - height * 0.03, base - height * 0.15, x + height * 0.03, base], fill=color)


def harbour(t: float) -> Image.Image:
    rng = random.Random(1)
    horizon = int(H * 0.6)
    image = gradient(
        [
            (0, mix((24, 34, 82), (70, 120, 190), t)),
            (0.3, mix((118, 80, 140), (150, 170, 215), t)),
            (0.52, mix((238, 130, 110), (250, 200, 160), t)),
            (0.6, (255, 196, 128)),
            (1, (40, 30, 60)),
        ]
    )
    sun = (W * 0.62, horizon - 20 - t * 190)
    image = glow(image, sun, 360, (120, 70, 30), 1.0)
    ImageDraw.Draw(image).ellipse(
        [sun[0] - 36, sun[1] - 36, sun[0] + 36, sun[1] + 36], fill=(255, 240, 200)
    )
    fill_below(image, ridge(rng, horizon - 26, 22), mix((92, 70, 110), (110, 120, 150), t), 2)
    fill_below(image, ridge(rng, horizon - 8, 10), mix((60, 46, 84), (80, 90, 120), t), 1)
    draw = ImageDraw.Draw(image)
    for x in range(80, 420, 34):  # a village on the far shore
        h = rng.randint(14, 30)
        draw.rectangle([x, horizon - 8 - h, x + 24, horizon], fill=(48, 38, 70))
        draw.polygon(
            [(x - 3, horizon - 8 - h), (x + 12, horizon - 20 - h), (x + 27, horizon - 8 - h)],
            fill=(48, 38, 70),
        )
    reflect(image, horizon, 0.7, (36, 30, 62))
    draw = ImageDraw.Draw(image)
    for _ in range(260):  # the sun's path on the water
        y = rng.uniform(horizon + 2, H)
        spread = 20 + (y - horizon) * 0.5
        x = rng.gauss(sun[0], spread / 2)
        length = rng.uniform(6, 24) * (1 + (y - horizon) / 200)
        bright = max(0, 1 - (y - horizon) / (H - horizon)) * 0.9 + 0.1
        draw.line(
            [(x, y), (x + length, y)], fill=mix((90, 60, 70), (255, 220, 170), bright), width=2
        )
    hull = (22, 18, 34)
    for bx, by, s in ((300, 560, 1.0), (860, 620, 1.35), (1100, 540, 0.7)):
        draw.polygon(
            [
                (bx - 70 * s, by),
                (bx + 70 * s, by),
                (bx + 52 * s, by + 16 * s),
                (bx - 56 * s, by + 16 * s),
            ],
            fill=hull,
        )
        draw.line([(bx, by), (bx, by - 150 * s)], fill=hull, width=max(2, int(3 * s)))
        draw.polygon([(bx + 3, by - 146 * s), (bx + 3, by - 8), (bx + 66 * s, by - 8)], fill=hull)
        draw.polygon([(bx - 3, by - 120 * s), (bx - 3, by - 8), (bx - 44 * s, by - 8)], fill=hull)
    for x in range(0, 300, 46):  # a pier in front
        draw.rectangle([x, 650, x + 8, H], fill=(18, 14, 26))
    draw.rectangle([0, 640, 320, 654], fill=(18, 14, 26))
    for bx, by in ((520, 180), (560, 200), (590, 170)):
        draw.line([(bx - 12, by - 6), (bx, by), (bx + 12, by - 6)], fill=(40, 30, 60), width=3)
    return grain(image)


def alpine_lake(t: float) -> Image.Image:
    rng = random.Random(2)
    horizon = int(H * 0.62)
    image = gradient([(0, (38, 104, 186)), (0.55, (160, 204, 238)), (1, (200, 225, 240))])
    clouds = Image.new("L", (W, H), 0)
    cd = ImageDraw.Draw(clouds)
    for _ in range(14):
        x, y = rng.uniform(0, W), rng.uniform(40, 220)
        cd.ellipse([x - 120, y - 26, x + 120, y + 26], fill=rng.randint(120, 200))
    image.paste((255, 255, 255), (0, 0), clouds.filter(ImageFilter.GaussianBlur(22)))
    tops = peaks(rng, horizon - 60, 150)
    fill_below(image, tops, (112, 132, 170), 1)
    snow = Image.new("L", (W, H), 0)
    line = horizon - 150
    band = [(x, y + max(0.0, line - y) * 0.8 + 2 * math.sin(x / 9)) for x, y in tops]
    ImageDraw.Draw(snow).polygon([*tops, *reversed(band)], fill=255)
    image.paste((240, 246, 252), (0, 0), snow.filter(ImageFilter.GaussianBlur(2)))
    fill_below(image, ridge(rng, horizon - 50, 40), (60, 92, 104), 1)
    mist = Image.new("L", (W, H), 0)
    ImageDraw.Draw(mist).rectangle([0, horizon - 40, W, horizon - 10], fill=110)
    image.paste((220, 232, 240), (0, 0), mist.filter(ImageFilter.GaussianBlur(16)))
    draw = ImageDraw.Draw(image)
    for x in range(-20, W + 20, 14):
        if 380 < x < 880 and rng.random() < 0.75:
            continue
        pine(draw, x + rng.uniform(-5, 5), horizon, rng.uniform(40, 110), (22, 52, 44))
    reflect(image, horizon, 0.78, (30, 70, 96), ripple=2)
    return grain(image)


def city_night(t: float) -> Image.Image:
    rng = random.Random(3)
    horizon = int(H * 0.7)
    image = gradient(
        [(0, (6, 8, 28)), (0.5, (30, 26, 74)), (0.7, (120, 66, 96)), (1, (10, 10, 26))]
    )
    stars(image, rng, 220, horizon - 200)
    moon = (W * 0.8, 140)
    image = glow(image, moon, 220, (60, 60, 80), 1.0)
    draw = ImageDraw.Draw(image)
    draw.ellipse([moon[0] - 44, moon[1] - 44, moon[0] + 44, moon[1] + 44], fill=(246, 240, 220))
    for dx, dy, r in ((-12, -10, 9), (14, 8, 12), (-6, 20, 6)):
        draw.ellipse(
            [moon[0] + dx - r, moon[1] + dy - r, moon[0] + dx + r, moon[1] + dy + r],
            fill=(226, 220, 200),
        )
    for layer, (color, lit, lo, hi) in enumerate(
        (((38, 32, 76), 0.15, 80, 240), ((16, 15, 38), 0.35, 60, 300))
    ):
        x = -20
        while x < W:
            width = rng.randint(50, 110)
            top = horizon - rng.randint(lo, hi)
            draw.rectangle([x, top, x + width, horizon], fill=color)
            if layer and rng.random() < 0.2:
                draw.polygon(
                    [(x + width / 2 - 6, top), (x + width / 2, top - 70), (x + width / 2 + 6, top)],
                    fill=color,
                )
                draw.ellipse(
                    [x + width / 2 - 3, top - 76, x + width / 2 + 3, top - 70], fill=(255, 60, 60)
                )
            for wy in range(top + 10, horizon - 8, 14):
                for wx in range(x + 8, x + width - 8, 12):
                    if rng.random() < lit:
                        warm = mix((255, 200, 110), (180, 220, 255), rng.random() * 0.4)
                        draw.rectangle(
                            [wx, wy, wx + 5, wy + 7], fill=warm if layer else mix(warm, color, 0.5)
                        )
            x += width + rng.randint(0, 10)
    reflect(image, horizon, 0.85, (8, 10, 26), ripple=5)
    return grain(image, 5)


def desert(t: float) -> Image.Image:
    rng = random.Random(4)
    image = gradient(
        [
            (0, mix((54, 50, 120), (36, 30, 90), t)),
            (0.35, mix((214, 120, 110), (170, 80, 100), t)),
            (0.55, (255, 196, 130)),
            (1, (200, 120, 70)),
        ]
    )
    sun = (W * 0.3, H * 0.36 + t * 120)
    image = glow(image, sun, 300, (110, 60, 20), 1.0)
    ImageDraw.Draw(image).ellipse(
        [sun[0] - 50, sun[1] - 50, sun[0] + 50, sun[1] + 50], fill=(255, 236, 190)
    )
    layers = (
        (0.52, 22, (214, 140, 120)),
        (0.6, 40, (226, 150, 96)),
        (0.72, 60, (214, 128, 74)),
        (0.86, 70, (190, 104, 58)),
    )
    for depth, amp, color in layers:
        crest = ridge(rng, H * depth, amp, 3)
        fill_below(image, crest, mix(color, (255, 190, 140), t * 0.2), 1)
        shade = [(x, y + 18 + amp * 0.6 * (1 + math.sin(x / 90))) for x, y in crest]
        mask = Image.new("L", (W, H), 0)
        ImageDraw.Draw(mask).polygon([*crest, *reversed(shade)], fill=120)
        image.paste(
            mix(color, (80, 36, 40), 0.55), (0, 0), mask.filter(ImageFilter.GaussianBlur(6))
        )
    draw = ImageDraw.Draw(image)
    for i in range(5):  # a caravan on the far crest
        x, y = 760 + i * 30, H * 0.52 - 30 + i * 1.5
        draw.ellipse([x - 10, y - 8, x + 10, y + 4], fill=(70, 34, 40))
        draw.line([(x + 8, y - 2), (x + 14, y - 14)], fill=(70, 34, 40), width=3)
        draw.line([(x - 6, y), (x - 6, y + 12)], fill=(70, 34, 40), width=2)
        draw.line([(x + 6, y), (x + 6, y + 12)], fill=(70, 34, 40), width=2)
    return grain(image)


def northern_lights(t: float) -> Image.Image:
    rng = random.Random(5)
    image = gradient([(0, (4, 8, 24)), (0.6, (10, 36, 60)), (1, (20, 40, 70))])
    stars(image, rng, 260, H * 0.7)
    aurora = Image.new("RGB", (W, H), (0, 0, 0))
    draw = ImageDraw.Draw(aurora)
    for band, color in enumerate(((50, 255, 150), (40, 200, 190), (170, 90, 255))):
        phase = rng.uniform(0, 6)
        base = 180 + band * 70
        for x in range(0, W, 4):
            y = base + 60 * math.sin(x / 210 + phase) + 25 * math.sin(x / 70 + phase * 2)
            height = 120 + 60 * math.sin(x / 130 + band)
            for k in range(0, int(height), 6):
                fade = min(1.0, (1 - k / height) ** 1.4 * (1.5 if band < 2 else 0.9))
                draw.line([(x, y - k), (x + 3, y - k)], fill=mix((0, 0, 0), color, fade))
    aurora = aurora.filter(ImageFilter.GaussianBlur(7))
    image = ImageChops.screen(image, ImageChops.screen(aurora, aurora))
    fill_below(image, ridge(rng, H * 0.74, 30), (150, 170, 205), 1)
    fill_below(image, ridge(rng, H * 0.84, 26), (205, 218, 238), 1)
    draw = ImageDraw.Draw(image)
    for x in range(-10, W, 22):
        if rng.random() < 0.5:
            pine(draw, x, H * 0.8 + rng.uniform(-8, 8), rng.uniform(40, 90), (14, 24, 40))
    cabin = (880, H * 0.86)
    image = glow(image, (cabin[0] + 30, cabin[1] - 24), 120, (120, 70, 10), 0.9)
    draw = ImageDraw.Draw(image)
    draw.rectangle([cabin[0], cabin[1] - 50, cabin[0] + 80, cabin[1]], fill=(40, 26, 30))
    draw.polygon(
        [
            (cabin[0] - 12, cabin[1] - 48),
            (cabin[0] + 40, cabin[1] - 86),
            (cabin[0] + 92, cabin[1] - 48),
        ],
        fill=(230, 238, 250),
    )
    draw.rectangle(
        [cabin[0] + 18, cabin[1] - 36, cabin[0] + 40, cabin[1] - 18], fill=(255, 196, 100)
    )
    return grain(image, 5)


def misty_forest(t: float) -> Image.Image:
    rng = random.Random(6)
    image = gradient([(0, (214, 222, 212)), (0.6, (190, 204, 190)), (1, (150, 170, 150))])
    image = glow(image, (W * 0.2, -40), 520, (50, 46, 20), 1.0)
    for row in range(6):
        depth = row / 5
        color = mix((172, 188, 178), (20, 40, 32), depth**0.8)
        base = H * (0.42 + depth * 0.5)
        draw = ImageDraw.Draw(image)
        for x in range(-30, W + 30, int(26 + 20 * depth)):
            pine(
                draw,
                x + rng.uniform(-10, 10),
                base + rng.uniform(-12, 12),
                rng.uniform(110, 180) * (0.6 + depth * 0.9),
                color,
            )
        draw.rectangle([0, base, W, H], fill=color)
        mist = Image.new("L", (W, H), 0)
        ImageDraw.Draw(mist).rectangle([0, base - 40, W, base + 10], fill=int(150 - 80 * depth))
        image.paste((226, 232, 222), (0, 0), mist.filter(ImageFilter.GaussianBlur(24)))
    rays = Image.new("L", (W, H), 0)
    rd = ImageDraw.Draw(rays)
    for x in (120, 300, 420, 640):
        rd.polygon([(x, -10), (x + 60, -10), (x + 520, H), (x + 380, H)], fill=60)
    image.paste((255, 246, 210), (0, 0), rays.filter(ImageFilter.GaussianBlur(30)))
    return grain(image)


def coral_reef(t: float) -> Image.Image:
    rng = random.Random(7)
    image = gradient([(0, (40, 170, 210)), (0.45, (12, 92, 150)), (1, (4, 40, 80))])
    rays = Image.new("L", (W, H), 0)
    rd = ImageDraw.Draw(rays)
    for x in range(-100, W, 160):
        rd.polygon([(x, 0), (x + 50, 0), (x + 260, H), (x + 170, H)], fill=70)
    image.paste((200, 240, 255), (0, 0), rays.filter(ImageFilter.GaussianBlur(26)))
    fill_below(image, ridge(rng, H * 0.84, 20), (196, 176, 130), 2)
    draw = ImageDraw.Draw(image)
    corals = ((255, 110, 130), (255, 160, 80), (180, 90, 200), (250, 210, 90))
    for cx in range(40, W, 110):
        color = rng.choice(corals)
        base = H * 0.86 + rng.uniform(-10, 14)
        for _ in range(7):
            angle = rng.uniform(-1.1, 1.1)
            length = rng.uniform(50, 130)
            x2 = cx + math.sin(angle) * length
            y2 = base - math.cos(angle) * length
            draw.line([(cx, base), (x2, y2)], fill=color, width=9)
            draw.ellipse([x2 - 9, y2 - 9, x2 + 9, y2 + 9], fill=color)
    for _ in range(16):
        x, y = rng.uniform(60, W - 60), rng.uniform(H * 0.25, H * 0.7)
        s = rng.uniform(0.6, 1.4)
        color = rng.choice(((255, 150, 40), (255, 220, 60), (80, 220, 255)))
        d = rng.choice((-1, 1))
        draw.ellipse([x - 22 * s, y - 10 * s, x + 22 * s, y + 10 * s], fill=color)
        draw.polygon(
            [(x - d * 18 * s, y), (x - d * 36 * s, y - 12 * s), (x - d * 36 * s, y + 12 * s)],
            fill=color,
        )
        draw.ellipse([x + d * 12 * s - 2, y - 4, x + d * 12 * s + 2, y], fill=(10, 20, 30))
    for _ in range(40):
        x, y, r = rng.uniform(0, W), rng.uniform(0, H * 0.8), rng.uniform(2, 7)
        draw.ellipse([x - r, y - r, x + r, y + r], outline=(200, 240, 255), width=1)
    return grain(image)


SCENES: dict[str, Callable[[float], Image.Image]] = {
    "harbour-dawn": harbour,
    "alpine-lake": alpine_lake,
    "city-night": city_night,
    "desert-dunes": desert,
    "northern-lights": northern_lights,
    "misty-forest": misty_forest,
    "coral-reef": coral_reef,
}


def save(image: Image.Image, path: Path, quality: int = 84) -> None:
    image.save(path, "JPEG", quality=quality, optimize=True, progressive=True)


def main() -> None:
    out = ROOT / "static" / "samples"
    out.mkdir(parents=True, exist_ok=True)
    for sample in SAMPLES:
        first = SCENES[sample.slug](0.0)
        save(first, out / sample.file("first"))
        thumb = first.copy()
        thumb.thumbnail((320, 320))
        save(thumb, out / sample.file("thumb"), 78)
        pick = first.copy()
        pick.thumbnail((224, 224))
        save(pick, out / sample.file("pick"), 75)
        if sample.has_last:
            save(SCENES[sample.slug](1.0), out / sample.file("last"))
    print("wrote", len(list(out.glob("*.jpg"))), "files to", out)


if __name__ == "__main__":
    main()
