"""The model catalog: what each Runway image-to-video model accepts and costs.

Data, not code: the form's options and the server's validation both read it, so adding a model
is one entry here. Prices are credits per generated second (1 credit = US$0.01); several are
estimates, and the page labels them so.
"""

from dataclasses import dataclass

from app.i18n import N_

SEED_MAX = 4_294_967_295
PROMPT_MAX_CHARS = 1000
USD_PER_CREDIT = 0.01

WIDE_RATIOS = ("1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672")
VEO_RATIOS = ("1280:720", "720:1280", "1080:1920", "1920:1080")


@dataclass(frozen=True)
class Model:
    """One model's rules, as RUNWAY_API.md states them."""

    name: str
    label: str
    ratios: tuple[str, ...]
    durations: tuple[int, ...]
    last_frame: bool
    prompt_required: bool
    credits_per_second: int
    price_is_estimate: bool = False
    note: str = ""

    @property
    def default_ratio(self) -> str:
        return self.ratios[0]

    @property
    def default_duration(self) -> int:
        return 5 if 5 in self.durations else self.durations[0]

    def credits(self, duration: int) -> int:
        return self.credits_per_second * duration


MODELS: dict[str, Model] = {
    m.name: m
    for m in (
        Model(
            "gen3a_turbo",
            "Gen-3 Alpha Turbo",
            ("1280:768", "768:1280"),
            (5, 10),
            last_frame=True,
            prompt_required=True,
            credits_per_second=5,
            note=N_("Relays; retired from the official API in 2026."),
        ),
        Model(
            "gen4_turbo",
            "Gen-4 Turbo",
            WIDE_RATIOS,
            tuple(range(2, 11)),
            last_frame=False,
            prompt_required=False,
            credits_per_second=5,
        ),
        Model(
            "gen4.5",
            "Gen-4.5",
            WIDE_RATIOS,
            tuple(range(2, 11)),
            last_frame=False,
            prompt_required=True,
            credits_per_second=12,
        ),
        Model(
            "veo3",
            "Veo 3",
            VEO_RATIOS,
            (8,),
            last_frame=False,
            prompt_required=False,
            credits_per_second=40,
        ),
        Model(
            "veo3.1",
            "Veo 3.1",
            VEO_RATIOS,
            (4, 6, 8),
            last_frame=True,
            prompt_required=False,
            credits_per_second=40,
            price_is_estimate=True,
        ),
        Model(
            "veo3.1_fast",
            "Veo 3.1 Fast",
            VEO_RATIOS,
            (4, 6, 8),
            last_frame=True,
            prompt_required=False,
            credits_per_second=15,
            price_is_estimate=True,
        ),
    )
}

DEFAULT_MODEL = "gen3a_turbo"


def ratio_size(ratio: str) -> tuple[int, int]:
    """Parse `W:H` into integers; raises ValueError for anything else."""
    width, _, height = ratio.partition(":")
    w, h = int(width), int(height)
    if w <= 0 or h <= 0:
        raise ValueError(ratio)
    return w, h


def ratio_orientation(ratio: str) -> str:
    w, h = ratio_size(ratio)
    return N_("landscape") if w > h else N_("portrait") if h > w else N_("square")
