"""The simulator's own check of the rules between fields (app/catalog/cross_rules.py).

The facts are the catalog's (each rule quotes the SDK docstring it comes from); this code is
the simulator's, so a console that got them wrong is caught here as it would be upstream. An
issue is worded the way the simulator words the schema's (`Expected ...`).
"""

from typing import Any

from app.catalog.cross_rules import RULES, AllOrNone, OnlyWhen, Rule, SumBetween, WithinRange
from app.simulator.checks import Issue

Path = tuple[str | int, ...]


def _at(body: Any, path: str) -> Any:
    for key in path.split("."):
        body = body.get(key) if isinstance(body, dict) else None
    return body


def _steps(path: str) -> Path:
    return tuple(path.split("."))


def _is_number(value: Any) -> bool:
    return type(value) in (int, float)


def _dicts(body: dict[str, Any], path: str) -> list[tuple[int, dict[str, Any]]]:
    found = _at(body, path)
    return (
        [(i, v) for i, v in enumerate(found) if isinstance(v, dict)]
        if isinstance(found, list)
        else []
    )


def _issues(rule: Rule, body: dict[str, Any]) -> list[Issue]:
    if isinstance(rule, OnlyWhen):
        if _at(body, rule.field) is None or _at(body, rule.other) in rule.values:
            return []
        return [
            Issue(_steps(rule.field), f"Only valid when {rule.other} is {' or '.join(rule.values)}")
        ]
    items = _dicts(body, rule.items)
    if isinstance(rule, AllOrNone):
        unset = [i for i, item in items if rule.key not in item]
        if not unset or len(unset) == len(items):
            return []
        return [
            Issue(
                (*_steps(rule.items), unset[0], rule.key),
                f"Expected {rule.key} on every item or on none",
            )
        ]
    if isinstance(rule, WithinRange):
        issues = []
        for i, item in items:
            window = item.get(rule.window)
            if not isinstance(window, dict):
                continue
            low, high, at = (
                window.get("start_seconds"),
                window.get("end_seconds"),
                item.get(rule.at),
            )
            if not (_is_number(low) and _is_number(high)):
                continue
            if high <= low:
                issues.append(
                    Issue(
                        (*_steps(rule.items), i, rule.window),
                        "Expected end_seconds after start_seconds",
                    )
                )
            elif _is_number(at) and not low <= at < high:
                issues.append(
                    Issue(
                        (*_steps(rule.items), i, rule.at),
                        f"Expected a timestamp within [{low}, {high})",
                    )
                )
        return issues
    assert isinstance(rule, SumBetween)
    values = [item.get(rule.key) for _i, item in items]
    if not values or not all(_is_number(v) for v in values) or rule.low <= sum(values) <= rule.high:
        return []
    return [
        Issue(_steps(rule.items), f"Expected a total {rule.key} from {rule.low} to {rule.high}")
    ]


def cross_issues(endpoint: str, body: dict[str, Any]) -> list[Issue]:
    """Every rule between `body`'s fields that it breaks."""
    return [issue for rule in RULES.get(endpoint, ()) for issue in _issues(rule, body)]
