"""Format checks for xAPI values: IRIs, UUIDs, language tags, timestamps, durations.

Pure functions without Flask or SQLAlchemy; used by validation.py and by the query parser.
"""

from __future__ import annotations

import datetime as dt
import math
import re

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# An IRI: a scheme, a colon and at least one character, with none of the characters RFC 3987
# excludes everywhere (spaces, control characters, angle brackets, quotes, braces, pipe,
# backslash, caret, backtick).
_IRI = re.compile(r'^[A-Za-z][A-Za-z0-9+.\-]*:[^\s\x00-\x1f\x7f<>"{}|\\^`]+$')
_MAILTO = re.compile(r"^mailto:[^@\s:/]+@[^@\s/]+$")
_SHA1 = re.compile(r"^[0-9a-fA-F]{40}$")
_SHA2 = re.compile(r"^(?:[0-9a-fA-F]{56}|[0-9a-fA-F]{64}|[0-9a-fA-F]{96}|[0-9a-fA-F]{128})$")
_MEDIA_TYPE = re.compile(r"^[A-Za-z0-9!#$&^_.+\-]+/[A-Za-z0-9!#$&^_.+\-]+\s*(;.*)?$", re.DOTALL)

# RFC 5646 language tags.
_ALNUM = "[A-Za-z0-9]"
_LANGUAGE = r"(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4}|[A-Za-z]{5,8})"
_SCRIPT = r"(?:-[A-Za-z]{4})"
_REGION = r"(?:-(?:[A-Za-z]{2}|[0-9]{3}))"
_VARIANT = rf"(?:-(?:{_ALNUM}{{5,8}}|[0-9]{_ALNUM}{{3}}))"
_EXTENSION = rf"(?:-[0-9A-WY-Za-wy-z](?:-{_ALNUM}{{2,8}})+)"
_PRIVATE = rf"(?:x(?:-{_ALNUM}{{1,8}})+)"
_LANGTAG = re.compile(
    rf"^(?:{_LANGUAGE}{_SCRIPT}?{_REGION}?{_VARIANT}*{_EXTENSION}*(?:-{_PRIVATE})?|{_PRIVATE})$"
)
_GRANDFATHERED = {
    tag.lower()
    for tag in [
        "en-GB-oed",
        "i-ami",
        "i-bnn",
        "i-default",
        "i-enochian",
        "i-hak",
        "i-klingon",
        "i-lux",
        "i-mingo",
        "i-navajo",
        "i-pwn",
        "i-tao",
        "i-tay",
        "i-tsu",
        "sgn-BE-FR",
        "sgn-BE-NL",
        "sgn-CH-DE",
        "art-lojban",
        "cel-gaulish",
        "no-bok",
        "no-nyn",
        "zh-guoyu",
        "zh-hakka",
        "zh-min",
        "zh-min-nan",
        "zh-xiang",
    ]
}

_TS_EXTENDED = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"(Z|[+-]\d{2}(?::\d{2})?)?$"
)
_TS_BASIC = re.compile(
    r"^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(?:(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?:\d{2})?)?$"
)
_NUM = r"\d+(?:[.,]\d+)?"
_DURATION = re.compile(
    rf"^P(?:{_NUM}W|(?=\d|T\d)(?:{_NUM}Y)?(?:{_NUM}M)?(?:{_NUM}D)?"
    rf"(?:T(?=\d)(?:{_NUM}H)?(?:{_NUM}M)?(?:{_NUM}S)?)?)$"
)


def is_uuid(value: object) -> bool:
    return isinstance(value, str) and bool(_UUID.match(value))


def is_iri(value: object) -> bool:
    return isinstance(value, str) and bool(_IRI.match(value))


def is_mailto(value: object) -> bool:
    return isinstance(value, str) and bool(_MAILTO.match(value))


def is_sha1(value: object) -> bool:
    return isinstance(value, str) and bool(_SHA1.match(value))


def is_sha2(value: object) -> bool:
    return isinstance(value, str) and bool(_SHA2.match(value))


