"""The built-in sample frames: one set, one manifest, for the demo page and the console's slots.

The pictures are drawn by `scripts/make_samples.py` (made by the project, so licence-clean) at
1280×768, the size gen3a_turbo renders for 1280:768, and live in `static/samples/`. Titles and
prompts are shown in the page's language (a Chinese page offered English prompts); the prompt a
person sends is the one in their field.
"""

from dataclasses import dataclass
from pathlib import Path

from app.core.i18n import N_
from app.core.resources import resource_dir

SAMPLE_SIZE = (1280, 768)
SAMPLE_RATIO = "1280:768"


@dataclass(frozen=True)
class Sample:
    """One sample: a first frame, optionally a last frame, and a prompt that fits them."""

    slug: str
    title: str
    prompt: str
    has_last: bool = False

    def file(self, position: str = "first") -> str:
        """The file name under static/samples/ (`thumb` is a 320-wide preview of the first;
        `pick` a 224-wide one for the slots' sample buttons, shown at most ~75 CSS px wide, so
        sharp at 3× while a quarter of the page's first load is not spent on them)."""
        suffix = {"first": "", "last": "-last", "thumb": ".thumb", "pick": ".pick"}[position]
        return f"{self.slug}{suffix}.jpg"

    def static_path(self, position: str = "first") -> str:
        """The path for `static_url`, e.g. `samples/harbour-dawn.jpg`."""
        return f"samples/{self.file(position)}"


SAMPLES: tuple[Sample, ...] = (
    Sample(
        "harbour-dawn",
        N_("Harbour at dawn"),
        N_(
            "A slow dolly forward across a calm harbour at dawn, sailboats rocking gently, "
            "the sun rising and glittering on the water"
        ),
        has_last=True,
    ),
    Sample(
        "alpine-lake",
        N_("Alpine lake"),
        N_(
            "A gentle aerial glide over a still alpine lake, snowy peaks mirrored in the water, "
            "soft clouds drifting"
        ),
    ),
    Sample(
        "city-night",
        N_("City at night"),
        N_(
            "A slow pan along a city skyline at night, windows flickering on, the moon glowing, "
            "lights shimmering on the river"
        ),
    ),
    Sample(
        "desert-dunes",
        N_("Desert at dusk"),
        N_(
            "A smooth tracking shot over golden sand dunes at dusk, wind lifting fine sand from "
            "the crests as the sun sinks"
        ),
        has_last=True,
    ),
    Sample(
        "northern-lights",
        N_("Northern lights"),
        N_(
            "Green and violet northern lights ripple over snowy hills, a warm cabin light below, "
            "stars twinkling, slow push in"
        ),
    ),
    Sample(
        "misty-forest",
        N_("Forest in the mist"),
        N_(
            "Morning mist drifts between layers of pine trees, sunbeams slowly sweeping through, "
            "a calm crane shot upward"
        ),
    ),
    Sample(
        "coral-reef",
        N_("Coral reef"),
        N_(
            "Sunlight dances through clear blue water over a coral reef, small fish swimming past, "
            "bubbles rising, slow drift forward"
        ),
    ),
)

BY_SLUG = {sample.slug: sample for sample in SAMPLES}


def find_sample(slug: str) -> Sample | None:
    return BY_SLUG.get(slug)


def sample_file(sample: Sample, position: str = "first") -> Path:
    """The picture on disk, for a route that stores it as a frame."""
    return resource_dir("static") / "samples" / sample.file(position)
