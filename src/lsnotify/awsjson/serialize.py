"""Turns an operation's result, or a ``WireError``, into an AWS JSON 1.1 response.

Results are walked against the operation's output shape, compiled once: members that are ``None`` are omitted, and
a member the model does not know is dropped with a warning, because it is a bug in the service layer. Timestamps
become epoch-second numbers (the JavaScript SDK rejects ISO strings). A ``SharedResult`` is serialized once.
"""

from __future__ import annotations

import operator
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from botocore.model import Shape

from lsnotify.awsjson.shared import SharedResult
from lsnotify.errors import LightsailError, WireError

CONTENT_TYPE = b"application/x-amz-json-1.1"
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME
_SHARED_KEPT = 4096
"""Most shared results whose serialized bytes a ``ResponseSerializer`` keeps; beyond, it starts again from empty."""

Shaper = Callable[[Any], Any]


@dataclass(slots=True)  # not frozen: made per request, and a frozen __init__ costs four times as much
class WireResponse:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


def _timestamp(value: Any) -> float:
    """orjson's ``default`` for what it cannot serialize itself; datetimes reach it through OPT_PASSTHROUGH_DATETIME."""
    if isinstance(value, datetime):
        return value.timestamp()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _compile(shape: Shape) -> Shaper | None:
    """A function that shapes a value of ``shape``, or None where any value passes through unchanged.

    A shaper returns the very value it was given when nothing in it needs to change, the common case: the service
    layer mostly builds exactly the output shape. Timestamps are left to orjson (``_timestamp``).
    """
    if shape.type_name == "structure":
        known = frozenset(shape.members)
        nested = [(name, shaper) for name, member in shape.members.items() if (shaper := _compile(member))]

        def structure(value: dict[str, Any]) -> dict[str, Any]:
            out = value
            if None in value.values() or not known.issuperset(value):
                out = {name: item for name, item in value.items() if item is not None}
                if unknown := value.keys() - known:
                    warnings.warn(f"{shape.name} has no member(s) {sorted(unknown)}; dropped", stacklevel=2)
                    for name in unknown:
                        out.pop(name, None)
            for name, shaper in nested:
                item = out.get(name)
                if item is not None and (shaped := shaper(item)) is not item:
                    if out is value:
                        out = dict(value)
                    out[name] = shaped
            return out

        return structure
    if shape.type_name == "list":
        item_shaper = _compile(shape.member)
        if item_shaper is None:
            return None

        def list_of(value: list[Any]) -> list[Any]:
            shaped = [item_shaper(item) for item in value]
            return value if all(map(operator.is_, shaped, value)) else shaped

        return list_of
    return None


class ResponseSerializer:
    """Serializes results of the given operations; compiled once per operation."""

    def __init__(self, output_shapes: Iterable[tuple[str, Shape | None]]) -> None:
        self._shapers: dict[str, Shaper | None] = {
            name: _compile(shape) if shape is not None else None for name, shape in output_shapes
        }
        # (operation, id of a SharedResult) -> the result, kept so that its id is not reused, and its body
        self._shared: dict[tuple[str, int], tuple[SharedResult, bytes]] = {}

    def success(self, operation: str, result: dict[str, Any], request_id: str) -> WireResponse:
        if type(result) is SharedResult:
            key = (operation, id(result))
            kept = self._shared.get(key)
            if kept is not None and kept[0] is result:
                body = kept[1]
            else:
                body = self._body(operation, result)
                if len(self._shared) >= _SHARED_KEPT:
                    self._shared.clear()
                self._shared[key] = (result, body)
        else:
            body = self._body(operation, result)
        return WireResponse(200, [(b"content-type", CONTENT_TYPE), (b"x-amzn-requestid", request_id.encode())], body)

    def _body(self, operation: str, result: dict[str, Any]) -> bytes:
        shaper = self._shapers[operation]
        return orjson.dumps(shaper(result) if shaper else result, default=_timestamp, option=_OPTIONS)


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
