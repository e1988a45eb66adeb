"""Times as the learning records keep them: UTC, millisecond precision (as xAPI stores them)."""

from __future__ import annotations

from datetime import UTC, date, datetime


def now_ms() -> datetime:
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def iso(value: datetime) -> str:
    """An xAPI timestamp: ISO 8601 in UTC with milliseconds."""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the last day of the month when it has fewer days)."""
    import calendar

    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def duration(seconds: float) -> str:
    """An ISO 8601 duration, as xAPI's result.duration."""
    seconds = max(0.0, seconds)
    return f"PT{seconds:.2f}S"
