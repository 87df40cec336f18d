"""``SqlStore``: every method of the Store protocol, once, as a read or a transaction of the shared functions.

A dialect's store subclasses it and supplies ``_read`` (run a function of an ``Executor`` outside a transaction)
and ``_write`` (run it as one durable transaction), plus its lifecycle; it overrides a method only where the dialect
does better (SQLite's cached contact-method reads, its cheap look before claiming).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Mapping, Sequence
from typing import ParamSpec, TypeVar

from lsnotify.domain import AccessKey, Operation, OperationFor, Scope, Tag
from lsnotify.domain.alarms import Alarm, AlarmStateChange, MetricAggregate, MetricSeries, MonitoredResource
from lsnotify.domain.contacts import ContactMethod, VerificationToken
from lsnotify.domain.metrics import PERIOD_SECONDS
from lsnotify.domain.outbox import CapturedMessage, ClaimedMessage, OutboxMessage
from lsnotify.domain.scrape import ClaimedTarget, NodeCounters, ScrapeTarget
from lsnotify.storage import access_keys, alarms, contact_methods, limits, operations, outbox, scrape_targets
from lsnotify.storage.base import MessageFilter
from lsnotify.storage.executor import StoreFn
from lsnotify.storage.tags import change_tags

T = TypeVar("T")
P = ParamSpec("P")


class SqlStore(ABC):
    """The Store methods of both SQL dialects; see the module docstring."""

    @abstractmethod
    async def _read(self, fn: StoreFn[P, T], *args: P.args, **kw: P.kwargs) -> T:
        """``fn(executor, *args)`` on a connection of its own choosing, outside a transaction."""

    @abstractmethod
    async def _write(self, fn: StoreFn[P, T], *args: P.args, **kw: P.kwargs) -> T:
        """``fn(executor, *args)`` as one transaction, returning once it is durable."""

    # -- identity ---------------------------------------------------------------------------------------------------
    async def create_access_key(self, key: AccessKey) -> None:
        await self._write(access_keys.create_access_key, key)

    async def get_access_key(self, access_key_id: str) -> AccessKey | None:
        return await self._read(access_keys.get_access_key, access_key_id)

    async def list_access_keys(self, account_id: str | None = None) -> list[AccessKey]:
        return await self._read(access_keys.list_access_keys, account_id)

    async def set_access_key_status(self, access_key_id: str, status: str) -> None:
        await self._write(access_keys.set_access_key_status, access_key_id, status)

    async def delete_access_key(self, access_key_id: str) -> None:
        await self._write(access_keys.delete_access_key, access_key_id)

    # -- contact methods --------------------------------------------------------------------------------------------
    async def create_contact_method(
        self,
        contact_method: ContactMethod,
        operation: Operation,
        outbox: Sequence[OutboxMessage] = (),
        token: VerificationToken | None = None,
    ) -> None:
        await self._write(contact_methods.create_contact_method, contact_method, operation, outbox, token)

    async def list_contact_methods(self, scope: Scope, protocols: Collection[str] | None = None) -> list[ContactMethod]:
        return await self._read(contact_methods.list_contact_methods, scope, protocols)

    async def delete_contact_method(self, scope: Scope, protocol: str, operation: Operation) -> ContactMethod:
        return await self._write(contact_methods.delete_contact_method, scope, protocol, operation)

    async def restart_verification(
        self,
        contact_method: ContactMethod,
        token: VerificationToken,
        operation: Operation,
        outbox: Sequence[OutboxMessage],
    ) -> ContactMethod:
        return await self._write(contact_methods.restart_verification, contact_method, token, operation, outbox)

    async def confirm_verification(self, token_hash: str, now: float) -> ContactMethod:
        return await self._write(contact_methods.confirm_verification, token_hash, now)

    async def peek_verification(self, token_hash: str, now: float) -> ContactMethod | None:
        return await self._read(contact_methods.peek_verification, token_hash, now)

    # -- tags -------------------------------------------------------------------------------------------------------
    async def tag_resource(
        self, scope: Scope, resource_name: str, tags: Sequence[Tag], operation_for: OperationFor, max_tags: int
    ) -> Operation:
        def merge(current: dict[str, str | None]) -> None:
            current.update((tag.key, tag.value) for tag in tags)

        return await self._write(change_tags, scope, resource_name, merge, operation_for, max_tags)

    async def untag_resource(
        self, scope: Scope, resource_name: str, keys: Collection[str], operation_for: OperationFor
    ) -> Operation:
        def drop(current: dict[str, str | None]) -> None:
            for key in keys:
                current.pop(key, None)

        return await self._write(change_tags, scope, resource_name, drop, operation_for, None)

    # -- operations -------------------------------------------------------------------------------------------------
    async def get_operation(self, scope: Scope, operation_id: str) -> Operation | None:
        return await self._read(operations.get_operation, scope, operation_id)

    async def list_operations(
        self,
        scope: Scope,
        *,
        limit: int,
        resource_name: str | None = None,
        after: tuple[float, str] | None = None,
    ) -> list[Operation]:
        return await self._read(operations.list_operations, scope, limit, resource_name, after)

    # -- monitored resources and metric data ------------------------------------------------------------------------
    async def add_resource(self, resource: MonitoredResource, operation: Operation | None = None) -> None:
        await self._write(alarms.add_resource, resource, operation)

    async def get_resource(self, scope: Scope, name: str) -> MonitoredResource | None:
        return await self._read(alarms.get_resource, scope, name)

    async def list_resources(self, scope: Scope | None = None) -> list[MonitoredResource]:
        return await self._read(alarms.list_resources, scope)

    async def delete_resource(self, scope: Scope, name: str) -> int:
        return await self._write(alarms.delete_resource, scope, name)

    async def put_metric_data(
        self, resource: MonitoredResource, metric_name: str, aggregates: Sequence[MetricAggregate]
    ) -> MonitoredResource:
        return await self._write(alarms.put_metric_data, resource, metric_name, aggregates)

    async def put_metric_batch(self, batch: Sequence[MetricSeries]) -> list[MonitoredResource]:
        return await self._write(alarms.put_metric_batch, batch)

    async def get_metric_data(
        self,
        scope: Scope,
        resource_name: str,
        metric_name: str,
        first_period: int,
        last_period: int,
        resolution: int = PERIOD_SECONDS,
    ) -> list[MetricAggregate]:
        return await self._read(
            alarms.get_metric_data, scope, resource_name, metric_name, first_period, last_period, resolution
        )

    async def prune_metric_data(self, cutoffs: Mapping[int, float], history_before: float) -> int:
        return await self._write(alarms.prune_metric_data, cutoffs, history_before)

    # -- alarms -----------------------------------------------------------------------------------------------------
    async def put_alarm(self, alarm: Alarm, operation: Operation) -> Alarm:
        return await self._write(alarms.put_alarm, alarm, operation)

    async def get_alarm(self, scope: Scope, name: str) -> Alarm | None:
        return await self._read(alarms.get_alarm, scope, name)

    async def list_alarms(
        self, scope: Scope, *, limit: int, resource_name: str | None = None, after: str | None = None
    ) -> list[Alarm]:
        return await self._read(alarms.list_alarms, scope, limit, resource_name, after)

    async def delete_alarm(self, scope: Scope, name: str, operation: Operation) -> Alarm:
        return await self._write(alarms.delete_alarm, scope, name, operation)

    async def list_alarms_to_evaluate(self, *, limit: int, after: tuple[str, str, str] | None = None) -> list[Alarm]:
        return await self._read(alarms.list_alarms_to_evaluate, limit, after)

    async def record_alarm_state(
        self, alarm: Alarm, change: AlarmStateChange, outbox: Sequence[OutboxMessage] = ()
    ) -> bool:
        return await self._write(alarms.record_alarm_state, alarm, change, outbox)

    async def record_alarm_test(self, alarm: Alarm, operation: Operation, outbox: Sequence[OutboxMessage]) -> None:
        await self._write(alarms.record_alarm_test, alarm, operation, outbox)

    async def list_alarm_history(self, scope: Scope, alarm_name: str, limit: int = 100) -> list[AlarmStateChange]:
        return await self._read(alarms.list_alarm_history, scope, alarm_name, limit)

    # -- scrape targets ---------------------------------------------------------------------------------------------
    async def set_scrape_target(self, scope: Scope, resource_name: str, url: str, now: float) -> ScrapeTarget:
        return await self._write(scrape_targets.set_target, scope, resource_name, url, now)

    async def delete_scrape_target(self, scope: Scope, resource_name: str) -> None:
        await self._write(scrape_targets.delete_target, scope, resource_name)

    async def list_scrape_targets(self, scope: Scope | None = None) -> list[ScrapeTarget]:
        return await self._read(scrape_targets.list_targets, scope)

    async def claim_scrape_targets(
        self, scraper: str, now: float, limit: int, lease_seconds: float
    ) -> list[ClaimedTarget]:
        return await self._write(scrape_targets.claim, scraper, now, limit, lease_seconds)

    async def record_scrape(self, claimed: ClaimedTarget, counters: NodeCounters | None, next_due_at: float) -> bool:
        return await self._write(scrape_targets.record, claimed, counters, next_due_at)

    # -- the outbox and delivery ------------------------------------------------------------------------------------
    async def list_outbox(self, status: str | None = None, limit: int = 1000) -> list[OutboxMessage]:
        return await self._read(outbox.list_outbox, status, limit)

    async def enqueue_outbox(self, messages: Sequence[OutboxMessage]) -> None:
        await self._write(outbox.insert_outbox, messages)

    async def claim_outbox(self, worker: str, now: float, limit: int, lease_seconds: float) -> list[ClaimedMessage]:
        return await self._write(outbox.claim, worker, now, limit, lease_seconds)

    async def record_outbox_sent(self, claimed: ClaimedMessage, now: float) -> None:
        await self._write(outbox.record_sent, claimed, now)

    async def record_outbox_failure(self, claimed: ClaimedMessage, error: str, retry_at: float | None) -> bool:
        return await self._write(outbox.record_failure, claimed, error, retry_at)

    async def retry_outbox(self, message_ids: Collection[str] | None, now: float) -> list[str]:
        return await self._write(outbox.retry, message_ids, now)

    async def outbox_counts(self) -> dict[str, int]:
        return await self._read(outbox.counts)

    async def prune_outbox(self, sent_before: float) -> int:
        return await self._write(outbox.prune, sent_before)

    async def capture_message(self, message: CapturedMessage) -> None:
        await self._write(outbox.capture, message)

    async def list_captured_messages(
        self, where: MessageFilter, limit: int = 1000, *, newest_first: bool = False
    ) -> list[CapturedMessage]:
        return await self._read(outbox.list_captured, where, limit, newest_first)

    async def delete_captured_messages(self, where: MessageFilter) -> int:
        return await self._write(outbox.delete_captured, where)

    # -- limits: what the outbound limits count, and the one outcome they add ---------------------------------------
    async def outbox_times(self, scope: Scope, kind: str, since: float) -> list[float]:
        return await self._read(limits.outbox_times, scope, kind, since)

    async def count_sent(self, account_id: str, protocol: str, since: float, excluding: Collection[str] = ()) -> int:
        return await self._read(limits.count_sent, account_id, protocol, since, excluding)

    async def record_outbox_suppressed(self, claimed: ClaimedMessage, reason: str) -> bool:
        return await self._write(limits.record_suppressed, claimed, reason)

    async def record_alarm_test_paced(
        self, alarm: Alarm, operation: Operation, outbox: Sequence[OutboxMessage], tested_since: float
    ) -> float | None:
        return await self._write(limits.record_alarm_test_paced, alarm, operation, outbox, tested_since)

    async def last_operation_at(self, scope: Scope, resource_name: str, operation_type: str) -> float | None:
        return await self._read(limits.last_operation_at, scope, resource_name, operation_type)

    async def count_resources(self, account_id: str) -> int:
        return await self._read(limits.count_resources, account_id)

    async def count_alarms(self, account_id: str) -> int:
        return await self._read(limits.count_alarms, account_id)