def is_media_type(value: object) -> bool:
    return isinstance(value, str) and bool(_MEDIA_TYPE.match(value))


def is_language_tag(value: object) -> bool:
    if not isinstance(value, str) or not value:
        return False
    if value.lower() in _GRANDFATHERED:
        return True
    return bool(_LANGTAG.match(value)) and not _repeats_subtags(value)


def _repeats_subtags(tag: str) -> bool:
    """RFC 5646 2.2.5 and 2.2.6: a variant or an extension singleton may appear only once."""
    seen_variants: set[str] = set()
    seen_singletons: set[str] = set()
    in_extension = False
    for index, subtag in enumerate(tag.lower().split("-")):
        if subtag == "x":
            break
        if len(subtag) == 1:
            if subtag in seen_singletons:
                return True
            seen_singletons.add(subtag)
            in_extension = True
        elif (
            not in_extension
            and index > 0
            and (len(subtag) >= 5 or (len(subtag) == 4 and subtag[0].isdigit()))
        ):
            if subtag in seen_variants:
                return True
            seen_variants.add(subtag)
    return False


def is_number(value: object) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def is_duration(value: object) -> bool:
    return isinstance(value, str) and bool(_DURATION.match(value))


_SECONDS = re.compile(r"(\d+)(?:[.,](\d+))?S$")


def comparable_duration(value: object) -> object:
    """A duration as compared (Data 4.6): precision beyond 0.01 s is left out."""
    if not isinstance(value, str):
        return value

    def seconds(match: re.Match) -> str:
        fraction = (match.group(2) or "")[:2].rstrip("0")
        return f"{int(match.group(1))}{'.' + fraction if fraction else ''}S"

    return _SECONDS.sub(seconds, value)


def with_comparable_durations(statement: dict) -> dict:
    """A shallow copy of a statement whose result durations (its own and a SubStatement's) are
    in their compared form; the statement itself is left alone."""

    def fixed(holder: dict) -> dict:
        result = holder.get("result")
        if isinstance(result, dict) and "duration" in result:
            result = dict(result, duration=comparable_duration(result["duration"]))
            return dict(holder, result=result)
        return holder

    copied = fixed(statement)
    if isinstance(copied.get("object"), dict):
        copied = dict(copied, object=fixed(copied["object"]))
    return copied


def parse_timestamp(value: object, require_offset: bool = False) -> dt.datetime | None:
    """Parse an ISO 8601 date-time; None when it is not one the xAPI specification allows.

    The "-00", "-0000" and "-00:00" offsets (RFC 3339's "unknown local offset") are refused.
    Without an offset the time is taken as UTC (unless ``require_offset``).
    """
    if not isinstance(value, str):
        return None
    match = _TS_EXTENDED.match(value) or _TS_BASIC.match(value)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    if offset is None and require_offset:
        return None
    if require_offset and second is None:
        return None
    tzinfo = dt.UTC
    if offset and offset != "Z":
        digits = offset[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
        if hours == 0 and minutes == 0 and offset[0] == "-":
            return None
        if hours > 23 or minutes > 59:
            return None
        delta = dt.timedelta(hours=hours, minutes=minutes)
        tzinfo = dt.timezone(delta if offset[0] == "+" else -delta)
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        parsed = dt.datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            micro,
            tzinfo=tzinfo,
        )
    except ValueError:
        return None
    return parsed.astimezone(dt.UTC)


def utc_timestamp(value: str) -> str:
    """A timestamp moved to UTC ("Z"), its instant and precision (up to microseconds) kept;
    one already in "Z", or not a timestamp at all, is returned as it is."""
    parsed = parse_timestamp(value)
    if parsed is None or value.endswith(("Z", "z")):
        return value
    parsed = parsed.astimezone(dt.UTC)
    if parsed.microsecond % 1000:
        return parsed.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return format_timestamp(parsed)


def format_timestamp(value: dt.datetime) -> str:
    """Format an aware datetime as UTC ISO 8601 with millisecond precision ("...T10:00:00.123Z")."""
    value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
