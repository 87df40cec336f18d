"""How times are shown to people and in lsnotify's own JSON: every format in one place, all in UTC.

The AWS wire formats (SigV4's ``X-Amz-Date``, the email ``Date`` header) belong to their protocols and stay there.
"""

from __future__ import annotations

from datetime import UTC, datetime


def iso_time(epoch: float) -> str:
    """``2026-11-01T08:00:00.123Z``: how pages, the dev inbox's JSON and the CLI show a moment."""
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def utc_minute(epoch: float) -> str:
    """``2026-11-27 10:05 UTC``: a metric period's start, or when a verification link expires."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")


def utc_second(epoch: float) -> str:
    """``2026-11-27 10:05:07 UTC``: when an alarm changed state."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def shown_time(epoch: float) -> str:
    """``2027-01-01T07:59:59+00:00`` for an error message, or the bare number when no calendar date can hold it."""
    try:
        return datetime.fromtimestamp(epoch, UTC).isoformat()
    except (OverflowError, OSError, ValueError):
        return f"{epoch:g}"
