"""Checks on the numbers and the order of one topic's advice rules.

- A rule must not ask more weekly hours than the least-endowed client it accepts has: a rule
  that takes clients with "practically none" (under 0.5 h) but asks 1.5 h a week promises what
  they cannot give. When `weekly_hours` is not in its `when`, every client is accepted, down to
  the lowest hours choice.
- A rule must be reachable: if an earlier rule accepts every profile this one accepts, the
  first match always wins and this one is dead text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .models import OBJECTIVE_KEY, CapacityField, Rule
from .reader import Doc

HOURS_FIELD = "weekly_hours"


def check_rule_numbers(doc: Doc, rules: Sequence[tuple[int, Rule]], fields: Mapping[str, CapacityField]) -> None:
    for index, (i, rule) in enumerate(rules):
        _check_hours(doc, i, rule, fields)
        for j, earlier in rules[:index]:
            if _covers(earlier, rule, fields):
                doc.error(f"rules[{i}].when", f"rule '{rule.id}' is never reached: the earlier rule "
                          f"'{earlier.id}' (rules[{j}]) accepts every profile it accepts")
                break


def _check_hours(doc: Doc, i: int, rule: Rule, fields: Mapping[str, CapacityField]) -> None:
    field = fields.get(HOURS_FIELD)
    if field is None:
        return
    accepted = [c for c in field.choices if c.hours is not None
                and (HOURS_FIELD not in rule.when or c.id in rule.when[HOURS_FIELD])]
    if not accepted:
        return
    poorest = min(accepted, key=lambda c: c.hours[0])  # type: ignore[index]
    asks = rule.weekly_hours[0] if isinstance(rule.weekly_hours, tuple) else rule.weekly_hours
    has = poorest.hours[1]  # type: ignore[index]
    if asks >= has:  # choice ranges are [low, high): such a client has strictly less than `has`
        low = poorest.hours[0]  # type: ignore[index]
        doc.error(f"rules[{i}].weekly_hours", f"rule '{rule.id}' asks at least {asks:g} h a week but accepts "
                  f"clients with '{poorest.id}' ({low:g} to under {has:g} h): ask less than {has:g} h, "
                  f"or accept only clients who have the hours (when.{HOURS_FIELD})")


def _allowed(rule: Rule, name: str, fields: Mapping[str, CapacityField]) -> set[str] | None:
    """The choices `rule` accepts for field `name`; None = any (objective without a condition)."""
    if name in rule.when:
        return set(rule.when[name])
    if name == OBJECTIVE_KEY:
        return None
    return {c.id for c in fields[name].choices} if name in fields else None


def _covers(earlier: Rule, later: Rule, fields: Mapping[str, CapacityField]) -> bool:
    """Every profile `later` accepts is accepted by `earlier` (so `later` is never chosen)."""
    for name, accepted in earlier.when.items():
        allowed = _allowed(later, name, fields)
        if allowed is None or not allowed <= set(accepted):
            return False
    return True
