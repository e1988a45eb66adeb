"""Readiness rules, as pure functions over evidence (no Flask, no database).

A requirement is met on a day when some evidence for it (a completion, a pass, a waiver) was
recorded on or before that day and is still valid then: evidence counts for ``validity_days``
after it was recorded. Training done for an earlier rotation therefore counts for the next one
while it is valid. A person is ready on a day when every requirement for their role is met.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

DONE = "done"  # met today and still valid on the deployment date
EXPIRING = "expiring"  # met today, but runs out before the deployment date
MISSING = "missing"  # not met; still time before the due date
OVERDUE = "overdue"  # not met and the due date has passed
EXPIRED = "expired"  # was met, no longer valid

MET = frozenset({DONE, EXPIRING})


@dataclass(frozen=True)
class Rule:
    """One readiness requirement as the engine sees it."""

    key: str
    activity: str  # activity IRI the evidence must be about
    verbs: frozenset[str]  # verbs that count (e.g. completed/satisfied, or passed)
    validity_days: int
    due_days_before: int | None = None  # due this many days before deployment
    roles: frozenset[str] | None = None  # None: everybody

    def applies_to(self, role: str) -> bool:
        return self.roles is None or role in self.roles


class Evidence(NamedTuple):
    rule_key: str
    at: date
    kind: str  # "done" or "waived"


@dataclass
class ItemStatus:
    rule: Rule
    state: str
    since: date | None = None
    valid_until: date | None = None
    waived: bool = False
    due: date | None = None


@dataclass
class PersonStatus:
    items: list[ItemStatus] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return all(item.state in MET for item in self.items)

    @property
    def missing(self) -> list[ItemStatus]:
        return [i for i in self.items if i.state not in MET]

    @property
    def expiring(self) -> list[ItemStatus]:
        return [i for i in self.items if i.state == EXPIRING]

    @property
    def overdue(self) -> list[ItemStatus]:
        return [i for i in self.items if i.state == OVERDUE]


def to_day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def item_status(
    rule: Rule, evidence: Sequence[Evidence], today: date, deployment: date
) -> ItemStatus:
    """The state of one requirement for one person, from their evidence for it."""
    due = (
        deployment - timedelta(days=rule.due_days_before)
        if rule.due_days_before is not None
        else None
    )
    usable = [e for e in evidence if e.at <= today]
    if not usable:
        state = OVERDUE if due is not None and today > due else MISSING
        return ItemStatus(rule, state, due=due)
    latest = max(usable, key=lambda e: e.at)
    valid_until = latest.at + timedelta(days=rule.validity_days)
    if valid_until < today:
        state = OVERDUE if due is not None and today > due else EXPIRED
    elif valid_until < deployment:
        state = EXPIRING
    else:
        state = DONE
    return ItemStatus(rule, state, latest.at, valid_until, latest.kind == "waived", due)


def person_status(
    rules: Iterable[Rule], role: str, evidence: Iterable[Evidence], today: date, deployment: date
) -> PersonStatus:
    by_rule: dict[str, list[Evidence]] = {}
    for e in evidence:
        by_rule.setdefault(e.rule_key, []).append(e)
    items = [
        item_status(rule, by_rule.get(rule.key, ()), today, deployment)
        for rule in rules
        if rule.applies_to(role)
    ]
    return PersonStatus(items)


def _intervals(days: Sequence[date], validity: int) -> list[tuple[date, date]]:
    """Merged [start, end] day intervals during which evidence on ``days`` is valid."""
    merged: list[tuple[date, date]] = []
    for start in sorted(days):
        end = start + timedelta(days=validity)
        if merged and start <= merged[-1][1] + timedelta(days=1):
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _intersect(a: list[tuple[date, date]], b: list[tuple[date, date]]) -> list[tuple[date, date]]:
    out = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start <= end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def ready_intervals(
    rules: Sequence[Rule], role: str, evidence: Iterable[Evidence]
) -> list[tuple[date, date]]:
    """The day intervals during which a person met every requirement of their role."""
    by_rule: dict[str, list[date]] = {}
    for e in evidence:
        by_rule.setdefault(e.rule_key, []).append(e.at)
    applicable = [r for r in rules if r.applies_to(role)]
    if not applicable:
        return [(date.min, date.max)]
    result: list[tuple[date, date]] | None = None
    for rule in applicable:
        spans = _intervals(by_rule.get(rule.key, ()), rule.validity_days)
        result = spans if result is None else _intersect(result, spans)
        if not result:
            return []
    return result or []


def daily_share(
    people_intervals: Sequence[list[tuple[date, date]]], start: date, end: date
) -> list[tuple[date, float]]:
    """Share of people ready on each day from ``start`` to ``end`` (inclusive)."""
    days = (end - start).days + 1
    if days <= 0:
        return []
    delta = [0] * (days + 1)
    for spans in people_intervals:
        for s, e in spans:
            lo = max(s, start)
            hi = min(e, end)
            if lo > hi:
                continue
            delta[(lo - start).days] += 1
            delta[(hi - start).days + 1] -= 1
    total = len(people_intervals)
    out = []
    running = 0
    for i in range(days):
        running += delta[i]
        out.append((start + timedelta(days=i), running / total if total else 0.0))
    return out


def latest_on_or_before(sorted_days: Sequence[date], day: date) -> date | None:
    i = bisect.bisect_right(sorted_days, day)
    return sorted_days[i - 1] if i else None
