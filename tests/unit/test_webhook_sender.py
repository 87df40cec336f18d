"""The webhook SMS sender against a real local HTTP receiver that checks its signatures."""

from __future__ import annotations

import pytest

from lsnotify.delivery.senders import DeliveryFailed, Envelope
from lsnotify.delivery.sms import WebhookSender, webhook_signature
from webhook_receiver import WebhookReceiver

SMS = Envelope("m-1", "key-1", "SMS", "+14255550100", "CPU at 99%", "111111111111", "us-east-1", 1_800_000_000.0)


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    # Computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac key
    expected = "sha256=a438e398bfafc57e4396bb7fc2304422f0f768e965d073ca313cb52e22e6ad03"
    assert webhook_signature("key", "1700000000", b'{"a":1}') == expected
    assert webhook_signature("other", "1700000000", b'{"a":1}') != expected


async def test_5xx_and_timeouts_are_retried_on_the_spot_with_fresh_signatures() -> None:
    receiver = WebhookReceiver("s3cret", iter([503, "hang", 200]), hang_seconds=1.0).start()
    try:
        sender = WebhookSender(url=receiver.url, secret="s3cret", timeout=0.3, backoff=0.05)
        await sender.send(SMS)
        await sender.close()
    finally:
        receiver.stop()
    assert len(receiver.deliveries) == 3 and all(d.signature_valid for d in receiver.deliveries)
    body = receiver.deliveries[-1].body
    assert body == {
        "id": "m-1", "idempotencyKey": "key-1", "protocol": "SMS", "destination": "+14255550100",
        "text": "CPU at 99%", "accountId": "111111111111", "region": "us-east-1", "createdAt": 1_800_000_000.0,
    }  # fmt: skip
    assert {d.headers["idempotency-key"] for d in receiver.deliveries} == {"key-1"}


async def test_a_wrong_secret_is_refused_by_the_receiver_and_that_is_permanent() -> None:
    receiver = WebhookReceiver("the-real-secret").start()
    try:
        sender = WebhookSender(url=receiver.url, secret="a-guess", timeout=2.0, backoff=0.05)
        with pytest.raises(DeliveryFailed) as raised:
            await sender.send(SMS)
        await sender.close()
    finally:
        receiver.stop()
    assert raised.value.permanent and "HTTP 401" in str(raised.value)
    assert [d.signature_valid for d in receiver.deliveries] == [False]


async def test_a_receiver_that_stays_broken_fails_transiently_after_three_tries() -> None:
    receiver = WebhookReceiver("s", iter([500, 502, 503, 200])).start()
    try:
        sender = WebhookSender(url=receiver.url, secret="s", timeout=2.0, backoff=0.01)
        with pytest.raises(DeliveryFailed) as raised:
            await sender.send(SMS)
        await sender.close()
    finally:
        receiver.stop()
    assert not raised.value.permanent and "HTTP 503 (3 tries)" in str(raised.value)
    assert len(receiver.deliveries) == 3
