"""The simulated camera: a move and its timing, chosen by the task's seed.

Side-by-side runs with different seeds are how a tester compares results, so on the simulator
a seed must show: it picks the kind of move (push in, pull back or drift), its direction and
amount, a parallax (the lower part of the picture, nearer the camera, slides further than the
top), when the move starts, its easing and when the last frame fades in. The same seed always
gives the same path, so a result can be reproduced.

Geometry is in fractions of the source picture: (0, 0) is its top-left corner, (1, 1) its
bottom-right. Every window stays inside the picture, so no frame shows an empty border.
"""

import math
import random
from dataclasses import dataclass

MOVES = ("push in", "pull back", "drift")
EASINGS = ("smooth", "early", "late")

Quad = tuple[float, float, float, float, float, float, float, float]


def _ease(kind: str, t: float) -> float:
    """0→1 over t in 0..1, with the path's character: even, quick then settling, or slow to
    start; every one starts and ends at rest or close to it, as a camera operator would."""
    t = min(1.0, max(0.0, t))
    if kind == "early":
        return 1 - (1 - t) ** 3
    if kind == "late":
        t = t**1.6
    return t * t * (3 - 2 * t)


@dataclass(frozen=True)
class CameraPath:
    """One seeded camera move, evaluated per frame by `window` and `fade`."""

    move: str
    zoom: float  # how far in the closest point of the move is (1.1 = 10 % closer)
    pan: tuple[float, float]  # how far the window's centre travels, in fractions of the picture
    parallax: float  # how much further the bottom edge slides than the top, horizontally
    hold: float  # the share of the video the camera waits before it moves
    easing: str
    fade: tuple[float, float]  # when the last frame fades in, as shares of the video

    @classmethod
    def from_seed(cls, seed: int) -> "CameraPath":
        rng = random.Random(seed)
        move = rng.choice(MOVES)
        zoom = rng.uniform(1.15, 1.35)
        angle = rng.randrange(8) * math.pi / 4 + rng.uniform(-0.3, 0.3)
        slack = 0.5 - 0.5 / zoom
        amount = rng.uniform(0.6, 0.95) * slack
        pan = (amount * math.cos(angle), amount * math.sin(angle))
        parallax = rng.uniform(0.6, 1.2) * pan[0]
        fade_start = rng.uniform(0.2, 0.5)
        return cls(
            move=move,
            zoom=zoom,
            pan=pan,
            parallax=parallax,
            hold=rng.uniform(0.0, 0.15),
            easing=rng.choice(EASINGS),
            fade=(fade_start, fade_start + rng.uniform(0.25, 0.45)),
        )

    def progress(self, t: float) -> float:
        """How far along the move the camera is at time t (0..1 of the video)."""
        return _ease(self.easing, (t - self.hold) / (1 - self.hold))

    def window(self, t: float) -> Quad:
        """The source quadrilateral shown at time t: upper-left, lower-left, lower-right,
        upper-right corners, as PIL's QUAD transform takes them (in fractions)."""
        e = self.progress(t)
        if self.move == "push in":
            zoom, shift = 1 + (self.zoom - 1) * e, e
        elif self.move == "pull back":
            zoom, shift = self.zoom - (self.zoom - 1) * e, 1 - e
        else:
            zoom, shift = self.zoom, 2 * e - 1
        # The window's room to move at this zoom; pan and parallax are scaled into it.
        room = (0.5 - 0.5 / zoom) / max(1e-9, _reach(self.pan, self.parallax))
        room = min(1.0, room)
        cx = 0.5 + self.pan[0] * shift * room
        cy = 0.5 + self.pan[1] * shift * room
        slide = self.parallax * shift * room / 2
        half = 0.5 / zoom
        top, bottom = cy - half, cy + half
        return (
            cx - half - slide,
            top,
            cx - half + slide,
            bottom,
            cx + half + slide,
            bottom,
            cx + half - slide,
            top,
        )

    def fade_in(self, t: float) -> float:
        """How much of the last frame shows at time t (0..1)."""
        start, end = self.fade
        return _ease("smooth", (t - start) / (end - start))


def _reach(pan: tuple[float, float], parallax: float) -> float:
    """The farthest a window edge travels from the centre: the larger of the two axes' needs."""
    return max(abs(pan[0]) + abs(parallax) / 2, abs(pan[1]))
