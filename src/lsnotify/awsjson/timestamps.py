"""Wire timestamps as epoch seconds: a JSON number, or a short string in strict ISO 8601 or epoch seconds.

botocore's ``parse_timestamp`` hands strings to dateutil, which guesses at almost any text, in time that grows with
it, and returns a naive datetime for ``"0001-01-01"`` whose ``.timestamp()`` then raises. Here a string is at most
``MAX_CHARS`` long and either epoch seconds (``1764460800``, ``1764460800.5``) or ISO 8601:
``YYYY-MM-DD``, optionally ``THH:MM``, ``:SS`` and a fraction, optionally ``Z`` or an offset ``±HH:MM``
(``T`` may be a space; no offset means UTC). Every timestamp lies between ``EARLIEST`` and ``LATEST``: the years
1970 to 9999, which any datetime arithmetic downstream can take.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, timezone

MAX_CHARS = 64
EARLIEST = 0.0
LATEST = 253402300799.0
OUT_OF_RANGE = "is outside 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z"

# Unambiguous and anchored, on at most MAX_CHARS characters: re's backtracking cannot run away here.
_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?)?",
    re.ASCII,
)
_EPOCH = re.compile(r"[+-]?\d{1,15}(?:\.\d{0,9})?", re.ASCII)


class TimestampError(ValueError):
    """The value is not a timestamp; the message says what is wrong after the value: ``"x" is not a timestamp``."""


def epoch_seconds(value: str | int | float) -> float:
    """``value`` (a number or a string as above) as epoch seconds; ``TimestampError`` otherwise."""
    if isinstance(value, str):
        seconds = _parse_text(value)
    elif isinstance(value, int):
        seconds = float(value) if abs(value) <= LATEST else math.inf
    else:
        seconds = value
    if not EARLIEST <= seconds <= LATEST:  # also False for NaN
        raise TimestampError(OUT_OF_RANGE)
    return seconds


def _parse_text(text: str) -> float:
    if len(text) > MAX_CHARS:
        raise TimestampError(f"is longer than {MAX_CHARS} characters")
    if _EPOCH.fullmatch(text):
        return float(text)
    match = _ISO.fullmatch(text)
    if match is None:
        raise TimestampError("is not a timestamp")
    year, month, day, hour, minute, second, fraction, _, sign, offset_hours, offset_minutes = match.groups()
    try:
        zone = UTC
        if sign is not None:
            offset = timedelta(hours=int(offset_hours), minutes=int(offset_minutes))
            zone = timezone(-offset if sign == "-" else offset)
        moment = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), tzinfo=zone
        )
    except ValueError:  # a month 13, a day 31 in April, an offset of 24 hours or more
        raise TimestampError("is not a valid date and time") from None
    return moment.timestamp() + (float(f"0.{fraction}") if fraction else 0.0)
