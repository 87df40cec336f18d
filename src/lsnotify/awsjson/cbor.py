"""Smithy RPC v2 CBOR: ``POST …/service/<Service>/operation/<Operation>`` with ``smithy-protocol: rpc-v2-cbor``.

The body is one CBOR map (cbor2 decodes it); the map is walked with the operation's input shape, keeping only the
members the model knows, and turning CBOR's epoch timestamps (tag 1, which cbor2 gives as datetimes) into epoch
seconds, the JSON protocol's types, for the validator. Answers carry ``smithy-protocol: rpc-v2-cbor``; an error is
a CBOR map of ``__type`` and ``message``, with the AWS Query code in ``x-amzn-query-error``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import cbor2
from botocore.model import ListShape, MapShape, Shape, StructureShape

from lsnotify.awsjson.cloudwatch import ERROR_NAMESPACE, error_parts
from lsnotify.awsjson.serialize import WireResponse
from lsnotify.errors import SerializationException, WireError

CONTENT_TYPE = b"application/cbor"
PROTOCOL_HEADER = (b"smithy-protocol", b"rpc-v2-cbor")


def parse_path(path: str) -> tuple[str, str] | None:
    """``(service, operation)`` of a path ending in ``/service/<service>/operation/<operation>``, else None."""
    parts = path.rstrip("/").split("/")
    if len(parts) >= 5 and parts[-4] == "service" and parts[-2] == "operation":
        return parts[-3], parts[-1]
    return None


def parse_body(body: bytes, shape: Shape | None) -> dict[str, Any]:
    """The CBOR map of the body, in the JSON protocol's types; an empty body is ``{}``."""
    if not body:
        return {}
    try:
        value = cbor2.loads(body)
    except Exception as exc:  # cbor2 raises CBORDecodeError, but also ValueError, OverflowError and RecursionError
        raise SerializationException(f"The request body is not valid CBOR: {type(exc).__name__}.") from None
    if not isinstance(value, dict):
        raise SerializationException("The request body must be a CBOR map.")
    return _from_cbor(shape, value) if shape is not None else {}


def _from_cbor(shape: Shape, value: Any) -> Any:
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        return {name: _from_cbor(member, value[name]) for name, member in shape.members.items() if name in value}
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [_from_cbor(shape.member, item) for item in value]
    if isinstance(shape, MapShape) and isinstance(value, dict):
        return {key: _from_cbor(shape.value, item) for key, item in value.items()}
    if shape.type_name == "timestamp" and isinstance(value, datetime):
        return value.timestamp()
    return value


def success(request_id: str) -> WireResponse:
    """An operation without output answers an empty body."""
    return WireResponse(200, [PROTOCOL_HEADER, (b"x-amzn-requestid", request_id.encode())], b"")


def error(wire_error: WireError, request_id: str) -> WireResponse:
    parts = error_parts(wire_error)
    headers = [
        PROTOCOL_HEADER,
        (b"content-type", CONTENT_TYPE),
        (b"x-amzn-requestid", request_id.encode()),
        parts.query_error_header,
    ]
    body = cbor2.dumps({"__type": ERROR_NAMESPACE + parts.shape_name, "message": parts.message})
    return WireResponse(parts.status, headers, body)
