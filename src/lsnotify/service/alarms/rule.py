"""Alarm evaluation: M out of N with ``treatMissingData``, as Lightsail documents it (docs/lightsail-behavior.md,
"Alarm evaluation").

Pure: from an alarm's rule, the values of the periods in its evaluation range and its current state, decide the next
state and say why. The Lightsail guide's rules ("Alarms in Amazon Lightsail", graphs A–J):

* The evaluation range is N + 2 periods (the guide's examples: N = 3, range 5), the newest being the period now in
  progress, so a datapoint counts from the moment it arrives.
* With at least N real datapoints in the range, the most recent N decide and ``treatMissingData`` plays no part:
  ALARM when at least M of them breach, else OK.
* With fewer, ``breaching``/``notBreaching`` fill the missing ones as breaching/not breaching; ``missing`` goes to
  INSUFFICIENT_DATA when there is no datapoint at all and otherwise alarms when at least min(M, datapoints present)
  breach; ``ignore`` keeps the state when there is no datapoint, or when ``missing`` would alarm only because fewer
  than M datapoints are present, and otherwise decides as ``missing`` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lsnotify.domain.alarms import ALARM, COMPARISONS, EXTRA_PERIODS, INSUFFICIENT_DATA, OK, breaches
from lsnotify.domain.metrics import PERIOD_SECONDS, period_start


@dataclass(frozen=True, slots=True)
class Rule:
    comparison_operator: str
    threshold: float
    evaluation_periods: int
    datapoints_to_alarm: int
    treat_missing_data: str


@dataclass(frozen=True, slots=True)
class Outcome:
    state: str
    reason: str
    deciding: tuple[tuple[int, float], ...]
    """(period start, value) of the real datapoints that decided, oldest first."""
    filled: int = 0
    """How many missing datapoints ``breaching``/``notBreaching`` filled in."""


def evaluation_range(evaluation_periods: int) -> int:
    return evaluation_periods + EXTRA_PERIODS


def window_starts(evaluation_periods: int, now: float) -> list[int]:
    """The starts of the periods in the evaluation range at ``now``, oldest first; the last one holds ``now``."""
    newest = period_start(now)
    count = evaluation_range(evaluation_periods)
    return [newest - (count - 1 - i) * PERIOD_SECONDS for i in range(count)]


def evaluate(rule: Rule, window: Sequence[tuple[int, float | None]], current_state: str) -> Outcome:
    """The state ``window`` (the evaluation range's periods, oldest first; None where missing) calls for."""
    n, m = rule.evaluation_periods, rule.datapoints_to_alarm
    real = [(start, value) for start, value in window if value is not None]
    if len(real) >= n:
        deciding = real[-n:]
        count = _breaching(rule, deciding)
        return _decided(rule, count >= m, count, f"the last {n} datapoints", deciding)
    count = _breaching(rule, real)
    missing = n - len(real)
    treat = rule.treat_missing_data
    if treat in ("breaching", "notBreaching"):
        filled_breaching = missing if treat == "breaching" else 0
        what = f"the last {n} datapoints ({missing} missing, treated as {treat})"
        return _decided(rule, count + filled_breaching >= m, count + filled_breaching, what, real, missing)
    if not real:
        if treat == "ignore":
            return Outcome(current_state, _no_data(len(window), treat, "the state is kept"), ())
        return Outcome(INSUFFICIENT_DATA, _no_data(len(window), treat, "the alarm has insufficient data"), ())
    needed = min(m, len(real))
    if treat == "ignore" and needed <= count < m:
        reason = (
            f"Unchanged: {count} of the {len(real)} datapoints present in the last {len(window)} periods breach, "
            f"fewer than the {m} needed to alarm; missing data is ignored, so the state is kept."
        )
        return Outcome(current_state, reason, tuple(real))
    what = f"the {len(real)} datapoints present in the last {len(window)} periods"
    return _decided(rule, count >= needed, count, what, real, needed=needed)


def _breaching(rule: Rule, points: Sequence[tuple[int, float]]) -> int:
    return sum(breaches(rule.comparison_operator, value, rule.threshold) for _, value in points)


def _decided(
    rule: Rule,
    alarm: bool,
    count: int,
    what: str,
    deciding: Sequence[tuple[int, float]],
    filled: int = 0,
    needed: int | None = None,
) -> Outcome:
    words = COMPARISONS[rule.comparison_operator][1]
    needed = rule.datapoints_to_alarm if needed is None else needed
    verb = "was" if count == 1 else "were"
    values = ", ".join(f"{value:g}" for _, value in deciding)
    reason = (
        f"Threshold {'crossed' if alarm else 'not crossed'}: {count} of {what} [{values}] {verb} {words} the "
        f"threshold ({rule.threshold:g}); {needed} {'is' if needed == 1 else 'are'} needed to alarm."
    )
    return Outcome(ALARM if alarm else OK, reason, tuple(deciding), filled)


def _no_data(periods: int, treat: str, consequence: str) -> str:
    return (
        f"Insufficient data: no datapoints in the last {periods} periods; treatMissingData is {treat}, "
        f"so {consequence}."
    )
