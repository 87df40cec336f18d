"""The CloudWatch endpoint: ``PutMetricData`` in AWS JSON 1.0, AWS Query and Smithy RPC v2 CBOR, on the API's port.

Per request: which protocol (the CBOR path, the ``GraniteServiceVersion20100801.`` target, else a form-encoded
``POST /``) → read the body → authenticate (SigV4, service ``monitoring``) → the operation (any other CloudWatch
operation is refused by name) → decompress and parse in the protocol → validate against botocore's CloudWatch model
→ ``service.alarms.cloudwatch.put_metric_data`` → answer in the protocol. Datums that feed no Lightsail metric are
counted in ``/metrics`` and logged once per account and name.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Final

from starlette.types import Receive, Scope, Send

from lsnotify.awsjson import cbor, query
from lsnotify.awsjson.cloudwatch import (
    cloudwatch_model,
    input_validator,
    json_error,
    json_success,
    operation_names,
    target_prefix,
)
from lsnotify.awsjson.parse import parse_body
from lsnotify.awsjson.serialize import WireResponse
from lsnotify.context import RequestContext
from lsnotify.errors import (
    InternalServiceFault,
    UnknownOperationException,
    UnsupportedOperationException,
    WireError,
)
from lsnotify.service.alarms.cloudwatch import put_metric_data
from lsnotify.web.body import ClientDisconnected
from lsnotify.web.ingest import IngestEndpoint, IngestSetup, header
from lsnotify.web.signed_requests import ends_connection, respond

log = logging.getLogger("lsnotify.cloudwatch")

SERVED: Final = "PutMetricData"
JSON, QUERY, CBOR = "cloudwatch-json", "cloudwatch-query", "cloudwatch-cbor"


class CloudWatchEndpoint(IngestEndpoint):
    def __init__(self, setup: IngestSetup) -> None:
        super().__init__(setup)
        self._validator = input_validator([SERVED])
        self._input_shape = cloudwatch_model().operation_model(SERVED).input_shape
        self._namespace = str(cloudwatch_model().metadata["xmlNamespace"])
        self._prefix = target_prefix()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        request_id = self.request_ids()
        protocol, operation = self._protocol(scope)
        ctx: RequestContext | None = None
        form: dict[str, Any] | None = None
        close = False
        try:
            body = await self.read_body(scope, receive)
            principal = await self.gate.principal(scope, body)
            body = self.decoded(scope, body)
            if protocol == QUERY:
                operation, form = query.parse_form(body, self._input_shape)
            ctx = RequestContext(request_id, principal.account_id, principal.region, operation, principal.access_key_id)
            self._check_operation(operation)
            params = self._params(protocol, body, form)
            self._validator.validate(SERVED, params)
            report = await put_metric_data(self.setup.deps, ctx, params, self.setup.metric_names)
            self.took_in("cloudwatch", ctx.account_id, report)
            response = self._success(protocol, request_id)
        except ClientDisconnected:
            return
        except WireError as error:
            close = ends_connection(error)
            response = self._error(protocol, scope, error, request_id)
        except Exception:
            log.exception("CloudWatch request %s (%r) failed", request_id, operation)
            response = self._error(protocol, scope, InternalServiceFault(), request_id)
        await respond(send, response, close)
        self.setup.counters.observe_request(protocol, response.status)
        named = operation if operation in operation_names() else "-"  # never the client's text: it may be anything
        self.gate.log(request_id, f"CloudWatch.{named}", response.status, time.perf_counter() - started, ctx)

    def _protocol(self, scope: Scope) -> tuple[str, str]:
        """(protocol, operation) as far as the request line and headers tell; Query names it in the body."""
        if path := cbor.parse_path(scope["path"]):
            return CBOR, path[1] if path[0] == self._prefix else ""
        target = header(scope, b"x-amz-target")
        if target is not None:
            return JSON, target.partition(".")[2]
        return QUERY, ""

    def _check_operation(self, operation: str) -> None:
        if operation == SERVED:
            return
        if operation in operation_names():
            raise UnsupportedOperationException(
                f"{operation} is a CloudWatch operation that lsnotify does not serve; lsnotify serves {SERVED} only."
            )
        shown = operation[:100] or "no operation"
        raise UnknownOperationException(f"{shown!r} is not an operation of CloudWatch ({self._prefix}).")

    def _params(self, protocol: str, body: bytes, form: dict[str, Any] | None) -> dict[str, Any]:
        """The input in the JSON protocol's types; ``form``: the Query request's keys, already read."""
        if protocol == JSON:
            return parse_body(body)
        if protocol == CBOR:
            return cbor.parse_body(body, self._input_shape)
        return query.from_tree(self._input_shape, form) if self._input_shape is not None else {}

    def _success(self, protocol: str, request_id: str) -> WireResponse:
        if protocol == JSON:
            return json_success(request_id)
        if protocol == CBOR:
            return cbor.success(request_id)
        return query.xml_success(SERVED, self._namespace, request_id)

    def _error(self, protocol: str, scope: Scope, error: WireError, request_id: str) -> WireResponse:
        if protocol == JSON:
            return json_error(error, request_id, header(scope, b"x-amzn-query-mode") == "true")
        if protocol == CBOR:
            return cbor.error(error, request_id)
        return query.xml_error(error, self._namespace, request_id)
