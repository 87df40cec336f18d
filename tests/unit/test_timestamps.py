"""Wire timestamps (lsnotify.awsjson.timestamps) and how the validator reports them, on PutMetricData."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lsnotify.awsjson.lsnotify_model import lsnotify_model
from lsnotify.awsjson.timestamps import LATEST, OUT_OF_RANGE, TimestampError, epoch_seconds
from lsnotify.awsjson.validate import InputValidator
from lsnotify.errors import InvalidInputException

NOON = datetime(2026, 11, 30, 12, tzinfo=UTC).timestamp()
VALIDATOR = InputValidator(lsnotify_model(), ["PutMetricData"])


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("2026-11-30T12:00:00Z", NOON),
        ("2026-11-30t12:00:00z", NOON),
        ("2026-11-30T12:00:00.25Z", NOON + 0.25),
        ("2026-11-30T12:00:00,123456789Z", NOON + 0.123456789),
        ("2026-11-30 13:00:00+01:00", NOON),
        ("2026-11-30T10:30:00-0130", NOON),
        ("2026-11-30T12:00", NOON),
        ("2026-11-30T12:00:00", NOON),
        ("2026-11-30", NOON - 12 * 3600),
        ("1970-01-01T00:00:00Z", 0.0),
        ("9999-12-31T23:59:59Z", LATEST),
        (str(int(NOON)), NOON),
        (f"{int(NOON)}.5", NOON + 0.5),
        (int(NOON), NOON),
        (NOON + 0.5, NOON + 0.5),
    ],
)
def test_accepted(value: str | float, seconds: float) -> None:
    assert epoch_seconds(value) == pytest.approx(seconds, abs=1e-6)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0001-01-01", OUT_OF_RANGE),
        ("1969-12-31T23:59:59Z", OUT_OF_RANGE),
        ("9999-12-31T23:59:59-00:01", OUT_OF_RANGE),
        ("-1", OUT_OF_RANGE),
        (-1, OUT_OF_RANGE),
        (1e300, OUT_OF_RANGE),
        (2**80, OUT_OF_RANGE),
        (math.nan, OUT_OF_RANGE),
        ("2026-13-01", "is not a valid date and time"),
        ("2026-02-30T00:00:00Z", "is not a valid date and time"),
        ("2026-11-30T24:00:00Z", "is not a valid date and time"),
        ("2026-11-30T12:00:00+24:00", "is not a valid date and time"),
        ("+12026-11-30", "is not a timestamp"),
        ("2026-11-30Z", "is not a timestamp"),
        ("Mon, 30 Nov 2026 12:00:00 GMT", "is not a timestamp"),
        ("yesterday", "is not a timestamp"),
        ("1e9", "is not a timestamp"),
        ("", "is not a timestamp"),
        ("2026-11-30T12:00:00.1234567890Z", "is not a timestamp"),
        ("1" * 65, "is longer than 64 characters"),
    ],
)
def test_refused(value: str | float, message: str) -> None:
    with pytest.raises(TimestampError) as caught:
        epoch_seconds(value)
    assert str(caught.value) == message


def put(timestamp: Any) -> dict[str, Any]:
    return {
        "resourceName": "web-1",
        "resourceType": "Instance",
        "metricName": "CPUUtilization",
        "datapoints": [{"timestamp": NOON, "value": 1.0}, {"timestamp": timestamp, "value": 2.0}],
    }


@pytest.mark.parametrize(
    ("timestamp", "message"),
    [
        ("0001-01-01", 'datapoints[1].timestamp: "0001-01-01" ' + OUT_OF_RANGE),
        (-5, "datapoints[1].timestamp: -5 " + OUT_OF_RANGE),
        (1e300, "datapoints[1].timestamp: 1e+300 " + OUT_OF_RANGE),
        ("2026-02-30", 'datapoints[1].timestamp: "2026-02-30" is not a valid date and time'),
        ("soon", 'datapoints[1].timestamp: "soon" is not a timestamp'),
        ("2" * 100_000, "datapoints[1].timestamp: must be at most 64 characters long (got 100000)"),
        (True, "datapoints[1].timestamp: must be a timestamp in epoch seconds (got a boolean)"),
        ([NOON], "datapoints[1].timestamp: must be a timestamp in epoch seconds (got a list)"),
    ],
)
def test_the_validator_names_the_member(timestamp: Any, message: str) -> None:
    with pytest.raises(InvalidInputException) as caught:
        VALIDATOR.validate("PutMetricData", put(timestamp))
    assert caught.value.message == message


def test_a_thousand_long_timestamps_are_refused_in_bounded_time() -> None:
    """What took dateutil seconds on the event loop: 999 ISO 8601 timestamps, then one of 1 KiB of digits."""
    params = put(NOON)
    iso = {"timestamp": "2026-11-30T12:00:00.123456789+01:00", "value": 1.0}
    params["datapoints"] = [iso] * 999 + [{"timestamp": "9" * 1024, "value": 1.0}]
    started = time.perf_counter()
    with pytest.raises(InvalidInputException):
        VALIDATOR.validate("PutMetricData", params)
    assert time.perf_counter() - started < 0.05


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40) | st.floats() | st.integers())
def test_anything_is_a_timestamp_or_a_timestamp_error(value: str | float) -> None:
    try:
        seconds = epoch_seconds(value)
    except TimestampError:
        return
    assert 0.0 <= seconds <= LATEST
