"""Plain-language explanations of Runway failure codes and HTTP errors (docs/runway-api.md)."""

from app.core.i18n import N_
from app.core.i18n import gettext as _

FAILURE_HINTS: tuple[tuple[str, str], ...] = (
    (
        "SAFETY.",
        N_(
            "Content moderation refused the prompt, an image or the result. Change the "
            "prompt or the image; retrying as it is will fail again."
        ),
    ),
    (
        "INPUT_PREPROCESSING.SAFETY",
        N_(
            "Content moderation refused the prompt text. Reword it; retrying as it is will "
            "fail again."
        ),
    ),
    (
        "INTERNAL.BAD_OUTPUT",
        N_(
            "The result failed Runway's quality check (for example text overlaid on the image). "
            "Try other frames or another prompt."
        ),
    ),
    (
        "ASSET.INVALID",
        N_(
            "An input could not be used: check the image's format and size, and that its URL is "
            "public https and needs no redirect."
        ),
    ),
    (
        "INPUT_PREPROCESSING.INTERNAL",
        N_("A service-side problem while preparing the inputs. Retry later."),
    ),
    ("THIRD_PARTY.UNAVAILABLE", N_("A service Runway depends on is unavailable. Retry later.")),
    ("INTERNAL", N_("A service-side problem. Retry later; it is not caused by your inputs.")),
)

HTTP_HINTS = {
    400: N_("The upstream refused the request's fields; its message names the problem."),
    401: N_("The key was refused: check it, and that it belongs to this API address."),
    403: N_("The key may not do this (or the output link expired)."),
    404: N_("Unknown task or wrong API address: check the address (relays use /runwayml/v1)."),
    405: N_("Wrong method for this address: the API address is probably not a Runway API."),
    429: N_("Too many requests or the daily limit reached: wait and retry."),
    500: N_("The upstream failed. Retry later."),
    502: N_("The upstream's gateway failed. Retry later."),
    503: N_("The upstream is overloaded or down. Retry later."),
    504: N_("The upstream timed out. Retry later."),
}


def failure_hint(code: str | None) -> str:
    """What a failureCode means and what to do; unknown codes get a generic hint."""
    if not code:
        return _(
            "The task failed without a code; read the failure text, then retry or change inputs."
        )
    for prefix, hint in FAILURE_HINTS:
        if code == prefix.rstrip(".") or code.startswith(prefix):
            return _(hint)
    return _(
        "Unrecognised failure code {code}: read the failure text; retry once, then change inputs.",
        code=code,
    )


def http_hint(status: int | None) -> str:
    if status is None:
        return _("The upstream could not be reached: check the address and the network.")
    return _(HTTP_HINTS.get(status, N_("The upstream answered with an error; see its message.")))
