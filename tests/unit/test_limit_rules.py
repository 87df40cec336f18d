"""The limits' pure rules (resend windows, TestAlarm's pace, caps, the token bucket), the hourly quota inside a real
worker on a real SQLite store, and the settings that turn them off."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from test_worker import NOW, Clock, RecordingSender, add_contact_method, make_worker

from lsnotify.config import (
    DEFAULT_SMS_COUNTRIES,
    LIMITS_OFF,
    ConfigError,
    Settings,
    load_settings,
    without_limits,
)
from lsnotify.delivery.quota import Quota, over_cap
from lsnotify.delivery.worker import Worker
from lsnotify.domain import Operation, new_id
from lsnotify.domain.contacts import EMAIL, SMS, VALID, ContactMethod
from lsnotify.domain.outbox import OUTBOX_SENT, OUTBOX_SUPPRESSED
from lsnotify.errors import InvalidInputException, OperationFailureException
from lsnotify.service.contact_methods import check_phone_number
from lsnotify.service.limits import DAY, Limits, alarm_test_wait, cap_reached, refusal, verification_wait
from lsnotify.service.notify import new_notification
from lsnotify.storage.sqlite.store import SqliteStore
from lsnotify.web.throttle import TokenBuckets

LIMITS = Limits(verification_interval=60.0, verifications_per_day=3, test_alarm_interval=60.0)


# -- verification emails -----------------------------------------------------------------------------------------


def test_the_first_verification_email_may_always_go() -> None:
    assert verification_wait([], NOW, LIMITS) is None


def test_a_second_email_within_the_interval_waits_for_its_end() -> None:
    wait = verification_wait([NOW - 20], NOW, LIMITS)
    assert wait is not None and wait.until == NOW + 40 and "20 seconds ago" in wait.reason
    assert verification_wait([NOW - 60], NOW, LIMITS) is None  # the interval is over at its end


def test_a_full_day_waits_until_the_oldest_counted_email_is_a_day_old() -> None:
    queued = [NOW - 100, NOW - 5000, NOW - 9000]  # newest first, three in the day: the cap
    wait = verification_wait(queued, NOW, LIMITS)
    assert wait is not None and wait.until == NOW - 9000 + DAY and "3 were queued in the last 24 hours" in wait.reason
    assert verification_wait([NOW - 100, NOW - 5000, NOW - DAY - 1], NOW, LIMITS) is None  # one is over a day old


def test_of_two_waits_the_longer_one_is_given() -> None:
    wait = verification_wait([NOW - 10, NOW - 5000, NOW - 9000], NOW, LIMITS)
    assert wait is not None and wait.until == NOW - 9000 + DAY


def test_zero_turns_each_verification_limit_off() -> None:
    assert verification_wait([NOW - 1] * 50, NOW, Limits()) is None
    assert verification_wait([NOW - 1], NOW, Limits(verifications_per_day=3)) is None
    assert verification_wait([NOW - 100] * 3, NOW, Limits(verification_interval=60.0)) is None


def test_a_refusal_says_the_rule_the_reason_and_when_the_next_is_allowed() -> None:
    wait = verification_wait([NOW - 20.5], NOW, LIMITS)
    assert wait is not None
    error = refusal(wait, NOW, "contactEndpoint: one a minute")
    assert isinstance(error, OperationFailureException) and error.status == 400
    assert error.message.startswith("contactEndpoint: one a minute; one was queued 21 seconds ago.")
    assert "The next one is allowed at 2027-01-15 08:00:39 UTC (in 40 seconds)." in error.message
    day = verification_wait([NOW - 100, NOW - 5000, NOW - 9000], NOW, LIMITS)
    assert day is not None and refusal(day, NOW, "rule").message.endswith("(in 22 hours).")
    hour = verification_wait([NOW - 10], NOW, Limits(verification_interval=3600.0))
    assert hour is not None and refusal(hour, NOW, "rule").message.endswith("(in 60 minutes).")


# -- TestAlarm, caps ---------------------------------------------------------------------------------------------


def test_an_alarm_may_be_tested_once_per_interval() -> None:
    assert alarm_test_wait(None, NOW, LIMITS) is None
    wait = alarm_test_wait(NOW - 59, NOW, LIMITS)
    assert wait is not None and wait.until == NOW + 1
    assert alarm_test_wait(NOW - 60, NOW, LIMITS) is None
    assert alarm_test_wait(NOW - 1, NOW, Limits()) is None


def test_caps() -> None:
    assert not cap_reached(999, 1000) and cap_reached(1000, 1000) and not cap_reached(10**6, 0)
    assert not over_cap(1, 2) and over_cap(2, 2) and not over_cap(10**6, 0)


# -- SMS countries -----------------------------------------------------------------------------------------------


def test_sms_goes_only_to_the_allowed_countries() -> None:
    assert check_phone_number("+14255550100", DEFAULT_SMS_COUNTRIES) == "+14255550100"
    assert check_phone_number("+447911123456", DEFAULT_SMS_COUNTRIES)  # a Guernsey number, +44 like the UK
    with pytest.raises(InvalidInputException, match=r"SMS to NG numbers is not allowed on this server"):
        check_phone_number("+2348031234567", DEFAULT_SMS_COUNTRIES)
    assert check_phone_number("+2348031234567", frozenset({"*"}))
    with pytest.raises(InvalidInputException, match=r"allowed countries: none: SMS is disabled"):
        check_phone_number("+14255550100", frozenset())


# -- the token bucket --------------------------------------------------------------------------------------------


def test_a_token_bucket_allows_its_burst_then_its_rate_per_key() -> None:
    now = [0.0]
    buckets = TokenBuckets(rate=2.0, burst=3, clock=lambda: now[0])
    assert [buckets.take("AKIA1") for _ in range(4)] == [True, True, True, False]
    assert buckets.take("AKIA2")  # another key has its own bucket
    now[0] = 0.5  # one token back at 2 a second
    assert buckets.take("AKIA1") and not buckets.take("AKIA1")
    now[0] = 100.0  # refills up to the burst, no more
    assert [buckets.take("AKIA1") for _ in range(4)] == [True, True, True, False]


# -- settings ----------------------------------------------------------------------------------------------------


def test_every_limit_is_on_by_default_and_without_limits_turns_each_off() -> None:
    defaults = Settings()
    assert (defaults.verification_interval, defaults.verifications_per_day) == (60.0, 10)
    assert (defaults.emails_per_hour, defaults.sms_per_hour, defaults.test_alarm_interval) == (1000, 100, 60.0)
    assert (defaults.max_resources, defaults.max_alarms, defaults.api_rate) == (1000, 1000, 0.0)
    assert defaults.sms_countries == DEFAULT_SMS_COUNTRIES and "*" not in defaults.sms_countries
    relaxed = without_limits(defaults)
    assert {name: getattr(relaxed, name) for name in LIMITS_OFF} == LIMITS_OFF
    assert relaxed.smtp_timeout == defaults.smtp_timeout  # nothing else changes


@pytest.mark.parametrize(
    ("environ", "fragment"),
    [
        ({"LSNOTIFY_SMS_COUNTRIES": "us"}, "sms_countries: us not ISO 3166"),
        ({"LSNOTIFY_EMAILS_PER_HOUR": "-1"}, "emails_per_hour: must not be negative"),
        ({"LSNOTIFY_TEST_ALARM_INTERVAL": "-5"}, "test_alarm_interval: must not be negative"),
        ({"LSNOTIFY_API_RATE": "5", "LSNOTIFY_API_BURST": "0"}, "api_burst: must be at least 1"),
        ({"LSNOTIFY_OUTBOX_RETENTION": "3600"}, "outbox_retention: must be at least 86400"),
    ],
)
def test_bad_limit_settings_are_refused(environ: dict[str, str], fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        load_settings(None, environ)


def test_a_short_outbox_retention_is_fine_once_the_counting_limits_are_off() -> None:
    environ = {"LSNOTIFY_OUTBOX_RETENTION": "3600", "LSNOTIFY_VERIFICATIONS_PER_DAY": "0"}
    environ |= {"LSNOTIFY_EMAILS_PER_HOUR": "0", "LSNOTIFY_SMS_PER_HOUR": "0"}
    assert load_settings(None, environ).outbox_retention == 3600.0


# -- the hourly quota, in a worker -------------------------------------------------------------------------------


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    store = SqliteStore(tmp_path / "quota.db")
    await store.open()
    await store.migrate()
    yield store
    await store.close()


def quota_worker(store: SqliteStore, sender: RecordingSender, clock: Clock, outcomes: list[tuple[str, str]]) -> Worker:
    """``make_worker``'s worker (a batch of 8, 4 sends at once) with a cap of 3 SMS an hour and none for email."""
    return make_worker(store, sender, clock, outcomes, Quota(store, {EMAIL: 0, SMS: 3}))


