"""The readiness rules, without a database."""

from datetime import date, timedelta

from lms.readiness import engine
from lms.readiness.engine import Evidence, Rule

TODAY = date(2027, 1, 10)
DEPLOY = date(2027, 3, 1)


def rule(key="cyber", validity=365, due=None, roles=None):
    return Rule(
        key,
        f"https://x/{key}",
        frozenset({"completed"}),
        validity,
        due,
        frozenset(roles) if roles else None,
    )


def test_missing_then_overdue_after_due_date():
    r = rule(due=30)
    assert engine.item_status(r, [], TODAY, DEPLOY).state == engine.MISSING
    late = DEPLOY - timedelta(days=10)
    assert engine.item_status(r, [], late, DEPLOY).state == engine.OVERDUE


def test_done_when_valid_through_deployment():
    r = rule(validity=365)
    item = engine.item_status(r, [Evidence("cyber", date(2026, 6, 1), "done")], TODAY, DEPLOY)
    assert item.state == engine.DONE
    assert item.valid_until == date(2027, 6, 1)


def test_expiring_when_it_runs_out_before_deployment():
    r = rule(validity=365)
    item = engine.item_status(r, [Evidence("cyber", date(2026, 2, 1), "done")], TODAY, DEPLOY)
    assert item.state == engine.EXPIRING


def test_expired_evidence_does_not_count():
    r = rule(validity=100)
    item = engine.item_status(r, [Evidence("cyber", date(2026, 1, 1), "done")], TODAY, DEPLOY)
    assert item.state == engine.EXPIRED


def test_future_evidence_is_ignored_and_latest_wins():
    r = rule(validity=365)
    ev = [
        Evidence("cyber", date(2025, 1, 1), "done"),
        Evidence("cyber", date(2026, 12, 1), "done"),
        Evidence("cyber", date(2027, 2, 1), "done"),
    ]
    item = engine.item_status(r, ev, TODAY, DEPLOY)
    assert item.since == date(2026, 12, 1) and item.state == engine.DONE


def test_training_for_an_earlier_rotation_counts_while_valid():
    """Across rotations: a completion from last year's rotation still counts if valid."""
    r = rule(validity=730)
    earlier = Evidence("cyber", date(2025, 4, 1), "done")
    assert engine.item_status(r, [earlier], TODAY, DEPLOY).state == engine.DONE


def test_roles_select_requirements():
    rules = [rule("all"), rule("staff", roles=["staff-officer"])]
    ev = [Evidence("all", date(2026, 12, 1), "done")]
    assert engine.person_status(rules, "infantry", ev, TODAY, DEPLOY).ready
    staff = engine.person_status(rules, "staff-officer", ev, TODAY, DEPLOY)
    assert not staff.ready and [i.rule.key for i in staff.missing] == ["staff"]


def test_waiver_counts_and_is_marked():
    item = engine.item_status(
        rule(), [Evidence("cyber", date(2026, 12, 1), "waived")], TODAY, DEPLOY
    )
    assert item.state == engine.DONE and item.waived


def test_ready_intervals_intersect_requirements():
    rules = [rule("a", validity=10), rule("b", validity=10)]
    ev = [Evidence("a", date(2027, 1, 1), "done"), Evidence("b", date(2027, 1, 5), "done")]
    assert engine.ready_intervals(rules, "x", ev) == [(date(2027, 1, 5), date(2027, 1, 11))]
    assert engine.ready_intervals(rules, "x", ev[:1]) == []


def test_daily_share_counts_people_per_day():
    people = [[(date(2027, 1, 2), date(2027, 1, 3))], [(date(2027, 1, 3), date(2027, 1, 10))], []]
    share = dict(engine.daily_share(people, date(2027, 1, 1), date(2027, 1, 4)))
    assert share[date(2027, 1, 1)] == 0
    assert share[date(2027, 1, 2)] == 1 / 3
    assert share[date(2027, 1, 3)] == 2 / 3
    assert share[date(2027, 1, 4)] == 1 / 3
