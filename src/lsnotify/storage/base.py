"""The Store interface: one method per use case, at the level of the domain, never of SQL.

Every implementation (SQLite, PostgreSQL) passes the same contract suite (``tests/contract``). Each mutating method
is one transaction: the state change, its ``Operation`` records and its outbox messages commit together or not at
all, and a method returns only once its transaction is durable. Every method that reads or writes user records
takes the (account, region) ``Scope`` first; no method crosses it.

Conflicts that only the database can decide race-free (one contact method per protocol, a limit on tags) are
raised as the exceptions below, which the service layer turns into wire errors.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from lsnotify.domain import AccessKey, Operation, OperationFor, Scope, Tag
from lsnotify.domain.alarms import Alarm, AlarmStateChange, MetricAggregate, MetricSeries, MonitoredResource
from lsnotify.domain.contacts import ContactMethod, VerificationToken
from lsnotify.domain.metrics import PERIOD_SECONDS
from lsnotify.domain.outbox import CapturedMessage, ClaimedMessage, OutboxMessage
from lsnotify.domain.scrape import ClaimedTarget, NodeCounters, ScrapeTarget


class StoreError(Exception):
    """Base of the conflicts a store reports."""


class RecordNotFound(StoreError):
    """The record the change applies to does not exist (any more)."""


class ContactMethodExists(StoreError):
    """The scope already has a contact method of this protocol."""

    def __init__(self, existing: ContactMethod) -> None:
        super().__init__(f"{existing.protocol} contact method exists")
        self.existing = existing


class AlreadyVerified(StoreError):
    """The contact method is already ``Valid``; there is nothing to verify."""


class TooManyTags(StoreError):
    """The change would leave the resource with more tags than allowed."""

    def __init__(self, count: int) -> None:
        super().__init__(f"{count} tags")
        self.count = count


@dataclass(frozen=True, slots=True)
class MessageFilter:
    """Which captured messages a dev-inbox query means; a field left None matches everything."""

    protocol: str | None = None
    destination: str | None = None
    account_id: str | None = None
    region: str | None = None


# -- alarms ----------------------------------------------------------------------------------------------------------


class ResourceExists(StoreError):
    """The scope already has a monitored resource of that name."""

    def __init__(self, existing: MonitoredResource) -> None:
        super().__init__(f"resource {existing.name} exists")
        self.existing = existing


class ResourceTypeMismatch(ResourceExists):
    """The resource is registered with another type than the one given."""


class AlarmLimitExceeded(StoreError):
    """The monitored resource's metric already has as many alarms as allowed (``ALARMS_PER_METRIC``)."""

    def __init__(self, existing: Sequence[str]) -> None:
        super().__init__(f"alarms {', '.join(existing)} exist")
        self.existing = tuple(existing)


