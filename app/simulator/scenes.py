"""Pictures from text, for the simulator's text_to_image and text_to_video.

A landscape painted from the prompt and the seed: the same pair always paints the same picture,
another seed another one. A few words of the prompt steer it (night, dawn, sunset, forest, sea,
snow, desert), so "a harbour at night" looks like night; the rest is the seed's choice. Layered
ridges fading with distance give the camera's parallax something to show.
"""

import math
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter

Colour = tuple[int, int, int]


@dataclass(frozen=True)
class Palette:
    """Sky from top to horizon, the sun or moon, and the nearest ridge (far ones fade to sky)."""

    sky_top: Colour
    sky_horizon: Colour
    light: Colour
    ground: Colour
    stars: bool = False


PALETTES = {
    "night": Palette((8, 12, 40), (40, 50, 100), (235, 235, 210), (10, 16, 30), stars=True),
    "dawn": Palette((90, 110, 190), (250, 190, 150), (255, 240, 200), (40, 50, 70)),
    "sunset": Palette((60, 40, 110), (250, 130, 70), (255, 210, 120), (35, 25, 45)),
    "forest": Palette((120, 170, 210), (210, 230, 220), (255, 250, 220), (20, 60, 30)),
    "sea": Palette((70, 140, 210), (190, 220, 240), (255, 250, 230), (20, 60, 90)),
    "snow": Palette((130, 170, 220), (230, 240, 250), (255, 255, 245), (200, 210, 225)),
    "desert": Palette((90, 150, 220), (245, 215, 170), (255, 245, 210), (150, 90, 50)),
}
KEYWORDS = {
    "night": ("night", "moon", "star", "midnight", "dark"),
    "dawn": ("dawn", "morning", "sunrise", "mist"),
    "sunset": ("sunset", "dusk", "evening", "golden"),
    "forest": ("forest", "tree", "wood", "jungle", "green"),
    "sea": ("sea", "ocean", "lake", "harbour", "harbor", "beach", "river", "water"),
    "snow": ("snow", "winter", "ice", "glacier", "alps"),
    "desert": ("desert", "dune", "sand", "canyon"),
}


def _palette(prompt: str, rng: random.Random) -> Palette:
    words = prompt.lower()
    for name, hints in KEYWORDS.items():
        if any(hint in words for hint in hints):
            return PALETTES[name]
    return PALETTES[rng.choice(sorted(PALETTES))]


def _mix(a: Colour, b: Colour, t: float) -> Colour:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def _ridge(rng: random.Random, width: int, base: float, height: float) -> list[tuple[float, float]]:
    """A skyline: a few sines of random phase, so every seed has its own mountains."""
    waves = [
        (rng.uniform(0.5, 3.0), rng.uniform(0, math.tau), rng.uniform(0.3, 1.0)) for _ in range(4)
    ]
    total = sum(amplitude for _, _, amplitude in waves)
    points = []
    for x in range(0, width + 8, 8):
        u = x / width
        wave = sum(a * math.sin(math.tau * f * u + p) for f, p, a in waves) / total
        points.append((float(x), base - height * (0.5 + 0.5 * wave)))
    return points


def paint_scene(prompt: str, seed: int, size: tuple[int, int]) -> Image.Image:
    """The picture for this prompt and seed, at `size`."""
    rng = random.Random(f"{seed}:{prompt}")
    palette = _palette(prompt, rng)
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    horizon = height * rng.uniform(0.5, 0.68)
    for y in range(height):
        draw.line(
            [(0, y), (width, y)],
            fill=_mix(palette.sky_top, palette.sky_horizon, min(1, y / horizon)),
        )
    if palette.stars:
        for _ in range(width * height // 4000):
            x, y = rng.uniform(0, width), rng.uniform(0, horizon * 0.8)
            draw.point((x, y), fill=(255, 255, 240))
    radius = min(width, height) * rng.uniform(0.05, 0.09)
    cx, cy = width * rng.uniform(0.15, 0.85), horizon * rng.uniform(0.25, 0.7)
    for ring in range(6, 0, -1):  # a soft glow, then the disc
        glow = _mix(palette.sky_horizon, palette.light, 0.1 * (7 - ring))
        r = radius * (1 + ring * 0.15)
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=glow)
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=palette.light)
    layers = rng.randint(3, 5)
    for layer in range(layers):
        depth = (layer + 1) / layers  # 1 is nearest
        colour = _mix(palette.sky_horizon, palette.ground, 0.35 + 0.65 * depth)
        base = horizon + (height - horizon) * 0.55 * depth
        ridge = _ridge(rng, width, base, height * rng.uniform(0.12, 0.28) * (1.2 - depth * 0.5))
        draw.polygon([(0, height), *ridge, (width, height)], fill=colour)
    return image.filter(ImageFilter.SMOOTH)
