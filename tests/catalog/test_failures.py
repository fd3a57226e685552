"""Every failure code family and HTTP error has a plain explanation; unknown codes get one too."""

import pytest

from app.catalog.failures import failure_hint, http_hint


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("SAFETY.INPUT.TEXT", "moderation"),
        ("SAFETY.OUTPUT.VIDEO", "moderation"),
        ("INPUT_PREPROCESSING.SAFETY.TEXT", "Reword"),
        ("INTERNAL.BAD_OUTPUT.CODE01", "quality check"),
        ("ASSET.INVALID", "format and size"),
        ("INPUT_PREPROCESSING.INTERNAL", "Retry later"),
        ("THIRD_PARTY.UNAVAILABLE", "Retry later"),
        ("INTERNAL", "not caused by your inputs"),
        (None, "without a code"),
        ("SOMETHING.NEW", "Unrecognised failure code SOMETHING.NEW"),
    ],
)
def test_failure_codes_are_explained(code: str | None, words: str) -> None:
    assert words in failure_hint(code)


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (400, "fields"),
        (401, "check it"),
        (403, "may not"),
        (404, "/runwayml/v1"),
        (405, "not a Runway API"),
        (429, "wait and retry"),
        (500, "Retry later"),
        (502, "gateway"),
        (503, "overloaded"),
        (504, "timed out"),
        (418, "see its message"),
        (None, "could not be reached"),
    ],
)
def test_http_errors_are_explained(status: int | None, words: str) -> None:
    assert words in http_hint(status)