async def test_messages_over_the_hourly_cap_are_suppressed_even_when_sent_at_once(store: SqliteStore) -> None:
    clock, sender, outcomes = Clock(), RecordingSender(), []
    sms = await add_contact_method(store, SMS, "+14255550100", VALID)
    email = await add_contact_method(store, EMAIL, "ops@example.com", VALID)
    texts = [new_notification(sms, subject="", text=f"sms {i}", html="", now=NOW) for i in range(5)]
    mails = [new_notification(email, subject="s", text=f"mail {i}", html="h", now=NOW) for i in range(3)]
    await store.enqueue_outbox([*texts, *mails])
    worker = quota_worker(store, sender, clock, outcomes)
    assert await worker.run_once() == 8  # one batch, four sends at a time: the ones in flight count
    sent_texts = [e.text for e in sender.sent if e.protocol == SMS]
    assert len(sent_texts) == 3
    assert len([e for e in sender.sent if e.protocol == EMAIL]) == 3  # no cap for email here
    suppressed = await store.list_outbox(OUTBOX_SUPPRESSED)
    assert sorted([*sent_texts, *(m.payload["text"] for m in suppressed)]) == [f"sms {i}" for i in range(5)]
    assert all(
        m.last_error == "suppressed: account 111111111111 was sent 3 SMS message(s) in the last hour, "
        "its cap (--sms-per-hour 3)"
        for m in suppressed
    )
    assert outcomes.count(("fake", "suppressed")) == 2 and outcomes.count(("fake", "sent")) == 6

    # An hour after those were sent, the account may be sent more.
    await store.enqueue_outbox([new_notification(sms, subject="", text="later", html="", now=NOW)])
    clock.now = NOW + 3601
    await worker.run_once()
    assert sender.sent[-1].text == "later"
    assert len(await store.list_outbox(OUTBOX_SENT)) == 7


async def test_the_cap_is_per_account(store: SqliteStore) -> None:
    clock, sender, outcomes = Clock(), RecordingSender(), []
    mine = await add_contact_method(store, SMS, "+14255550100", VALID)
    theirs = ContactMethod("222222222222", "us-east-1", SMS, "+14255550101", VALID, new_id(), NOW)
    await store.create_contact_method(theirs, Operation(new_id(), theirs.account_id, theirs.region, theirs.name, "C",
                                                        "Create", NOW))  # fmt: skip
    await store.enqueue_outbox(
        [new_notification(cm, subject="", text=f"{cm.account_id} {i}", html="", now=NOW) for cm in (mine, theirs)
         for i in range(4)]
    )  # fmt: skip
    await quota_worker(store, sender, clock, outcomes).run_once()
    sent_to = [e.destination for e in sender.sent]
    assert sent_to.count("+14255550100") == 3 and sent_to.count("+14255550101") == 3
