"""The web console's pure parts: session cookies and CSRF tokens, the sign-in rate limit, graphs, form errors."""

from __future__ import annotations

import re

from lsnotify.domain.alarms import ALARM, INSUFFICIENT_DATA, OK, AlarmStateChange
from lsnotify.errors import InvalidInputException
from lsnotify.web.console.charts import Chart, Threshold, alarm_periods, render_chart
from lsnotify.web.console.forms import field_error
from lsnotify.web.console.limiter import AttemptLimiter
from lsnotify.web.console.sessions import SESSION_SECONDS, SessionCodec

KEY = b"k" * 32


def test_a_session_round_trips_and_expires() -> None:
    codec = SessionCodec(KEY)
    session = codec.issue("AKIAEXAMPLE", 1000.0)
    cookie = codec.encode(session)
    assert codec.decode(cookie, 1000.0) == session
    assert codec.decode(cookie, 1000.0 + SESSION_SECONDS - 1) == session
    assert codec.decode(cookie, 1000.0 + SESSION_SECONDS) is None
    assert codec.decode(cookie, 999.0) is None


def test_a_tampered_or_foreign_cookie_is_refused() -> None:
    codec = SessionCodec(KEY)
    cookie = codec.encode(codec.issue("AKIAEXAMPLE", 1000.0))
    payload, signature = cookie.split(".")
    other = SessionCodec(b"o" * 32).encode(codec.issue("AKIAOTHER", 1000.0))
    for forged in (f"{other.split('.')[0]}.{signature}", f"{payload}.{other.split('.')[1]}", payload, "", "a.b.c"):
        assert codec.decode(forged, 1000.0) is None
    assert SessionCodec(b"o" * 32).decode(cookie, 1000.0) is None


def test_csrf_tokens_are_per_session() -> None:
    codec = SessionCodec(KEY)
    one, two = codec.issue("AKIAEXAMPLE", 0.0), codec.issue("AKIAEXAMPLE", 0.0)
    assert codec.csrf_ok(one, codec.csrf_token(one))
    assert not codec.csrf_ok(one, codec.csrf_token(two))
    assert not codec.csrf_ok(one, "")


def test_the_limiter_counts_failures_per_client_within_the_window() -> None:
    limiter = AttemptLimiter(attempts=3, window=60.0)
    for t in (0.0, 1.0, 2.0):
        assert limiter.retry_after("a", t) == 0.0
        limiter.failed("a", t)
    assert limiter.retry_after("a", 3.0) == 57.0
    assert limiter.retry_after("b", 3.0) == 0.0
    assert limiter.retry_after("a", 60.0) == 0.0  # the first failure left the window
    limiter.failed("a", 60.0)
    assert limiter.retry_after("a", 60.5) == 0.5


def change(at: float, old: str, new: str) -> AlarmStateChange:
    return AlarmStateChange("111122223333", "us-east-1", "cpu", "a-1", 1, at, old, new, "why")


def test_alarm_periods_from_the_history() -> None:
    history = [change(500, ALARM, OK), change(100, INSUFFICIENT_DATA, ALARM), change(800, OK, ALARM)]
    assert alarm_periods(ALARM, history, 0, 1000) == [(100, 500), (800, 1000)]
    assert alarm_periods(ALARM, history, 200, 600) == [(200, 500)]
    # In ALARM since before the oldest change kept, or with no change kept at all.
    assert alarm_periods(OK, [change(300, ALARM, OK)], 0, 1000) == [(0, 300)]
    assert alarm_periods(ALARM, [], 0, 1000) == [(0, 1000)]
    assert alarm_periods(OK, [], 0, 1000) == []


def test_a_chart_draws_its_datapoints_thresholds_and_alarm_periods_accessibly() -> None:
    chart = Chart(
        label='CPUUtilization (Average, Percent), last 1 hour <"x">',
        start=0,
        end=3600,
        points=[(0, 10.0), (300, 90.0), (1200, 40.0)],
        period=300,
        thresholds=[Threshold("cpu-high >= 80", 80.0)],
        alarm_periods=[(300, 900)],
    )
    svg = str(render_chart(chart))
    assert svg.startswith('<svg class="chart" role="img" aria-label="CPUUtilization (Average, Percent), last 1 hour')
    assert "&lt;&#34;x&#34;&gt;" in svg and '<"x">' not in svg
    assert svg.count('<circle class="point"') == 3
    # A gap of more than one period breaks the line.
    (path,) = re.findall(r'<path class="series" d="([^"]+)"', svg)
    assert [segment[0] for segment in path.split()] == ["M", "L", "M"]
    assert '<g class="threshold">' in svg and ">cpu-high &gt;= 80</text>" in svg
    assert svg.count('<rect class="alarm-period"') == 1
    assert "style=" not in svg and "<script" not in svg
    # The value axis reads in round numbers: 0, 50 and 100 for values up to 90.
    assert re.findall(r'<text class="axis"[^>]*text-anchor="end">([^<]+)</text>', svg)[:3] == ["0", "50", "100"]
    empty = str(render_chart(Chart("nothing", 0, 3600, [], 300)))
    assert "No data in this range" in empty


def test_a_refusal_goes_to_the_field_it_names_when_the_form_has_it() -> None:
    error = InvalidInputException("contactEndpoint: is not valid.")
    assert field_error("add-Email", ("contactEndpoint",), error).field == "contactEndpoint"
    assert field_error("add-Email", ("contactEndpoint",), error).message == "is not valid."
    listed = InvalidInputException("contactProtocols[0]: must be one of Email, SMS")
    assert field_error("alarm", ("contactProtocols",), listed).field == "contactProtocols"
    other = InvalidInputException("protocol: already has one.")
    placed = field_error("add-Email", ("contactEndpoint",), other)
    assert (placed.field, placed.message) == (None, "protocol: already has one.")
