"""The API endpoint: a pure ASGI app that takes a signed AWS JSON 1.1 request to an operation handler and back.

It serves one ``ApiService`` per ``X-Amz-Target`` prefix, each made by ``api_service`` from a botocore-format model
and its handlers: Lightsail's (``Lightsail_20161128``) and lsnotify's own (``LsNotify_20261127``, metric intake on
the same endpoint with the same keys and region scope).

Per request: read the body (at most ``max_body_bytes``, within ``body_timeout`` seconds) → find the operation in
``X-Amz-Target`` → authenticate (SigV4) → parse and validate the JSON against the model → run the handler →
serialize. Every failure becomes a ``WireError`` response; anything else is a bug, logged with its request id and
answered with ``ServiceException``. A body too large or too slow is answered (413, 408) and its connection closed,
so the client cannot go on sending it.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.model import ServiceModel
from starlette.types import Receive, Scope, Send

from lsnotify.awsjson.lsnotify_model import lsnotify_model
from lsnotify.awsjson.model import lightsail_model
from lsnotify.awsjson.parse import parse_body, parse_target
from lsnotify.awsjson.serialize import ResponseSerializer, WireResponse, serialize_error
from lsnotify.awsjson.validate import InputValidator
from lsnotify.context import RequestContext
from lsnotify.errors import (
    ServiceException,
    UnknownOperationException,
    UnsupportedOperationException,
    WireError,
)
from lsnotify.identity import Authenticator
from lsnotify.service import Services
from lsnotify.service.api import LSNOTIFY_OPERATIONS, OPERATIONS, Handler
from lsnotify.web.access_log import printable
from lsnotify.web.body import ClientDisconnected
from lsnotify.web.body_deadline import BodyDeadline
from lsnotify.web.loop_watch import LoopWatch
from lsnotify.web.signed_requests import RequestGate, ends_connection, request_ids, respond
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


def api_service(model: ServiceModel, handlers: Mapping[str, Handler]) -> ApiService:
    """What serves ``model``'s target prefix: ``handlers`` run its operations, and the model checks their input and
    shapes their output."""
    served = list(handlers)
    return ApiService(
        prefix=str(model.metadata["targetPrefix"]),
        handlers=handlers,
        validator=InputValidator(model, served),
        serializer=ResponseSerializer((name, model.operation_model(name).output_shape) for name in served),
        modeled_operations=frozenset(model.operation_names),
    )


def api_services() -> list[ApiService]:
    """Every prefix lsnotify answers: Lightsail's operations and its own."""
    return [api_service(lightsail_model(), OPERATIONS), api_service(lsnotify_model(), LSNOTIFY_OPERATIONS)]


def modeled_operations(services: Iterable[ApiService]) -> frozenset[str]:
    """The operation names of every service's model: the names a request may be counted under in ``/metrics``."""
    return frozenset().union(*(service.modeled_operations for service in services))


class ApiEndpoint:
    def __init__(
        self,
        *,
        services: list[ApiService],
        authenticator: Authenticator,
        deps: Services,
        max_body_bytes: int,
        body_timeout: float,
        access_log: bool,
        observe: Observer | None = None,
        loop_watch: LoopWatch | None = None,
        throttle: TokenBuckets | None = None,
    ) -> None:
        self._services = {service.prefix: service for service in services}
        self._prefixes = frozenset(self._services)
        self._gate = RequestGate.of(
            authenticator, max_body_bytes, BodyDeadline(body_timeout), access_log, throttle, log
        )
        self._deps = deps
        self._observe = observe
        self._loop_watch = loop_watch
        self._slow_after = loop_watch.blocked if loop_watch is not None else math.inf
        self._request_ids = request_ids()

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
        close = False
        try:
            body = await self._gate.body(receive, length)
            prefix, operation = parse_target(target, self._prefixes)
            service = self._services[prefix]
            ctx, response = await self._handle(service, operation, scope, body, request_id, target)
        except ClientDisconnected:
            return
        except Exception as error:
            response = _error_response(error, request_id, target)
            close = ends_connection(error)
        await respond(send, response, close)
        elapsed = time.perf_counter() - started
        if self._observe is not None:
            self._observe(operation, response.status, elapsed)
        if elapsed > self._slow_after and self._loop_watch is not None:
            self._loop_watch.request_finished(request_id, operation, started, started + elapsed)
        self._gate.log(request_id, printable(operation or target or "-"), response.status, elapsed, ctx)

    async def _handle(
        self, service: ApiService, operation: str, scope: Scope, body: bytes, request_id: str, target: str | None
    ) -> tuple[RequestContext, WireResponse]:
        """The request's context and response; once the request is authenticated, its errors are answered here, so
        that the access log names who made a request that was refused."""
        handler = service.handlers.get(operation)
        if handler is None and operation not in service.modeled_operations:
            raise UnknownOperationException(f"{operation!r} is not an operation of {service.prefix}.")
        principal = await self._gate.principal(scope, body)
        ctx = RequestContext(request_id, principal.account_id, principal.region, operation, principal.access_key_id)
        try:
            if handler is None:
                raise UnsupportedOperationException(
                    f"{operation} is a Lightsail operation that lsnotify does not serve; lsnotify serves "
                    f"{', '.join(sorted(service.handlers))}."
                )
            params: dict[str, Any] = parse_body(body)
            service.validator.validate(operation, params)
            result = await handler(self._deps, ctx, params)
            return ctx, service.serializer.success(operation, result, request_id)
        except Exception as error:
            return ctx, _error_response(error, request_id, target)


def _error_response(error: Exception, request_id: str, target: str | None) -> WireResponse:
    """A ``WireError`` as the client should see it; any other error is a bug, logged and answered as one."""
    if isinstance(error, WireError):
        return serialize_error(error, request_id)
    log.error("request %s (%s) failed", request_id, printable(target or "-"), exc_info=error)
    return serialize_error(ServiceException(), request_id)
