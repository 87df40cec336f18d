"""The metric catalogue, datapoint checks and 5-minute aggregation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lsnotify.awsjson.lsnotify_model import lsnotify_model
from lsnotify.awsjson.model import lightsail_model
from lsnotify.config import MIN_METRIC_RETENTION, ConfigError, Settings, load_settings
from lsnotify.domain.alarms import RESOURCE_TYPES, MetricAggregate
from lsnotify.domain.metrics import (
    DEFAULT_METRIC_RETENTION_SECONDS,
    FUTURE_TOLERANCE_SECONDS,
    LONGEST_EVALUATION_RANGE_SECONDS,
    METRICS,
    PERIOD_SECONDS,
    MetricRetention,
)
from lsnotify.errors import InvalidInputException
from lsnotify.service.alarms.metric_data import metric_points_retention
from lsnotify.service.alarms.metrics import aggregate, check_datapoints, metric_info, to_epoch_seconds
from lsnotify.service.api import LSNOTIFY_OPERATIONS

NOW = 1_800_000_000.0
RETENTION = 14 * 86400.0


def test_catalogue_matches_both_models() -> None:
    names = {metric for metrics in METRICS.values() for metric in metrics}
    assert set(METRICS) == set(RESOURCE_TYPES)
    assert names <= set(lightsail_model().shape_for("MetricName").enum)
    assert names == set(lsnotify_model().shape_for("MetricName").enum)
    assert set(lsnotify_model().shape_for("MonitoredResourceType").enum) == set(RESOURCE_TYPES)
    units = set(lightsail_model().shape_for("MetricUnit").enum)
    statistics = set(lightsail_model().shape_for("MetricStatistic").enum)
    for metrics in METRICS.values():
        for info in metrics.values():
            assert info.unit in units and info.statistic in statistics
    assert set(LSNOTIFY_OPERATIONS) == set(lsnotify_model().operation_names)


@pytest.mark.parametrize(
    ("resource_type", "metric", "statistic", "unit"),
    [
        ("Instance", "CPUUtilization", "Average", "Percent"),
        ("Instance", "NetworkIn", "Sum", "Bytes"),
        ("LoadBalancer", "HealthyHostCount", "Average", "Count"),
        ("RelationalDatabase", "DatabaseConnections", "Maximum", "Count"),
        ("RelationalDatabase", "NetworkReceiveThroughput", "Average", "Bytes/Second"),
    ],
)
def test_statistic_and_unit_per_the_table(resource_type: str, metric: str, statistic: str, unit: str) -> None:
    info = metric_info(resource_type, metric)
    assert (info.statistic, info.unit) == (statistic, unit)


def test_a_metric_of_another_type_is_refused_with_the_list() -> None:
    with pytest.raises(InvalidInputException) as raised:
        metric_info("RelationalDatabase", "NetworkIn")
    assert raised.value.message.startswith('metricName: "NetworkIn" is not a metric of RelationalDatabase resources')
    assert "FreeStorageSpace" in raised.value.message


def test_aggregate_by_period() -> None:
    start = 1_800_000_000 - 1_800_000_000 % 300
    points = [(start + 10, 4.0), (start + 299, 8.0), (start + 300, 1.0), (start - 1, 7.0)]
    assert [m.period_start - start for m in aggregate(points)] == [-60, 0, 240, 300]  # by default, by minute
    periods = aggregate(points, PERIOD_SECONDS)
    assert periods == [
        MetricAggregate(start - 300, 1, 7.0, 7.0, 7.0),
        MetricAggregate(start, 2, 12.0, 4.0, 8.0),
        MetricAggregate(start + 300, 1, 1.0, 1.0, 1.0),
    ]
    assert periods[1].statistic("Average") == 6.0 and periods[1].statistic("SampleCount") == 2.0
    assert (periods[1].statistic("Minimum"), periods[1].statistic("Maximum"), periods[1].statistic("Sum")) == (4, 8, 12)


def test_datapoints_within_the_window_pass() -> None:
    check_datapoints([(NOW - RETENTION, 1.0), (NOW + FUTURE_TOLERANCE_SECONDS, -3.5), (NOW, 0.0)], NOW, RETENTION)


@pytest.mark.parametrize(
    ("point", "fragment"),
    [
        ((NOW - RETENTION - 1, 1.0), "datapoints[1].timestamp: "),
        ((NOW + FUTURE_TOLERANCE_SECONDS + 1, 1.0), "is outside the accepted window"),
        ((NOW, float("nan")), "datapoints[1].value: must be a finite number"),
        ((NOW, float("inf")), "datapoints[1].value: must be a finite number"),
        ((1e300, 1.0), "datapoints[1].timestamp: 1e+300 is outside"),
        ((-1e300, 1.0), "datapoints[1].timestamp: -1e+300 is outside"),
        ((NOW - RETENTION - 1, 1.0), "2027-01-01T07:59:59+00:00 is outside"),
    ],
)
def test_datapoints_outside_the_window_are_refused(point: tuple[float, float], fragment: str) -> None:
    with pytest.raises(InvalidInputException) as raised:
        check_datapoints([(NOW, 1.0), point], NOW, RETENTION)
    assert fragment in raised.value.message


def test_timestamps_from_numbers_and_strings() -> None:
    assert to_epoch_seconds(NOW) == NOW
    assert to_epoch_seconds("2027-01-15T08:00:00Z") == datetime(2027, 1, 15, 8, tzinfo=UTC).timestamp()
    assert to_epoch_seconds(datetime(2027, 1, 15, 8, tzinfo=UTC)) == datetime(2027, 1, 15, 8, tzinfo=UTC).timestamp()


def test_the_settings_restate_the_metric_time_limits() -> None:
    """``config`` sits below ``domain`` in the import layers, so it restates these figures: they must stay equal."""
    assert MIN_METRIC_RETENTION == LONGEST_EVALUATION_RANGE_SECONDS == (288 + 2) * 5 * 60
    assert Settings().metric_retention == DEFAULT_METRIC_RETENTION_SECONDS == 14 * 86400
    default = metric_points_retention(Settings())
    assert default == MetricRetention() == MetricRetention(15 * 86400, 63 * 86400, 455 * 86400)


def test_the_retention_of_each_resolution_is_a_setting_and_is_checked() -> None:
    settings = load_settings(None, {"LSNOTIFY_MINUTE_METRIC_RETENTION": "3600"}, None)
    assert metric_points_retention(settings).minute == 3600
    with pytest.raises(ConfigError, match="five_minute_metric_retention: must be at least 87000"):
        load_settings({"five_minute_metric_retention": "86400"})
    with pytest.raises(ConfigError, match="hour_metric_retention: must be more than 0"):
        load_settings({"hour_metric_retention": "0"})