class Store(Protocol):
    # -- lifecycle ------------------------------------------------------------------------------------------------
    async def open(self) -> None:
        """Connect. Does not change the schema: call ``migrate`` for that."""

    async def close(self) -> None:
        """Finish the writes already accepted, then disconnect."""

    async def migrate(self) -> list[str]:
        """Apply the pending schema migrations; return the names of those applied (all of them on a new database)."""

    async def ping(self) -> None:
        """Raise if the database does not answer."""

    # -- identity -------------------------------------------------------------------------------------------------
    async def create_access_key(self, key: AccessKey) -> None:
        """Store a new access key, creating its account if it is new."""

    async def get_access_key(self, access_key_id: str) -> AccessKey | None: ...

    async def list_access_keys(self, account_id: str | None = None) -> list[AccessKey]:
        """All keys, or one account's, oldest first."""

    async def set_access_key_status(self, access_key_id: str, status: str) -> None:
        """Raise ``RecordNotFound`` for an unknown key."""

    async def delete_access_key(self, access_key_id: str) -> None:
        """Raise ``RecordNotFound`` for an unknown key."""

    # -- contact methods ------------------------------------------------------------------------------------------
    async def create_contact_method(
        self,
        contact_method: ContactMethod,
        operation: Operation,
        outbox: Sequence[OutboxMessage] = (),
        token: VerificationToken | None = None,
    ) -> None:
        """Raise ``ContactMethodExists`` (with the existing one) when the scope has one of that protocol."""

    async def list_contact_methods(self, scope: Scope, protocols: Collection[str] | None = None) -> list[ContactMethod]:
        """The scope's contact methods, Email before SMS; only the given protocols when ``protocols`` is given."""

    async def delete_contact_method(self, scope: Scope, protocol: str, operation: Operation) -> ContactMethod:
        """Delete it with its verification tokens; raise ``RecordNotFound`` when there is none."""

    async def restart_verification(
        self,
        contact_method: ContactMethod,
        token: VerificationToken,
        operation: Operation,
        outbox: Sequence[OutboxMessage],
    ) -> ContactMethod:
        """Make ``contact_method`` pending again with a fresh token, dropping earlier tokens.

        Raise ``RecordNotFound`` when it no longer exists (same id), ``AlreadyVerified`` when it is ``Valid``.
        """

    async def confirm_verification(self, token_hash: str, now: float) -> ContactMethod:
        """Spend a token: its contact method becomes ``Valid`` and its tokens are dropped.

        Raise ``RecordNotFound`` when the token is unknown, spent or expired, or its method is gone.
        """

    # -- tags -----------------------------------------------------------------------------------------------------
    async def tag_resource(
        self, scope: Scope, resource_name: str, tags: Sequence[Tag], operation_for: OperationFor, max_tags: int
    ) -> Operation:
        """Find ``resource_name`` (the contact method of that name, else the alarm of that name) and merge ``tags``
        into its tags (a key present is overwritten), recording ``operation_for(resource)``, which may refuse by
        raising; raise ``TooManyTags`` past ``max_tags``, or ``RecordNotFound``. The operation recorded is returned.
        """

    async def untag_resource(
        self, scope: Scope, resource_name: str, keys: Collection[str], operation_for: OperationFor
    ) -> Operation:
        """As ``tag_resource``, dropping the keys present (absent keys are ignored)."""

    # -- operations -----------------------------------------------------------------------------------------------
    async def get_operation(self, scope: Scope, operation_id: str) -> Operation | None: ...

    async def list_operations(
        self,
        scope: Scope,
        *,
        limit: int,
        resource_name: str | None = None,
        after: tuple[float, str] | None = None,
    ) -> list[Operation]:
        """Newest first, ordered by (created_at, id) descending; ``after`` is the last (created_at, id) already seen."""

    # -- monitored resources and metric data ----------------------------------------------------------------------
    async def add_resource(self, resource: MonitoredResource, operation: Operation | None = None) -> None:
        """Register a resource and record ``operation`` (the user's request to register it, if there was one) in
        the same transaction; raise ``ResourceExists`` (with it) when its scope has one of that name, recording
        nothing."""

    async def get_resource(self, scope: Scope, name: str) -> MonitoredResource | None: ...

    async def list_resources(self, scope: Scope | None = None) -> list[MonitoredResource]:
        """The scope's resources by name; every scope's (by account, region, name) when ``scope`` is None."""

    async def delete_resource(self, scope: Scope, name: str) -> int:
        """Delete the resource, its metric data and its alarms (with their history); return how many alarms went.

        Raise ``RecordNotFound`` when there is none."""

    async def put_metric_data(
        self, resource: MonitoredResource, metric_name: str, aggregates: Sequence[MetricAggregate]
    ) -> MonitoredResource:
        """Add ``aggregates`` to the metric's stored points at every resolution (``domain.metrics.RESOLUTIONS``):
        counts and sums add up, minimum and maximum widen. Each aggregate counts at the minute its
        ``period_start`` falls in.

        A resource of that name that does not exist yet is registered as ``resource``, in the same transaction;
        one that exists with another type raises ``ResourceTypeMismatch`` and nothing is stored. Return the
        resource as stored."""

    async def put_metric_batch(self, batch: Sequence[MetricSeries]) -> list[MonitoredResource]:
        """Store every series of ``batch`` as ``put_metric_data`` does, all in ONE durable transaction.

        Return each series' resource as stored, in order: a series whose resource exists with another type than
        its own stores nothing (its caller tells by comparing the types), and the rest of the batch is stored."""

    async def get_metric_data(
        self,
        scope: Scope,
        resource_name: str,
        metric_name: str,
        first_period: int,
        last_period: int,
        resolution: int = PERIOD_SECONDS,
    ) -> list[MetricAggregate]:
        """The stored points of ``resolution`` seconds (by default an alarm's 5-minute periods) whose start lies in
        ``[first_period, last_period]``, oldest first."""

    async def prune_metric_data(self, cutoffs: Mapping[int, float], history_before: float) -> int:
        """Delete the points of each resolution in ``cutoffs`` that start before its cut-off, and alarm state
        changes made before ``history_before``; return how many rows went. Every scope at once: a housekeeping
        call, idempotent, which any number of processes may run at once."""

    # -- alarms ---------------------------------------------------------------------------------------------------
    async def put_alarm(self, alarm: Alarm, operation: Operation) -> Alarm:
        """Create ``alarm``, or overwrite the configuration of the scope's alarm of that name; return it as stored.

        An update keeps the stored id, creation time, state and tags, and adds one to the revision. The monitored
        resource must exist with ``alarm.resource``'s type (else ``RecordNotFound``). A (resource, metric) pair has
        at most ``ALARMS_PER_METRIC`` alarms, enforced by the database whatever the concurrency: one more raises
        ``AlarmLimitExceeded`` with the names of those present; an alarm that keeps its pair does not count twice."""

    async def get_alarm(self, scope: Scope, name: str) -> Alarm | None: ...

    async def list_alarms(
        self, scope: Scope, *, limit: int, resource_name: str | None = None, after: str | None = None
    ) -> list[Alarm]:
        """The scope's alarms by name, only those of ``resource_name`` when given; ``after`` is the last name seen."""

    async def delete_alarm(self, scope: Scope, name: str, operation: Operation) -> Alarm:
        """Delete the alarm with its history; raise ``RecordNotFound`` when there is none."""

    async def list_alarms_to_evaluate(self, *, limit: int, after: tuple[str, str, str] | None = None) -> list[Alarm]:
        """Every scope's alarms, ordered by (account, region, name); ``after`` is the last such key seen."""

    async def record_alarm_state(
        self, alarm: Alarm, change: AlarmStateChange, outbox: Sequence[OutboxMessage] = ()
    ) -> bool:
        """Compare-and-set: when the stored alarm still has ``alarm``'s id and revision, set its state from
        ``change`` (revision ``alarm.revision + 1``), record ``change`` in its history and enqueue ``outbox``, all in
        one transaction, and return True; otherwise change nothing and return False. Of several evaluators that read
        the same revision, exactly one records the change and sends its notifications."""

    async def record_alarm_test(self, alarm: Alarm, operation: Operation, outbox: Sequence[OutboxMessage]) -> None:
        """Record a TestAlarm operation and enqueue its notifications, leaving the alarm as it is; raise
        ``RecordNotFound`` when the alarm (that id) no longer exists."""

    async def list_alarm_history(self, scope: Scope, alarm_name: str, limit: int = 100) -> list[AlarmStateChange]:
        """The alarm's state changes, newest first."""

    # -- scrape targets -------------------------------------------------------------------------------------------
    async def set_scrape_target(self, scope: Scope, resource_name: str, url: str, now: float) -> ScrapeTarget:
        """Watch the Instance ``resource_name`` through the node_exporter at ``url``; return the target as stored.

        A new target, or a new URL, is due at ``now`` with no counters (a new series); the same URL again changes
        nothing. Raise ``RecordNotFound`` when there is no such resource, ``ResourceTypeMismatch`` when it is not an
        Instance. Deleting the resource deletes its target."""

    async def delete_scrape_target(self, scope: Scope, resource_name: str) -> None:
        """Stop scraping the resource; raise ``RecordNotFound`` when it has no target."""

    async def list_scrape_targets(self, scope: Scope | None = None) -> list[ScrapeTarget]:
        """The scope's targets by resource name; every scope's (by account, region, name) when ``scope`` is None."""

    async def claim_scrape_targets(
        self, scraper: str, now: float, limit: int, lease_seconds: float
    ) -> list[ClaimedTarget]:
        """Claim up to ``limit`` due targets (``due_at <= now``), the longest-waiting first, leasing each to
        ``scraper`` until ``now + lease_seconds``: due again after that, so a dead scraper's targets come back.
        Claims are exclusive: of several scrapers claiming at once (any process, any node), each target goes to one."""

    async def record_scrape(self, claimed: ClaimedTarget, counters: NodeCounters | None, next_due_at: float) -> bool:
        """Record a claimed target's scrape: its counters (None, after a failed scrape, keeps the previous ones) and
        when it is next due, releasing the claim. Change nothing and return False when the claim no longer holds
        (the lease ran out and another scraper claimed the target, or its URL changed, or it was removed)."""

    # -- outbox ---------------------------------------------------------------------------------------------------
    async def list_outbox(self, status: str | None = None, limit: int = 1000) -> list[OutboxMessage]:
        """Outbox messages, oldest first; only those of ``status`` when given."""

    # -- delivery: claiming outbox messages, recording results, the dead letters, the dev inbox ---------------------
    async def enqueue_outbox(self, messages: Sequence[OutboxMessage]) -> None:
        """Write messages to deliver in one transaction, for a cause that changes nothing else (e.g. a test alarm).

        A change that causes messages writes them in its own transaction instead (see ``create_contact_method``).
        """

    async def claim_outbox(self, worker: str, now: float, limit: int, lease_seconds: float) -> list[ClaimedMessage]:
        """Claim up to ``limit`` due messages (pending, ``next_attempt_at <= now``), the longest-waiting first.

        Each claimed message counts one more attempt and is leased to ``worker`` until ``now + lease_seconds``: it is
        due again after that, so the messages of a worker that died come back. Claims are exclusive: of several
        workers (threads or processes on one database) claiming at once, each message goes to one of them.
        """

    async def record_outbox_sent(self, claimed: ClaimedMessage, now: float) -> None:
        """The message was delivered: mark it ``sent`` (whoever holds the lease by now; a duplicate is harmless)."""

    async def record_outbox_failure(self, claimed: ClaimedMessage, error: str, retry_at: float | None) -> bool:
        """The attempt failed: retry at ``retry_at``, or dead-letter the message when it is None.

        Changes nothing and returns False when the claim no longer holds (its lease ran out and another worker
        claimed the message, or it was delivered meanwhile).
        """

    async def retry_outbox(self, message_ids: Collection[str] | None, now: float) -> list[str]:
        """Give dead messages (these, or all of them when None) a new round of attempts, due at once.

        Return the ids requeued; ids that are unknown or not dead are left alone.
        """

    async def outbox_counts(self) -> dict[str, int]:
        """How many messages are in each state (``pending``, ``sent``, ``dead``, ``suppressed``), zero included."""

    async def prune_outbox(self, sent_before: float) -> int:
        """Delete messages sent, or suppressed, before ``sent_before``; return how many."""

    async def capture_message(self, message: CapturedMessage) -> None:
        """Keep a message for the dev inbox; capturing the same id again keeps the first copy."""

    async def list_captured_messages(
        self, where: MessageFilter, limit: int = 1000, *, newest_first: bool = False
    ) -> list[CapturedMessage]:
        """Up to ``limit`` messages matching ``where``: the oldest, oldest first, or the newest, newest first."""

    async def delete_captured_messages(self, where: MessageFilter) -> int:
        """Delete the captured messages matching ``where``; return how many."""

    async def peek_verification(self, token_hash: str, now: float) -> ContactMethod | None:
        """The contact method a live token would verify, changing nothing; None when the token is not live."""

    # -- limits: what the outbound limits count, and the one outcome they add -----------------------------------
    async def outbox_times(self, scope: Scope, kind: str, since: float) -> list[float]:
        """When the scope's messages of ``kind`` were queued, at ``since`` or later, newest first; whatever became of
        them (pending, sent, dead or suppressed)."""

    async def count_sent(self, account_id: str, protocol: str, since: float, excluding: Collection[str] = ()) -> int:
        """How many of the account's ``protocol`` messages (every region) were sent at ``since`` or later, leaving
        out the messages of the ids in ``excluding`` (those a worker counts itself while it sends them)."""

    async def record_outbox_suppressed(self, claimed: ClaimedMessage, reason: str) -> bool:
        """Settle the message as ``suppressed`` with ``reason``: never sent, never retried. Changes nothing and
        returns False when the claim no longer holds (as ``record_outbox_failure``)."""

    async def record_alarm_test_paced(
        self, alarm: Alarm, operation: Operation, outbox: Sequence[OutboxMessage], tested_since: float
    ) -> float | None:
        """``record_alarm_test``, unless the alarm has an operation of ``operation``'s type recorded at
        ``tested_since`` or later: then change nothing and return that operation's time. Of concurrent calls, those
        after the first see its operation (a compare-and-set, whatever the number of nodes)."""

    async def last_operation_at(self, scope: Scope, resource_name: str, operation_type: str) -> float | None:
        """When the newest operation of ``operation_type`` on ``resource_name`` was recorded; None when none was."""

    async def count_resources(self, account_id: str) -> int:
        """How many monitored resources the account has, in every region."""

    async def count_alarms(self, account_id: str) -> int:
        """How many alarms the account has, in every region."""
