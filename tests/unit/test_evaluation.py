"""Alarm evaluation against the Lightsail guide's ten worked graphs A–J, and the rules around them.

In every graph the threshold is crossed "upwards" (a breaching point lies above it) and the evaluation range holds
five periods, point 5 the most recent. A–E: 3 out of 3; F–J: 2 out of 3.
"""

from __future__ import annotations

import itertools

import pytest

from lsnotify.domain.alarms import ALARM, INSUFFICIENT_DATA, OK
from lsnotify.domain.metrics import PERIOD_SECONDS
from lsnotify.service.alarms.rule import Rule, evaluate, evaluation_range, window_starts

B, G, _ = 90.0, 10.0, None  # a breaching point, a good point, a missing point
THRESHOLD = 50.0
KEEP = "keep"  # the guide: "the alarm would maintain the current state"

GRAPHS = {
    # name: (M, points 1..5, {treatMissingData: expected state})
    "A": (3, [G, _, B, _, B], {"notBreaching": OK, "breaching": OK, "ignore": OK, "missing": OK}),
    "B": (3, [G, _, _, _, _], {"notBreaching": OK, "breaching": OK, "ignore": OK, "missing": OK}),
    "C": (3, [_, _, _, _, _], {"notBreaching": OK, "breaching": ALARM, "ignore": KEEP, "missing": INSUFFICIENT_DATA}),
    "D": (3, [G, B, B, _, B], {"notBreaching": ALARM, "breaching": ALARM, "ignore": ALARM, "missing": ALARM}),
    "E": (3, [_, _, B, _, _], {"notBreaching": OK, "breaching": ALARM, "ignore": KEEP, "missing": ALARM}),
    "F": (2, [G, _, B, _, B], {"notBreaching": ALARM, "breaching": ALARM, "ignore": ALARM, "missing": ALARM}),
    "G": (2, [G, G, B, G, B], {"notBreaching": ALARM, "breaching": ALARM, "ignore": ALARM, "missing": ALARM}),
    "H": (2, [G, _, B, _, _], {"notBreaching": OK, "breaching": ALARM, "ignore": OK, "missing": OK}),
    "I": (2, [_, _, _, _, G], {"notBreaching": OK, "breaching": ALARM, "ignore": OK, "missing": OK}),
    "J": (2, [_, _, B, _, _], {"notBreaching": OK, "breaching": ALARM, "ignore": KEEP, "missing": ALARM}),
}

CASES = [(graph, treat, expected) for graph, (_, _, outcomes) in GRAPHS.items() for treat, expected in outcomes.items()]


def window(points: list[float | None]) -> list[tuple[int, float | None]]:
    return [(1_800_000_000 + i * PERIOD_SECONDS, value) for i, value in enumerate(points)]


@pytest.mark.parametrize(("graph", "treat", "expected"), CASES, ids=[f"{g}-{t}" for g, t, _ in CASES])
@pytest.mark.parametrize("current", [OK, ALARM, INSUFFICIENT_DATA])
def test_the_guides_graphs(graph: str, treat: str, expected: str, current: str) -> None:
    m, points, _ = GRAPHS[graph]
    rule = Rule("GreaterThanThreshold", THRESHOLD, 3, m, treat)
    outcome = evaluate(rule, window(points), current)
    assert outcome.state == (current if expected == KEEP else expected), outcome.reason


def test_the_graphs_cover_all_ten_and_the_range_is_five() -> None:
    assert sorted(GRAPHS) == list("ABCDEFGHIJ")
    assert evaluation_range(3) == 5


def test_graph_b_goes_to_alarm_once_the_good_point_leaves_the_range() -> None:
    """The guide: "The next time this alarm is evaluated, if the data is still missing it goes to ALARM"."""
    rule = Rule("GreaterThanThreshold", THRESHOLD, 3, 3, "breaching")
    assert evaluate(rule, window([G, _, _, _, _]), OK).state == OK
    assert evaluate(rule, window([_, _, _, _, _]), OK).state == ALARM


def test_the_most_recent_n_real_points_decide_and_the_reason_names_them() -> None:
    rule = Rule("GreaterThanOrEqualToThreshold", 80.0, 2, 2, "missing")
    points = window([95.0, 85.0, 70.0, None])
    outcome = evaluate(rule, points, OK)
    assert outcome.state == OK
    assert outcome.deciding == ((points[1][0], 85.0), (points[2][0], 70.0))
    assert outcome.reason == (
        "Threshold not crossed: 1 of the last 2 datapoints [85, 70] was greater than or equal to the threshold (80); "
        "2 are needed to alarm."
    )


@pytest.mark.parametrize(
    ("operator", "value", "breaching"),
    [
        ("GreaterThanOrEqualToThreshold", 50.0, True),
        ("GreaterThanOrEqualToThreshold", 49.9, False),
        ("GreaterThanThreshold", 50.0, False),
        ("GreaterThanThreshold", 50.1, True),
        ("LessThanThreshold", 50.0, False),
        ("LessThanThreshold", 49.9, True),
        ("LessThanOrEqualToThreshold", 50.0, True),
        ("LessThanOrEqualToThreshold", 50.1, False),
    ],
)
def test_comparison_operators_at_and_around_the_threshold(operator: str, value: float, breaching: bool) -> None:
    outcome = evaluate(Rule(operator, 50.0, 1, 1, "missing"), window([value]), OK)
    assert outcome.state == (ALARM if breaching else OK)


def test_breaching_fill_is_reported_in_the_reason() -> None:
    outcome = evaluate(Rule("GreaterThanThreshold", THRESHOLD, 3, 2, "breaching"), window([_, _, _, _, G]), OK)
    assert outcome.state == ALARM and outcome.filled == 2
    assert "(2 missing, treated as breaching)" in outcome.reason


def test_no_data_reasons() -> None:
    missing = evaluate(Rule("GreaterThanThreshold", 1.0, 3, 3, "missing"), window([_] * 5), OK)
    assert missing.state == INSUFFICIENT_DATA and "no datapoints in the last 5 periods" in missing.reason
    kept = evaluate(Rule("GreaterThanThreshold", 1.0, 3, 3, "ignore"), window([_] * 5), ALARM)
    assert kept.state == ALARM and "the state is kept" in kept.reason


def test_window_ends_with_the_period_in_progress() -> None:
    now = 1_800_000_123.0
    starts = window_starts(3, now)
    assert len(starts) == 5
    assert starts[-1] <= now < starts[-1] + PERIOD_SECONDS
    assert [b - a for a, b in itertools.pairwise(starts)] == [PERIOD_SECONDS] * 4
