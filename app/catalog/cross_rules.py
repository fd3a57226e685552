"""Rules between fields that the SDK's docstrings state and its types (so the schema) cannot.

A JSON Schema per model says what each field holds; a sentence such as "Only valid when
`outputFormat` is `prores`" or "All keyframes must either set a range or none may" ties two
fields together. Those are kept here by hand, each with the docstring sentence it comes from
(`source`; tests/catalog/test_cross_rules.py fails when the installed SDK no longer says
it), as data: the console checks a body against them (app/catalog/rule_check.py, called by
schema_check.py) and the simulator with its own code (app/simulator/cross_checks.py), as it
does the schemas.

Paths are dotted (`providerSettings.multiPrompt`); a rule whose fields a body does not hold
says nothing, so a rule applies to every model of its endpoint that has them.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class OnlyWhen:
    """`field` may be set only when `other` is one of `values`."""

    field: str
    other: str
    values: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class AllOrNone:
    """Every item of the list `items` sets `key`, or none does."""

    items: str
    key: str
    source: str


@dataclass(frozen=True)
class WithinRange:
    """Each item's timestamp `at` falls in its own window `window` (`start_seconds` to
    `end_seconds`, the end excluded), and the window ends after it starts."""

    items: str
    at: str
    window: str
    source: str


@dataclass(frozen=True)
class SumBetween:
    """The items' `key` values add up to `low`..`high`."""

    items: str
    key: str
    low: int
    high: int
    source: str


Rule = OnlyWhen | AllOrNone | WithinRange | SumBetween
RANGE_SENTENCE = "All keyframes must either set a range or none may."
RULES: dict[str, tuple[Rule, ...]] = {
    "video_to_video": (
        OnlyWhen(
            "proresProfile",
            "outputFormat",
            ("prores",),
            "Only valid when `outputFormat` is `prores`.",
        ),
        AllOrNone("keyframes", "range", RANGE_SENTENCE),
        WithinRange("keyframes", "seconds", "range", "the keyframe timestamp must fall within it."),
        SumBetween(
            "providerSettings.multiPrompt",
            "duration",
            3,
            15,
            "Total duration across all segments must be between 3 and 15 seconds.",
        ),
    ),
    "video_to_hdr": (
        OnlyWhen(
            "proresProfile",
            "outputFormat",
            ("hdr_prores",),
            "Only valid when `outputFormat` is `hdr_prores`.",
        ),
    ),
}
