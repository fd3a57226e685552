"""Why an action did not happen, as the fragment that says so: one place for every page route.

Routes catch `REFUSALS` and hand the exception here, so each kind of refusal looks the same
wherever it happens (in the spirit of fasthx's one place that decides page or fragment):

- bad fields of a form: the form again, each field named and everything typed kept, swapped in
  over the form (nothing was sent);
- a refusal inside a panel (account, relay check): that panel, with the message in it;
- anything else: the refusal card, with the upstream's own words and a hint, "already being
  sent" for a repeated submit, or the id of a task created upstream but not yet recorded.
"""

from typing import Any

from fastapi import Request
from starlette.responses import Response

from app.catalog.failures import http_hint
from app.catalog.validation import Invalid
from app.runway.client import UpstreamError
from app.tasks.recording import TaskNotRecorded
from app.tasks.submit_tokens import AlreadySubmitted
from app.team.usage import OverBudget
from app.web.forms import FormState, attach_errors
from app.web.render import render

REFUSALS = (Invalid, UpstreamError, AlreadySubmitted, TaskNotRecorded, OverBudget)
REFUSAL_CARD = "console/_submit_error.html"


def refusal(
    request: Request,
    exc: Exception,
    *,
    form: FormState | None = None,
    panel: str | None = None,
    context: dict[str, Any] | None = None,
) -> Response:
    """The fragment for a refused action (see the module's docstring for which)."""
    if panel is not None:
        return render(request, panel, {**(context or {}), **_panel_error(exc)})
    if isinstance(exc, Invalid) and form is not None:
        attach_errors(form, exc.errors)
        return render(
            request,
            "console/_form.html",
            {"form": form, "oob_preview": True},
            headers={"HX-Retarget": "#gen-form", "HX-Reswap": "outerHTML"},
        )
    return render(request, REFUSAL_CARD, _card_context(exc))


def _panel_error(exc: Exception) -> dict[str, Any]:
    if isinstance(exc, Invalid):  # `refused`: a panel may leave the why to the address preview
        return {"error": exc.errors[0].message, "refused": True}
    if isinstance(exc, UpstreamError):
        return {"error": exc.message, "status": exc.status}
    return {"error": str(exc)}


def _card_context(exc: Exception) -> dict[str, Any]:
    if isinstance(exc, AlreadySubmitted):
        return {"error": None, "busy": True}
    if isinstance(exc, TaskNotRecorded):
        return {"not_recorded": exc.record.id, "reason": exc.reason}
    if isinstance(exc, OverBudget):
        return {"over_budget": exc}
    if isinstance(exc, UpstreamError):
        return {"error": exc, "hint": http_hint(exc.status)}
    raise exc  # bad fields with no form to name them on: not a refusal this helper shows
