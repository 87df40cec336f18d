"""OTLP/HTTP metrics (``POST /v1/metrics``): an ``ExportMetricsServiceRequest`` in protobuf or JSON, read with the
official message classes of ``opentelemetry-proto``, flattened into plain number points; answers in the request's
encoding (an empty ``ExportMetricsServiceResponse``, or a ``google.rpc.Status`` for an error).

Only gauges and sums carry numbers a Lightsail metric can take; histogram, exponential-histogram and summary points
are counted (``skipped``) and otherwise left out. Attribute values are kept as strings (others are dropped).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from google.protobuf import json_format
from google.protobuf.message import DecodeError
from google.rpc import code_pb2, status_pb2
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import KeyValue
from opentelemetry.proto.metrics.v1.metrics_pb2 import AGGREGATION_TEMPORALITY_CUMULATIVE, NumberDataPoint

from lsnotify.awsjson.serialize import WireResponse
from lsnotify.errors import SerializationException, ThrottlingException, WireError

PROTOBUF = "application/x-protobuf"
JSON = "application/json"
_GRPC_CODES = {400: code_pb2.INVALID_ARGUMENT, 401: code_pb2.UNAUTHENTICATED, 403: code_pb2.PERMISSION_DENIED,
               404: code_pb2.NOT_FOUND, 413: code_pb2.RESOURCE_EXHAUSTED, 429: code_pb2.RESOURCE_EXHAUSTED}  # fmt: skip


@dataclass(frozen=True, slots=True)
class NumberPoint:
    """One gauge or sum data point with what a mapping needs to know about its metric and resource."""

    resource: Mapping[str, str]
    metric: str
    is_sum: bool
    cumulative: bool
    attributes: Mapping[str, str]
    start_ns: int
    time_ns: int
    value: float


@dataclass(slots=True)
class Export:
    points: list[NumberPoint] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """The metric name of each histogram, exponential histogram or summary point."""


def encoding_of(content_type: str | None) -> str:
    """``PROTOBUF`` or ``JSON``, from the request's Content-Type; anything else is refused."""
    media = (content_type or "").partition(";")[0].strip().lower()
    if media in (PROTOBUF, JSON):
        return media
    raise SerializationException(f"Content-Type {media[:64]!r} is not an OTLP encoding: send {PROTOBUF} or {JSON}.")


def parse_export(body: bytes, encoding: str) -> Export:
    request = ExportMetricsServiceRequest()
    try:
        if encoding == PROTOBUF:
            request.ParseFromString(body)
        else:
            json_format.Parse(body, request, ignore_unknown_fields=True)
    except (DecodeError, json_format.ParseError, UnicodeDecodeError, RecursionError) as exc:
        raise SerializationException(f"The body is not an OTLP ExportMetricsServiceRequest: {str(exc)[:200]}") from None
    export = Export()
    for resource_metrics in request.resource_metrics:
        resource = _strings(resource_metrics.resource.attributes)
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                kind = metric.WhichOneof("data")
                if kind == "gauge":
                    _add(export, resource, metric.name, False, False, metric.gauge.data_points)
                elif kind == "sum":
                    cumulative = metric.sum.aggregation_temporality == AGGREGATION_TEMPORALITY_CUMULATIVE
                    _add(export, resource, metric.name, True, cumulative, metric.sum.data_points)
                elif kind is not None:
                    points = getattr(metric, kind).data_points
                    export.skipped.extend(metric.name for _ in points)
    return export


def _add(
    export: Export, resource: Mapping[str, str], name: str, is_sum: bool, cumulative: bool,
    points: Iterable[NumberDataPoint],
) -> None:  # fmt: skip
    for point in points:
        which = point.WhichOneof("value")
        if which is None:
            continue
        value = float(point.as_double if which == "as_double" else point.as_int)
        export.points.append(
            NumberPoint(
                resource=resource,
                metric=name,
                is_sum=is_sum,
                cumulative=cumulative,
                attributes=_strings(point.attributes),
                start_ns=point.start_time_unix_nano,
                time_ns=point.time_unix_nano,
                value=value,
            )
        )


def _strings(attributes: Iterable[KeyValue]) -> dict[str, str]:
    return {
        item.key: item.value.string_value for item in attributes if item.value.WhichOneof("value") == "string_value"
    }


def success(encoding: str) -> WireResponse:
    response = ExportMetricsServiceResponse()
    body = response.SerializeToString() if encoding == PROTOBUF else b"{}"
    return WireResponse(200, [(b"content-type", encoding.encode())], body)


def error(wire_error: WireError, encoding: str) -> WireResponse:
    """A ``google.rpc.Status`` whose message names the error type and says what is wrong."""
    # OTLP/HTTP exporters retry a 429 with backoff but drop the data on a 400: a throttled export must say 429.
    http_status = 429 if isinstance(wire_error, ThrottlingException) else wire_error.status
    code = _GRPC_CODES.get(http_status, code_pb2.INTERNAL)
    status = status_pb2.Status(code=code, message=f"{wire_error.type_name}: {wire_error.message}")
    if encoding == PROTOBUF:
        body = status.SerializeToString()
    else:
        body = json_format.MessageToJson(status, indent=None).encode()
    return WireResponse(http_status, [(b"content-type", encoding.encode())], body)
