"""The console's check of the rules between fields (app/catalog/cross_rules.py): each broken
rule is a FieldError naming the field as the API does (`keyframes[1].range`)."""

from typing import Any

from app.catalog.cross_rules import RULES, AllOrNone, OnlyWhen, Rule, WithinRange
from app.catalog.validation import FieldError
from app.core.i18n import gettext as _


def value_at(body: Any, path: str) -> Any:
    """The value at a dotted path, or None where the body has none."""
    for key in path.split("."):
        body = body.get(key) if isinstance(body, dict) else None
    return body


def _items(body: dict[str, Any], path: str) -> list[tuple[int, dict[str, Any]]]:
    found = value_at(body, path)
    if not isinstance(found, list):
        return []
    return [(i, item) for i, item in enumerate(found) if isinstance(item, dict)]


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _errors(rule: Rule, body: dict[str, Any]) -> list[FieldError]:
    if isinstance(rule, OnlyWhen):
        if value_at(body, rule.field) is None or value_at(body, rule.other) in rule.values:
            return []
        wanted = _(" or ").join(rule.values)
        return [
            FieldError(rule.field, _("only with {other} {values}", other=rule.other, values=wanted))
        ]
    items = _items(body, rule.items)
    if isinstance(rule, AllOrNone):
        having = [i for i, item in items if item.get(rule.key) is not None]
        if not having or len(having) == len(items):
            return []
        missing = next(i for i, item in items if item.get(rule.key) is None)
        return [
            FieldError(
                f"{rule.items}[{missing}].{rule.key}",
                _("every item sets {key}, or none does", key=rule.key),
            )
        ]
    if isinstance(rule, WithinRange):
        return [e for i, item in items for e in _window_errors(rule, i, item)]
    values = [item.get(rule.key) for _i, item in items]
    if not items or not all(_number(v) for v in values):
        return []
    total = sum(values)
    if rule.low <= total <= rule.high:
        return []
    message = _(
        "adds up to {n}; it must be from {low} to {high}", n=total, low=rule.low, high=rule.high
    )
    return [FieldError(rule.items, message)]


def _window_errors(rule: WithinRange, index: int, item: dict[str, Any]) -> list[FieldError]:
    window, at = item.get(rule.window), item.get(rule.at)
    if not isinstance(window, dict):
        return []
    start, end = window.get("start_seconds"), window.get("end_seconds")
    if not (_number(start) and _number(end)):
        return []
    here = f"{rule.items}[{index}]"
    if end <= start:
        return [FieldError(f"{here}.{rule.window}", _("ends before it starts"))]
    if _number(at) and not start <= at < end:
        message = _("must fall within its range ({start} to {end})", start=start, end=end)
        return [FieldError(f"{here}.{rule.at}", message)]
    return []


def rule_errors(body: dict[str, Any], endpoint: str) -> list[FieldError]:
    """Every cross-field rule of `endpoint` that `body` breaks, each naming its field."""
    return [e for rule in RULES.get(endpoint, ()) for e in _errors(rule, body)]
