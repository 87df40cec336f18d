"""SMS providers: ``sns`` publishes through an SNS-compatible API; ``webhook`` POSTs signed JSON to a URL.

``sns`` uses botocore's own SNS client (SigV4, retries, endpoints: nothing hand-rolled) on a worker thread, since
botocore blocks. ``webhook`` sends ``{"id", "idempotencyKey", "protocol", "destination", "text", "accountId",
"region", "createdAt"}`` with ``X-Lsnotify-Timestamp`` (epoch seconds) and ``X-Lsnotify-Signature:
sha256=<hex HMAC-SHA256 of "<timestamp>." + body, keyed with the webhook secret>``; a receiver recomputes it and
should refuse stale timestamps. 5xx answers, 408, 429 and timeouts are retried a few times on the spot (then by the
worker's policy); any other 4xx is permanent.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from typing import Any

import httpx
import orjson
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from botocore.session import Session

from lsnotify import __version__
from lsnotify.delivery.senders import DeliveryFailed, Envelope
from lsnotify.domain.json_fields import json_fields

WEBHOOK_TRIES = 3
WEBHOOK_BACKOFF = 0.5
_WEBHOOK_FIELDS = json_fields(
    "id", "idempotency_key", "protocol", "destination", "text", "account_id", "region", "created_at"
)
_THROTTLED = frozenset({"Throttling", "ThrottlingException", "ThrottledException", "TooManyRequestsException"})


class SnsSender:
    name = "sns"

    def __init__(
        self, *, endpoint_url: str, region: str, access_key_id: str, secret_access_key: str, timeout: float
    ) -> None:
        credentials: dict[str, Any] = {}
        if access_key_id:
            credentials = {"aws_access_key_id": access_key_id, "aws_secret_access_key": secret_access_key}
        self._client = Session().create_client(
            "sns",
            region_name=region,
            endpoint_url=endpoint_url or None,
            config=Config(
                connect_timeout=timeout, read_timeout=timeout, retries={"max_attempts": 2, "mode": "standard"}
            ),
            **credentials,
        )

    async def send(self, envelope: Envelope) -> None:
        try:
            await asyncio.to_thread(
                self._client.publish,
                PhoneNumber=envelope.destination,
                Message=envelope.text,
                MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}},
            )
        except ClientError as exc:
            error = exc.response.get("Error", {})
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 500)
            permanent = status < 500 and error.get("Code") not in _THROTTLED
            raise DeliveryFailed(f"SNS: {error.get('Code')}: {error.get('Message')}", permanent=permanent) from None
        except BotoCoreError as exc:
            raise DeliveryFailed(f"SNS: {exc}") from None

    async def close(self) -> None:
        self._client.close()


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Lsnotify-Signature`` value of a request with this timestamp and body."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class WebhookSender:
    name = "webhook"

    def __init__(self, *, url: str, secret: str, timeout: float, backoff: float = WEBHOOK_BACKOFF) -> None:
        self._url = url
        self._secret = secret
        self._backoff = backoff
        self._client = httpx.AsyncClient(timeout=timeout, follow_redirects=False)

    async def send(self, envelope: Envelope) -> None:
        body = orjson.dumps(_WEBHOOK_FIELDS(envelope))
        failure = ""
        for attempt in range(WEBHOOK_TRIES):
            if attempt:
                await asyncio.sleep(self._backoff * 2 ** (attempt - 1))
            timestamp = str(int(time.time()))
            headers = {
                "content-type": "application/json",
                "user-agent": f"lsnotify/{__version__}",
                "idempotency-key": envelope.idempotency_key,
                "x-lsnotify-timestamp": timestamp,
                "x-lsnotify-signature": webhook_signature(self._secret, timestamp, body),
            }
            try:
                response = await self._client.post(self._url, content=body, headers=headers)
            except httpx.TimeoutException:
                failure = f"webhook {self._url}: timed out"
                continue
            except httpx.TransportError as exc:
                failure = f"webhook {self._url}: {type(exc).__name__}: {exc}"
                continue
            if response.is_success:
                return
            failure = f"webhook {self._url}: HTTP {response.status_code}"
            if response.status_code < 500 and response.status_code not in (408, 429):
                raise DeliveryFailed(failure, permanent=True)
        raise DeliveryFailed(f"{failure} ({WEBHOOK_TRIES} tries)")

    async def close(self) -> None:
        await self._client.aclose()
