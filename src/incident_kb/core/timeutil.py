"""Dates and timestamps as the format defines them, and the injected notion of "today".

Front-matter keeps dates and timestamps as strings; these functions are the only place
they become ``date`` and ``datetime`` objects, with messages that say what is wrong.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone

_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_TS_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?"
    r"(?P<tz>[Zz]|[+-]\d{2}:\d{2})?"
)


MIN_YEAR, MAX_YEAR = 1970, 2999


def _check_year(text: str, year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"'{text}' is outside the years {MIN_YEAR} to {MAX_YEAR}")


def parse_date(text: str) -> date:
    """Parse ``YYYY-MM-DD``; ValueError says why not."""
    m = _DATE_RE.fullmatch(text)
    if not m:
        raise ValueError(f"'{text}' is not a date: use YYYY-MM-DD")
    _check_year(text, int(m[1]))
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError as exc:
        raise ValueError(f"'{text}' is not a real date ({exc})") from None


def parse_timestamp(text: str) -> datetime:
    """Parse an RFC 3339 timestamp with seconds and a timezone; ValueError says why not."""
    m = _TS_RE.fullmatch(text)
    if not m:
        raise ValueError(
            f"'{text}' is not an RFC 3339 timestamp: use YYYY-MM-DDTHH:MM:SSZ "
            "or an offset such as +01:00"
        )
    if m["tz"] is None:
        raise ValueError(f"'{text}' has no timezone: add Z for UTC or an offset such as +01:00")
    if m[6] is None:
        raise ValueError(f"'{text}' has no seconds: use HH:MM:SS")
    _check_year(text, int(m[1]))
    fraction = m[7] or ""
    micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
    tz_text = m["tz"]
    if tz_text in ("Z", "z"):
        tz: timezone = UTC
    else:
        sign = 1 if tz_text[0] == "+" else -1
        hours, minutes = int(tz_text[1:3]), int(tz_text[4:6])
        if hours > 23 or minutes > 59:
            raise ValueError(f"'{text}' has an impossible offset {tz_text}")
        tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        return datetime(
            int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6]), micro, tzinfo=tz
        )
    except ValueError as exc:
        raise ValueError(f"'{text}' is not a real time ({exc})") from None


def today(as_of: str | None, environ: Mapping[str, str] | None = None) -> date:
    """ "Today" for reports and builds: --as-of, else SOURCE_DATE_EPOCH, else the UTC date.

    The one place the clock is read, so that every report and build can be reproduced.
    """
    if as_of:
        return parse_date(as_of)
    env = os.environ if environ is None else environ
    epoch = env.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC).date()
        except (ValueError, OverflowError, OSError):
            raise ValueError(f"{epoch!r} is not a Unix timestamp") from None
    return datetime.now(UTC).date()


def now(environ: Mapping[str, str] | None = None) -> datetime:
    """The current time (from SOURCE_DATE_EPOCH when set), to the minute, in UTC."""
    env = os.environ if environ is None else environ
    epoch = env.get("SOURCE_DATE_EPOCH", "").strip()
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch.isdigit() else datetime.now(UTC)
    return moment.replace(second=0, microsecond=0)


def utc_day(moment: datetime) -> date:
    """The UTC calendar day of a timestamp: days are always counted in UTC, as pages show them."""
    return moment.astimezone(UTC).date()


def minutes(delta: timedelta) -> float:
    """A duration in minutes."""
    return delta.total_seconds() / 60.0


def format_duration(total_minutes: float) -> str:
    """A short human form: 45 min, 2 h 5 min, 3 d 4 h."""
    m = round(total_minutes)
    if m < 60:
        return f"{m} min"
    h, m = divmod(m, 60)
    if h < 24:
        return f"{h} h {m} min" if m else f"{h} h"
    d, h = divmod(h, 24)
    return f"{d} d {h} h" if h else f"{d} d"
