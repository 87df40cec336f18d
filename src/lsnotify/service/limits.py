"""The limits on what one account can make lsnotify send or keep through the API: pure rules, and the checks.

- Verification emails: one per ``verification_interval`` seconds and ``verifications_per_day`` per day for the
  Email contact method of one (account, region). Every verification message queued in the scope counts, whatever
  became of it and whatever its address: a resend queues one, and so does deleting and creating the contact method
  again, with the same address or another (``Me@``, ``me+1@``… reach one person). Counted per scope rather than per
  account, so one address set up in several regions at once is not refused.
- TestAlarm: one call per alarm per ``test_alarm_interval`` seconds. A call too soon is refused rather than recorded
  without notifying: a test that reports success yet sends nothing would mislead whoever is testing.
- Monitored resources and alarms: at most ``max_resources`` and ``max_alarms`` per account, every region together
  (on top of Lightsail's two alarms per metric). A resource an agent reports through CloudWatch or OTLP beyond the
  cap is not registered: its datums feed nothing and are counted as such, as CloudWatch accepts any datum. The
  operator's ``lsnotify resources add`` and ``metrics put`` are not capped.

A wait is refused with ``OperationFailureException``, whose message says when the next call may succeed: nothing is
wrong with the input, and both operations list that error in Lightsail's model. (Not ``ThrottlingException``: the
SDKs retry it within seconds, which cannot outlast a one-minute window and only delays the answer.) A cap reached is
``InvalidInputException``, as a third alarm on one metric is. Every count comes from the store, so all nodes sharing
one PostgreSQL see the same. TestAlarm's pace is race-free (the store records a test only if none is as recent).
Verification emails racing through the same instant may each be queued, but a resend replaces the earlier link and
delivery drops an email whose link no longer works, so one of them goes out. Two creates racing for the last
resource or alarm under a cap may both pass.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from lsnotify.domain import Scope
from lsnotify.errors import InvalidInputException, OperationFailureException, shown
from lsnotify.storage.base import Store

DAY = 86400.0


@dataclass(frozen=True, slots=True)
class Limits:
    """The API's limits per account; 0 turns one off (the default of each: no limit)."""

    verification_interval: float = 0.0
    verifications_per_day: int = 0
    test_alarm_interval: float = 0.0
    max_resources: int = 0
    max_alarms: int = 0


NO_LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class Wait:
    """A refusal to do something before ``until``, and why."""

    until: float
    reason: str


def verification_wait(queued: Sequence[float], now: float, limits: Limits) -> Wait | None:
    """Whether a verification email may be queued now, given when the earlier ones to that address were (newest
    first; those of the last day suffice). None: it may."""
    waits = []
    interval = limits.verification_interval
    if interval and queued and now < queued[0] + interval:
        waits.append(Wait(queued[0] + interval, f"one was queued {_seconds(now - queued[0])} ago"))
    per_day = limits.verifications_per_day
    recent = [at for at in queued if at > now - DAY]
    if per_day and len(recent) >= per_day:
        waits.append(Wait(recent[per_day - 1] + DAY, f"{len(recent)} were queued in the last 24 hours"))
    return max(waits, key=lambda wait: wait.until) if waits else None


def alarm_test_wait(last_test: float | None, now: float, limits: Limits) -> Wait | None:
    """Whether an alarm last tested at ``last_test`` may be tested now. None: it may."""
    interval = limits.test_alarm_interval
    if not interval or last_test is None or now >= last_test + interval:
        return None
    return Wait(last_test + interval, f"it was tested {_seconds(now - last_test)} ago")


