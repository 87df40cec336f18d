"""CloudWatch's ``PutMetricData``: its rules and limits beyond the input shape, then each datum mapped and stored.

The rules are those CloudWatch documents: 1 to 1000 datums (``MetricData`` and ``EntityMetricData`` together); each
has exactly one of ``Value``, ``Values`` (with optional ``Counts``, at most 150) or ``StatisticValues``; values lie
within ±2^360; a ``Timestamp`` (default: now) at most two weeks back (or the metric retention, if shorter) and two
hours ahead; ``StorageResolution`` 1 or 60; no ``AWS/`` namespace. The whole request is checked before anything is
stored, so a bad datum stores nothing. Errors name the parameter as CloudWatch does (``MetricData.member.3.Value``).
Sample counts are kept as whole numbers, so a fractional ``Counts`` member or ``SampleCount`` is refused. Units are
not converted: a datum's value is taken in its Lightsail metric's unit.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any, Final

from lsnotify.context import RequestContext
from lsnotify.domain.metrics import FUTURE_TOLERANCE_SECONDS
from lsnotify.errors import (
    InvalidParameterCombinationException,
    InvalidParameterValueException,
    MissingRequiredParameterException,
)
from lsnotify.service import Services, scope_of
from lsnotify.service.alarms.datums import Target, map_datum
from lsnotify.service.alarms.ingest import IngestReport, MappedPoint, store_points
from lsnotify.service.alarms.metrics import to_epoch_seconds

MAX_DATUMS: Final = 1000
MAX_VALUES: Final = 150
MAX_ABS_VALUE: Final = 2.0**360
TWO_WEEKS: Final = 14 * 86400.0
STORAGE_RESOLUTIONS: Final = (1, 60)
_KINDS: Final = ("Value", "Values", "StatisticValues")


def datums(params: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every datum of the request with its parameter name (``MetricData.member.1``), in order."""
    for index, datum in enumerate(params.get("MetricData") or (), 1):
        yield f"MetricData.member.{index}", datum
    for outer, entity in enumerate(params.get("EntityMetricData") or (), 1):
        for index, datum in enumerate(entity.get("MetricData") or (), 1):
            yield f"EntityMetricData.member.{outer}.MetricData.member.{index}", datum


def _check_value(name: str, value: float) -> float:
    if not math.isfinite(value) or abs(value) > MAX_ABS_VALUE:
        raise InvalidParameterValueException(
            f"The value {value!r} for parameter {name} is invalid: values must lie within -2^360 and 2^360."
        )
    return value


def _whole(name: str, value: float, least: int) -> int:
    if not value.is_integer() or value < least:
        raise InvalidParameterValueException(
            f"The value {value!r} for parameter {name} is invalid: it must be a whole number of at least {least}."
        )
    return int(value)


def statistics(name: str, datum: Mapping[str, Any]) -> tuple[int, float, float, float] | None:
    """(count, sum, minimum, maximum) of the datum's value(s); None when its counts are all zero."""
    given = [kind for kind in _KINDS if datum.get(kind) is not None]
    if len(given) > 1:
        raise InvalidParameterCombinationException(
            f"The parameters {name}.{given[0]} and {name}.{given[1]} are mutually exclusive and you have specified "
            "both."
        )
    counts = datum.get("Counts")
    if counts is not None and given != ["Values"]:
        raise InvalidParameterCombinationException(f"The parameter {name}.Counts may only be given with {name}.Values.")
    if not given:
        raise MissingRequiredParameterException(
            f"The parameter {name}.Value (or Values, or StatisticValues) is required."
        )
    if given == ["Value"]:
        value = _check_value(f"{name}.Value", float(datum["Value"]))
        return 1, value, value, value
    if given == ["StatisticValues"]:
        stats = datum["StatisticValues"]
        count = _whole(f"{name}.StatisticValues.SampleCount", float(stats["SampleCount"]), 1)
        low, high = (_check_value(f"{name}.StatisticValues.{key}", float(stats[key])) for key in ("Minimum", "Maximum"))
        total = _check_value(f"{name}.StatisticValues.Sum", float(stats["Sum"]))
        if low > high:
            raise InvalidParameterValueException(
                f"The parameter {name}.StatisticValues.Minimum ({low!r}) must not be greater than "
                f"{name}.StatisticValues.Maximum ({high!r})."
            )
        return count, total, low, high
    values = datum["Values"]
    if not 1 <= len(values) <= MAX_VALUES:
        raise InvalidParameterValueException(
            f"The collection {name}.Values must have 1 to {MAX_VALUES} members (got {len(values)})."
        )
    if counts is not None and len(counts) != len(values):
        raise InvalidParameterValueException(
            f"The collections {name}.Values and {name}.Counts must have as many members (got {len(values)} and "
            f"{len(counts)})."
        )
    pairs = [
        (
            _check_value(f"{name}.Values.member.{index}", float(value)),
            1 if counts is None else _whole(f"{name}.Counts.member.{index}", float(counts[index - 1]), 0),
        )
        for index, value in enumerate(values, 1)
    ]
    present = [value for value, count in pairs if count]
    if not present:
        return None
    return sum(count for _, count in pairs), sum(value * count for value, count in pairs), min(present), max(present)


def _timestamp(name: str, datum: Mapping[str, Any], now: float, retention: float) -> float:
    raw = datum.get("Timestamp")
    if raw is None:
        return now
    timestamp = to_epoch_seconds(raw)
    oldest = now - min(TWO_WEEKS, retention)
    if not oldest <= timestamp <= now + FUTURE_TOLERANCE_SECONDS:
        raise InvalidParameterValueException(
            f"The parameter {name}.Timestamp must specify a time no more than {(now - oldest) / 86400:g} days in the "
            f"past and no more than {FUTURE_TOLERANCE_SECONDS / 3600:g} hours in the future."
        )
    return timestamp


async def put_metric_data(
    svc: Services, ctx: RequestContext, params: Mapping[str, Any], names: Mapping[str, str]
) -> IngestReport:
    """Check every datum, then store those that map to a Lightsail metric; report the ones that map to nothing."""
    namespace = params["Namespace"]
    if namespace.startswith("AWS/"):
        raise InvalidParameterValueException(
            f"The value {namespace[:255]!r} for parameter Namespace is invalid: namespaces starting with AWS/ are "
            "reserved for AWS services."
        )
    listed = list(datums(params))
    if not listed:
        raise MissingRequiredParameterException("The parameter MetricData is required.")
    if len(listed) > MAX_DATUMS:
        raise InvalidParameterValueException(
            f"The collection MetricData must not have more than {MAX_DATUMS} members, with EntityMetricData's "
            f"(got {len(listed)})."
        )
    now = svc.clock()
    report = IngestReport()
    points: list[MappedPoint] = []
    for name, datum in listed:
        resolution = datum.get("StorageResolution")
        if resolution is not None and resolution not in STORAGE_RESOLUTIONS:
            raise InvalidParameterValueException(
                f"The value {resolution!r} for parameter {name}.StorageResolution is invalid: it must be 1 or 60."
            )
        stats = statistics(name, datum)
        timestamp = _timestamp(name, datum, now, svc.rules.metric_retention)
        dimensions = [(item["Name"], item["Value"]) for item in datum.get("Dimensions") or ()]
        target = map_datum(datum["MetricName"], dimensions, names)
        if not isinstance(target, Target):
            report.unmapped.append(target)
        elif stats is not None:
            points.append(MappedPoint(target, timestamp, *stats))
    await store_points(svc.store, scope_of(ctx), points, now, report, svc.rules.limits.max_resources)
    return report
