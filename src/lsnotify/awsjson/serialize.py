"""Turns an operation's result, or a ``WireError``, into an AWS JSON 1.1 response.

Results are walked against the operation's output shape, compiled once: members that are ``None`` are omitted,
timestamps become epoch-second numbers (the JavaScript SDK rejects ISO strings), and a member the model does not
know is dropped with a warning, because it is a bug in the service layer.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from botocore.model import Shape

from lsnotify.errors import LightsailError, WireError

CONTENT_TYPE = b"application/x-amz-json-1.1"

Shaper = Callable[[Any], Any]


@dataclass(slots=True)  # not frozen: made per request, and a frozen __init__ costs four times as much
class WireResponse:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


def _timestamp(value: Any) -> Any:
    return value.timestamp() if isinstance(value, datetime) else value


def _compile(shape: Shape) -> Shaper | None:
    """A function that shapes a value of ``shape``, or None where the value passes through unchanged."""
    if shape.type_name == "structure":
        members = [(name, _compile(member)) for name, member in shape.members.items()]
        known = frozenset(shape.members)

        def structure(value: dict[str, Any]) -> dict[str, Any]:
            out = {}
            for name, shaper in members:
                item = value.get(name)
                if item is not None:
                    out[name] = shaper(item) if shaper else item
            if len(value) > len(out) and (unknown := value.keys() - known):
                warnings.warn(f"{shape.name} has no member(s) {sorted(unknown)}; dropped", stacklevel=2)
            return out

        return structure
    if shape.type_name == "list":
        item_shaper = _compile(shape.member)
        if item_shaper is None:
            return None
        return lambda value: [item_shaper(item) for item in value]
    if shape.type_name == "timestamp":
        return _timestamp
    return None


class ResponseSerializer:
    """Serializes results of the given operations; compiled once per operation."""

    def __init__(self, output_shapes: Iterable[tuple[str, Shape | None]]) -> None:
        self._shapers: dict[str, Shaper | None] = {
            name: _compile(shape) if shape is not None else None for name, shape in output_shapes
        }

    def success(self, operation: str, result: dict[str, Any], request_id: str) -> WireResponse:
        shaper = self._shapers[operation]
        body = orjson.dumps(shaper(result) if shaper else result)
        return WireResponse(200, [(b"content-type", CONTENT_TYPE), (b"x-amzn-requestid", request_id.encode())], body)


def serialize_error(error: WireError, request_id: str) -> WireResponse:
    """``__type`` in the body and ``x-amzn-ErrorType`` in the headers, so every SDK generation finds the type."""
    body: dict[str, Any] = {"__type": error.type_name, "message": error.message}
    if isinstance(error, LightsailError):
        body.update(code=error.code, docs=error.docs, tip=error.tip)
    headers = [
        (b"content-type", CONTENT_TYPE),
        (b"x-amzn-requestid", request_id.encode()),
        (b"x-amzn-errortype", error.type_name.encode()),
    ]
    return WireResponse(error.status, headers, orjson.dumps(body))
