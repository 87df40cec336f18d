"""The retry policy, a pure function of attempts, times and a random draw."""

from __future__ import annotations

import pytest

from lsnotify.delivery.retry import RetryPolicy

POLICY = RetryPolicy(max_attempts=5, max_age=3600.0, base_delay=10.0, max_delay=100.0, jitter=0.5)


def test_delays_double_up_to_the_cap_without_jitter() -> None:
    assert [POLICY.delay(n, draw=0.0) for n in range(1, 7)] == [10.0, 20.0, 40.0, 80.0, 100.0, 100.0]


def test_jitter_takes_off_up_to_its_share_of_the_delay() -> None:
    assert POLICY.delay(1, draw=0.5) == 7.5
    assert POLICY.delay(3, draw=0.999) == pytest.approx(20.02)
    never_random = RetryPolicy(max_attempts=5, max_age=3600.0, base_delay=10.0, max_delay=100.0, jitter=0.0)
    assert never_random.delay(2, draw=0.9) == 20.0


def test_next_attempt_is_now_plus_the_delay() -> None:
    assert POLICY.next_attempt_at(2, queued_at=1000.0, now=1100.0, draw=lambda: 0.0) == 1120.0


def test_dead_after_max_attempts() -> None:
    assert POLICY.next_attempt_at(4, queued_at=0.0, now=10.0, draw=lambda: 0.0) == 90.0
    assert POLICY.next_attempt_at(5, queued_at=0.0, now=10.0, draw=lambda: 0.0) is None
    assert POLICY.next_attempt_at(50, queued_at=0.0, now=10.0, draw=lambda: 0.0) is None


def test_dead_when_the_next_attempt_would_pass_the_maximum_age() -> None:
    assert POLICY.next_attempt_at(1, queued_at=0.0, now=3590.0, draw=lambda: 0.0) == 3600.0
    assert POLICY.next_attempt_at(1, queued_at=0.0, now=3591.0, draw=lambda: 0.0) is None


def test_huge_attempt_counts_do_not_overflow() -> None:
    policy = RetryPolicy(max_attempts=10_000, max_age=1e12, base_delay=1.0, max_delay=60.0)
    assert policy.delay(5000, draw=0.0) == 60.0
