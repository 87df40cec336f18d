"""The API endpoint: a pure ASGI app that takes a signed AWS JSON 1.1 request to an operation handler and back.

Per request: read the body (at most ``max_body_bytes``) → find the operation in ``X-Amz-Target`` → authenticate
(SigV4) → parse and validate the JSON against the model → run the handler → serialize. Every failure becomes a
``WireError`` response; anything else is a bug, logged with its request id and answered with ``ServiceException``.
"""

from __future__ import annotations

import itertools
import logging
import secrets
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.types import Receive, Scope, Send

from lsnotify.awsjson.parse import parse_body, parse_target
from lsnotify.awsjson.serialize import ResponseSerializer, WireResponse, serialize_error
from lsnotify.awsjson.sigv4 import SignedRequest
from lsnotify.awsjson.validate import InputValidator
from lsnotify.context import RequestContext
from lsnotify.errors import (
    RequestEntityTooLargeException,
    ServiceException,
    UnknownOperationException,
    UnsupportedOperationException,
    WireError,
)
from lsnotify.identity import Authenticator
from lsnotify.service.deps import Handler, Services
from lsnotify.web.access_log import AccessLog
from lsnotify.web.throttle import TokenBuckets

log = logging.getLogger("lsnotify.api")

# Called once per request with (operation or None, HTTP status, seconds taken).
Observer = Callable[[str | None, int, float], None]


@dataclass(frozen=True)
class ApiService:
    """One ``X-Amz-Target`` prefix and what serves it."""

    prefix: str
    handlers: Mapping[str, Handler]
    validator: InputValidator
    serializer: ResponseSerializer
    modeled_operations: frozenset[str]
    """Every operation of the prefix's model, served or not: an unserved one gets a clear refusal."""


class _TooLarge(Exception):
    pass


class _Disconnected(Exception):
    """The client went away before its request body arrived in full: there is nobody to answer."""


def request_ids() -> Callable[[], str]:
    """A source of request ids in UUID form: a random prefix, then a counter.

    Unique like ``uuid4`` (74 random bits a process, 48 bits of counter) at a tenth of its cost, which is a system
    call for 16 random bytes and a UUID object per request.
    """
    prefix = str(uuid.uuid4())[:24]
    counter = itertools.count(secrets.randbits(40))
    return lambda: f"{prefix}{next(counter):012x}"


class ApiEndpoint:
    def __init__(
        self,
        *,
        services: list[ApiService],
        authenticator: Authenticator,
        deps: Services,
        max_body_bytes: int,
        access_log: bool,
        observe: Observer | None = None,
        throttle: TokenBuckets | None = None,
    ) -> None:
        self._services = {service.prefix: service for service in services}
        self._prefixes = frozenset(self._services)
        self._authenticator = authenticator
        self._deps = deps
        self._max_body_bytes = max_body_bytes
        self._access_log = AccessLog(log) if access_log else None
        self._observe = observe
        self._request_ids = request_ids()
        self._throttle = throttle

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        request_id = self._request_ids()
        target = length = None
        for name, value in scope["headers"]:
            if name == b"x-amz-target":
                target = value.decode("latin-1")
            elif name == b"content-length":
                length = value
        ctx: RequestContext | None = None
        operation: str | None = None
        try:
            body = await self._read_body(receive, length)
            prefix, operation = parse_target(target, self._prefixes)
            service = self._services[prefix]
            ctx, response = await self._handle(service, operation, scope, body, request_id)
        except _Disconnected:
            return
        except _TooLarge:
            error = RequestEntityTooLargeException(f"The request body is larger than {self._max_body_bytes} bytes.")
            response = serialize_error(error, request_id)
            response.headers.append((b"connection", b"close"))
        except WireError as error:
            response = serialize_error(error, request_id)
        except Exception:
            log.exception("request %s (%s) failed", request_id, target)
            response = serialize_error(ServiceException(), request_id)
        await send(
            {
                "type": "http.response.start",
                "status": response.status,
                "headers": [*response.headers, (b"content-length", str(len(response.body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": response.body})
        elapsed = time.perf_counter() - started
        if self._observe is not None:
            self._observe(operation, response.status, elapsed)
        if self._access_log is not None:
            self._access_log.write(
                f"{request_id} {operation or target} {response.status} {elapsed * 1000:.1f}ms "
                f"account={ctx.account_id if ctx else '-'} region={ctx.region if ctx else '-'}"
            )

    async def _read_body(self, receive: Receive, length: bytes | None) -> bytes:
        if length is not None and length.isdigit() and int(length) > self._max_body_bytes:
            raise _TooLarge
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Disconnected
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self._max_body_bytes:
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _handle(
        self, service: ApiService, operation: str, scope: Scope, body: bytes, request_id: str
    ) -> tuple[RequestContext, WireResponse]:
        handler = service.handlers.get(operation)
        if handler is None and operation not in service.modeled_operations:
            raise UnknownOperationException(f"{operation!r} is not an operation of {service.prefix}.")
        signed = SignedRequest(
            scope["method"], scope["raw_path"] or b"/", scope["query_string"], scope["headers"], body
        )
        principal = await self._authenticator.authenticate(signed)
        if self._throttle is not None:
            self._throttle.check(principal.access_key_id)
        ctx = RequestContext(request_id, principal.account_id, principal.region, operation, principal.access_key_id)
        if handler is None:
            raise UnsupportedOperationException(
                f"{operation} is a Lightsail operation that lsnotify does not serve; lsnotify serves "
                f"{', '.join(sorted(service.handlers))}."
            )
        params: dict[str, Any] = parse_body(body)
        service.validator.validate(operation, params)
        result = await handler(self._deps, ctx, params)
        return ctx, service.serializer.success(operation, result, request_id)
