"""Metric graphs as server-rendered SVG: the datapoints as a line, each alarm's threshold as a labelled dashed line,
and the periods an alarm spent in ``ALARM`` shaded. No script: the page's strict Content-Security-Policy holds.

Colours and strokes come from the console's style sheet through class names (inline styles would need
``style-src 'unsafe-inline'``). Each graph is ``role="img"`` with an ``aria-label`` naming the metric and the range,
and a ``<title>``/``<desc>`` saying what it shows in words.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from markupsafe import Markup, escape

from lsnotify.domain.alarms import ALARM, AlarmStateChange

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 8, 12, 28


@dataclass(frozen=True, slots=True)
class Threshold:
    label: str
    value: float


@dataclass(frozen=True, slots=True)
class Chart:
    label: str
    """What the graph shows, e.g. ``CPUUtilization (Average, Percent), last 1 hour``."""
    start: float
    end: float
    points: Sequence[tuple[float, float]]
    """(period start, value), oldest first."""
    period: int
    thresholds: Sequence[Threshold] = ()
    alarm_periods: Sequence[tuple[float, float]] = ()
    """(from, to) of the times an alarm was in ALARM."""


def alarm_periods(
    state: str, history: Sequence[AlarmStateChange], start: float, end: float
) -> list[tuple[float, float]]:
    """The intervals within ``[start, end]`` that an alarm spent in ALARM, from its state changes (in any order)
    and its current state (which, without any change kept, it has been in since before ``start``)."""
    intervals: list[tuple[float, float]] = []
    changes = sorted(history, key=lambda change: change.changed_at)
    entered: float | None = None
    # Without any change kept, the current state has held since before ``start``.
    if (changes[0].old_state if changes else state) == ALARM:
        entered = start
    for change in changes:
        if change.new_state == ALARM and entered is None:
            entered = change.changed_at
        elif change.new_state != ALARM and entered is not None:
            intervals.append((entered, change.changed_at))
            entered = None
    if entered is not None:
        intervals.append((entered, end))
    return [(max(a, start), min(b, end)) for a, b in intervals if b > start and a < end]


def _nice_span(span: float) -> float:
    """The smallest of 1, 2, 2.5 or 5 times a power of ten that is at least ``span``: the graph's height, so that its
    axis reads in round numbers."""
    base = 10.0 ** math.floor(math.log10(span))
    return next((step * base for step in (1.0, 2.0, 2.5, 5.0, 10.0) if span <= step * base), span)


def _number(value: float) -> str:
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1e9 or magnitude < 1e-3:
        return f"{value:.2e}"
    for suffix, size in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if magnitude >= size * 10:
            return f"{value / size:.3g}{suffix}"
    return f"{value:.4g}"


def _time_label(epoch: float, span: float) -> str:
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%H:%M") if span <= 86_400 else moment.strftime("%b %d %H:%M")


def render_chart(chart: Chart) -> Markup:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    values = [v for _, v in chart.points] + [t.value for t in chart.thresholds]
    low = min([0.0, *values])
    high = low + _nice_span(max([*values, low + 1.0]) - low)
    span = chart.end - chart.start

    def x(t: float) -> float:
        return LEFT + (t - chart.start) / span * plot_w

    def y(v: float) -> float:
        return TOP + (high - v) / (high - low) * plot_h

    parts: list[str] = []
    for a, b in chart.alarm_periods:
        parts.append(
            f'<rect class="alarm-period" x="{x(a):.1f}" y="{TOP}" width="{max(x(b) - x(a), 1):.1f}" '
            f'height="{plot_h}"><title>In ALARM</title></rect>'
        )
    for fraction in (0.0, 0.5, 1.0):
        value = low + (high - low) * fraction
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}"/>')
        parts.append(
            f'<text class="axis" x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{_number(value)}</text>'
        )
    for fraction, anchor in ((0.0, "start"), (0.5, "middle"), (1.0, "end")):
        t = chart.start + span * fraction
        parts.append(
            f'<text class="axis" x="{x(t):.1f}" y="{HEIGHT - 8}" text-anchor="{anchor}">{_time_label(t, span)}</text>'
        )
    path: list[str] = []
    previous: float | None = None
    for t, v in chart.points:
        command = "L" if previous is not None and t - previous <= chart.period else "M"
        path.append(f"{command}{x(t + chart.period / 2):.1f},{y(v):.1f}")
        previous = t
    if path:
        parts.append(f'<path class="series" d="{" ".join(path)}"/>')
        if len(chart.points) <= 60:
            parts.extend(
                f'<circle class="point" cx="{x(t + chart.period / 2):.1f}" cy="{y(v):.1f}" r="2.5"/>'
                for t, v in chart.points
            )
    else:
        parts.append(
            f'<text class="empty" x="{LEFT + plot_w / 2}" y="{TOP + plot_h / 2}" text-anchor="middle">'
            "No data in this range</text>"
        )
    for threshold in chart.thresholds:
        level = y(threshold.value)
        parts.append(
            f'<g class="threshold"><line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{level:.1f}" y2="{level:.1f}"/>'
            f'<text x="{WIDTH - RIGHT - 4}" y="{level - 4:.1f}" text-anchor="end">{escape(threshold.label)}</text></g>'
        )
    described = (
        f"{len(chart.points)} datapoints"
        + "".join(f"; threshold {t.label}" for t in chart.thresholds)
        + (f"; in ALARM during {len(chart.alarm_periods)} period(s)" if chart.alarm_periods else "")
    )
    return Markup(
        f'<svg class="chart" role="img" aria-label="{escape(chart.label)}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(chart.label)}</title><desc>{escape(described)}</desc>'
        f"{''.join(parts)}</svg>"
    )
