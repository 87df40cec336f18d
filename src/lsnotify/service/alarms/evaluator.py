"""The alarm evaluator: every interval, evaluate every alarm and record its state changes with their notifications.

``run_once(now)`` is one tick, the unit tests drive; ``run()`` repeats it every ``interval`` seconds until ``stop()``,
which lets a tick in progress finish. The evaluator runs inside ``lsnotify serve`` (unless ``--no-evaluate-alarms``)
or as ``lsnotify evaluator``. Any number of them may share one database: a state change is a compare-and-set on the
alarm's revision (``Store.record_alarm_state``) committed together with its history entry and its notifications,
whose idempotency key is ``alarm-<alarm id>-<revision>-<protocol>``, so of the evaluators that read one revision
exactly one records the change and notifies. Every tick also prunes (at most once an hour) the metric points of each
resolution older than its retention (which is all the downsampling there is: every datapoint was added to its
1-minute, 5-minute and 1-hour points when it was stored) and alarm state changes older than ``retention``. Pruning is
an idempotent ``DELETE``, so several evaluators on one database may all run it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math

from lsnotify.clock import Clock
from lsnotify.domain import Scope
from lsnotify.domain.alarms import Alarm, AlarmStateChange
from lsnotify.domain.metrics import MetricRetention
from lsnotify.messages.alarms import AlarmNotice
from lsnotify.service.alarms.metrics import metric_info
from lsnotify.service.alarms.notices import notification_messages, should_notify
from lsnotify.service.alarms.rule import Rule, evaluate, window_starts
from lsnotify.service.background import finish
from lsnotify.storage.base import Store

log = logging.getLogger("lsnotify.alarms")

BATCH_SIZE = 500
PRUNE_EVERY_SECONDS = 3600.0


def rule_of(alarm: Alarm) -> Rule:
    return Rule(
        alarm.comparison_operator,
        alarm.threshold,
        alarm.evaluation_periods,
        alarm.datapoints_to_alarm,
        alarm.treat_missing_data,
    )


class AlarmEvaluator:
    def __init__(
        self, store: Store, clock: Clock, interval: float, retention: float, points: MetricRetention | None = None
    ) -> None:
        self._store = store
        self._clock = clock
        self._interval = interval
        self._retention = retention
        self._points = points or MetricRetention()
        self._last_prune = -math.inf
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def run_once(self, now: float) -> int:
        """Evaluate every alarm at ``now``; return how many changed state (by this evaluator's hand)."""
        changed = 0
        after: tuple[str, str, str] | None = None
        while True:
            alarms = await self._store.list_alarms_to_evaluate(limit=BATCH_SIZE, after=after)
            # Concurrently, so that the state changes of a batch share their durable commits (group commit).
            changed += sum(await asyncio.gather(*(self._evaluate_logging_errors(alarm, now) for alarm in alarms)))
            if len(alarms) < BATCH_SIZE:
                break
            after = (alarms[-1].account_id, alarms[-1].region, alarms[-1].name)
        if now - self._last_prune >= PRUNE_EVERY_SECONDS:
            pruned = await self._store.prune_metric_data(self._points.cutoffs(now), now - self._retention)
            self._last_prune = now
            if pruned:
                log.info("pruned %d metric points and alarm state changes older than their retention", pruned)
        return changed

    async def _evaluate_logging_errors(self, alarm: Alarm, now: float) -> bool:
        try:
            return await self.evaluate_alarm(alarm, now)
        except Exception:
            log.exception("alarm %s (account %s, %s) could not be evaluated", alarm.name, *_where(alarm))
            return False

    async def evaluate_alarm(self, alarm: Alarm, now: float) -> bool:
        """Evaluate one alarm; record its state change, if any, and return whether this call recorded one."""
        scope = Scope(alarm.account_id, alarm.region)
        info = metric_info(alarm.resource.resource_type, alarm.metric_name)
        starts = window_starts(alarm.evaluation_periods, now)
        stored = await self._store.get_metric_data(scope, alarm.resource.name, alarm.metric_name, starts[0], starts[-1])
        values = {period.period_start: period.statistic(info.statistic) for period in stored}
        window = [(start, values.get(start)) for start in starts]
        outcome = evaluate(rule_of(alarm), window, alarm.state)
        if outcome.state == alarm.state:
            return False
        revision = alarm.revision + 1
        messages = []
        if should_notify(alarm, outcome.state):
            notice = AlarmNotice(
                alarm, alarm.state, outcome.state, outcome.reason, now, outcome.deciding, info.statistic, info.unit
            )
            methods = await self._store.list_contact_methods(scope, alarm.contact_protocols)
            messages = notification_messages(notice, methods, now, f"alarm-{alarm.id}-{revision}")
        change = AlarmStateChange(
            alarm.account_id,
            alarm.region,
            alarm.name,
            alarm.id,
            revision,
            now,
            alarm.state,
            outcome.state,
            outcome.reason,
            tuple(window),
            tuple((message.protocol, message.destination) for message in messages),
        )
        if not await self._store.record_alarm_state(alarm, change, messages):
            log.debug(
                "alarm %s (account %s, %s) changed since it was read; this evaluation is dropped",
                alarm.name,
                *_where(alarm),
            )
            return False
        log.info(
            "alarm %s (account %s, %s): %s -> %s: %s %d notification(s) queued",
            alarm.name, *_where(alarm), alarm.state, outcome.state, outcome.reason, len(messages),
        )  # fmt: skip
        return True

    async def run(self) -> None:
        """Tick every ``interval`` seconds until ``stop()``; a failed tick is logged and the next one tries again."""
        log.info("alarm evaluator running every %g seconds", self._interval)
        while not self._stopping.is_set():
            try:
                await self.run_once(self._clock())
            except Exception:
                log.exception("alarm evaluation failed; trying again in %g seconds", self._interval)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self._interval)

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="lsnotify-alarm-evaluator")

    async def stop(self, timeout: float = 30.0) -> None:
        """Let the tick in progress finish (up to ``timeout`` seconds, then cancel it) and end the loop."""
        self._stopping.set()
        if self._task is None:
            return
        await finish(self._task, timeout, "alarm evaluator", log)
        self._task = None


def _where(alarm: Alarm) -> tuple[str, str]:
    return alarm.account_id, alarm.region