def refusal(wait: Wait, now: float, rule: str) -> OperationFailureException:
    when = datetime.fromtimestamp(wait.until, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return OperationFailureException(
        f"{rule}; {wait.reason}. The next one is allowed at {when} (in {_seconds(wait.until - now)})."
    )


def _seconds(seconds: float) -> str:
    """A duration as a person reads it: seconds up to two minutes, then minutes up to two hours, then hours."""
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds >= 2 * size:
            count = math.ceil(seconds / size)
            return f"{count} {unit}s"
    whole = max(1, math.ceil(seconds))
    return f"{whole} second{'s' if whole != 1 else ''}"


async def check_verification_allowed(store: Store, limits: Limits, scope: Scope, kind: str, now: float) -> None:
    """Raise ``OperationFailureException`` when the scope's Email contact method may not be sent a verification
    email now."""
    if not (limits.verification_interval or limits.verifications_per_day):
        return
    queued = await store.outbox_times(scope, kind, now - DAY)
    if (wait := verification_wait(queued, now, limits)) is not None:
        raise refusal(wait, now, _verification_rule(scope, limits))


def _verification_rule(scope: Scope, limits: Limits) -> str:
    parts = []
    if limits.verification_interval:
        parts.append(f"one every {_seconds(limits.verification_interval)}")
    if limits.verifications_per_day:
        parts.append(f"{limits.verifications_per_day} a day")
    return f"protocol: verification emails of the Email contact method in {scope.region} are limited to " + (
        " and ".join(parts)
    )


def alarm_test_refusal(alarm_name: str, last_test: float, now: float, limits: Limits) -> OperationFailureException:
    """The refusal of a TestAlarm on an alarm last tested at ``last_test``."""
    wait = Wait(last_test + limits.test_alarm_interval, f"it was tested {_seconds(now - last_test)} ago")
    rule = f"alarmName: {shown(alarm_name)} may be tested once every {_seconds(limits.test_alarm_interval)}"
    return refusal(wait, now, rule)


async def check_test_alarm_allowed(
    store: Store, limits: Limits, scope: Scope, alarm_name: str, operation_type: str, now: float
) -> None:
    """Raise ``OperationFailureException`` when the alarm was tested too recently to be tested again now: a quick
    look before the work; ``record_alarm_test_paced`` with ``tested_since`` is what holds, race-free."""
    if not limits.test_alarm_interval:
        return
    last = await store.last_operation_at(scope, alarm_name, operation_type)
    if last is not None and alarm_test_wait(last, now, limits) is not None:
        raise alarm_test_refusal(alarm_name, last, now, limits)


def tested_since(now: float, limits: Limits) -> float:
    """The earliest time an earlier test keeps an alarm from being tested at ``now``; never, without the limit."""
    return now - limits.test_alarm_interval if limits.test_alarm_interval else math.inf


def cap_reached(count: int, cap: int) -> bool:
    """Whether an account that has ``count`` of something may not add one more under ``cap`` (0: no cap)."""
    return bool(cap) and count >= cap


async def check_resource_room(store: Store, max_resources: int, account_id: str, field: str) -> None:
    """Raise ``InvalidInputException`` when the account may not register one more monitored resource."""
    if max_resources and cap_reached(await store.count_resources(account_id), max_resources):
        raise InvalidInputException(
            f"{field}: account {account_id} already has {max_resources} monitored resources, the most it may "
            "have in all regions together; delete one first."
        )


async def resources_without_room(store: Store, max_resources: int, scope: Scope, names: Collection[str]) -> set[str]:
    """Of the resources ``names`` one request reports, those the account may not register: the new ones beyond its
    room under ``max_resources`` (0: no cap), the names after the first ones in sorted order."""
    if not max_resources:
        return set()
    new = sorted([name for name in set(names) if await store.get_resource(scope, name) is None])
    if not new:
        return set()
    room = max(0, max_resources - await store.count_resources(scope.account_id))
    return set(new[room:])


async def check_alarm_room(store: Store, max_alarms: int, account_id: str) -> None:
    """Raise ``InvalidInputException`` when the account may not create one more alarm."""
    if max_alarms and cap_reached(await store.count_alarms(account_id), max_alarms):
        raise InvalidInputException(
            f"alarmName: account {account_id} already has {max_alarms} alarms, the most it may have in all "
            "regions together; delete one, or update an existing alarm with PutAlarm under its name."
        )
