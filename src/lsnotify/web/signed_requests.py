"""What every signed request goes through, whichever protocol carries it (the Lightsail API, CloudWatch's three,
OTLP): its request id, its body read under a size bound and a deadline, its signature and its key's rate, sending
its answer, and its line in the access log. Each endpoint parses the request and shapes its answer in its own protocol.
"""

from __future__ import annotations

import itertools
import logging
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import Receive, Scope, Send

from lsnotify.awsjson.serialize import WireResponse
from lsnotify.awsjson.sigv4 import SignedRequest
from lsnotify.context import RequestContext
from lsnotify.errors import RequestEntityTooLargeException, RequestTimeoutException
from lsnotify.identity import Authenticator, Principal
from lsnotify.web.access_log import AccessLog
from lsnotify.web.body import BodyTooLarge, read_body
from lsnotify.web.body_deadline import BodyDeadline, BodyTooSlow
from lsnotify.web.throttle import TokenBuckets


def request_ids() -> Callable[[], str]:
    """A source of request ids in UUID form: a random prefix, then a counter.

    Unique like ``uuid4`` (74 random bits a process, 48 bits of counter) at a tenth of its cost, which is a system
    call for 16 random bytes and a UUID object per request.
    """
    prefix = str(uuid.uuid4())[:24]
    counter = itertools.count(secrets.randbits(40))
    return lambda: f"{prefix}{next(counter):012x}"


def ends_connection(error: Exception) -> bool:
    """Whether the answer to ``error`` must be the connection's last: the rest of the body was not read."""
    return isinstance(error, RequestEntityTooLargeException | RequestTimeoutException)


@dataclass(frozen=True, slots=True)
class RequestGate:
    """Reads, authenticates and logs the requests of one endpoint."""

    authenticator: Authenticator
    max_body_bytes: int
    body_deadline: BodyDeadline
    access_log: AccessLog | None
    throttle: TokenBuckets | None = None

    @classmethod
    def of(
        cls,
        authenticator: Authenticator,
        max_body_bytes: int,
        body_deadline: BodyDeadline,
        access_log: bool,
        throttle: TokenBuckets | None,
        logger: logging.Logger,
    ) -> RequestGate:
        return cls(authenticator, max_body_bytes, body_deadline, AccessLog(logger) if access_log else None, throttle)

    async def body(self, receive: Receive, length: bytes | None) -> bytes:
        """The body as sent (what the signature covers); ``ClientDisconnected`` when the client went away, and a
        ``WireError`` for which ``ends_connection`` holds when it is too large or too slow."""
        try:
            return await read_body(receive, length, self.max_body_bytes, self.body_deadline)
        except BodyTooLarge:
            raise RequestEntityTooLargeException(
                f"The request body is larger than {self.max_body_bytes} bytes."
            ) from None
        except BodyTooSlow:
            raise RequestTimeoutException(
                f"The request body did not arrive within {self.body_deadline.seconds:g} seconds."
            ) from None

    async def principal(self, scope: Scope, body: bytes) -> Principal:
        """Who signed the request, once the signature and the key's rate allow it."""
        signed = SignedRequest(
            scope["method"], scope["raw_path"] or b"/", scope["query_string"], scope["headers"], body
        )
        principal = await self.authenticator.authenticate(signed)
        if self.throttle is not None:
            self.throttle.check(principal.access_key_id)
        return principal

    def log(self, request_id: str, operation: str, status: int, elapsed: float, ctx: RequestContext | None) -> None:
        """The request's access-log line; ``operation`` must already be safe to print."""
        if self.access_log is None:
            return
        if ctx is None:
            self.access_log.write(f"{request_id} {operation} {status} {elapsed * 1000:.1f}ms account=- key=- region=-")
        else:
            self.access_log.write(
                f"{request_id} {operation} {status} {elapsed * 1000:.1f}ms "
                f"account={ctx.account_id} key={ctx.access_key_id} region={ctx.region}"
            )


async def respond(send: Send, response: WireResponse, close: bool = False) -> None:
    """Send ``response``; with ``close``, as the connection's last."""
    headers = [*response.headers, (b"content-length", str(len(response.body)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})
