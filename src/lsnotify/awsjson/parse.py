"""Turns an AWS JSON 1.1 request into ``(operation name, params)``.

The operation comes from ``X-Amz-Target`` alone (``<prefix>.<Operation>``); the path is ignored, because botocore
sends ``/prefix`` and the JavaScript SDK ``/prefix/`` when an endpoint URL has a path.
"""

from __future__ import annotations

from typing import Any

import orjson

from lsnotify.errors import SerializationException, UnknownOperationException


def parse_target(target: str | None, known_prefixes: frozenset[str]) -> tuple[str, str]:
    """Split ``X-Amz-Target`` into ``(prefix, operation)``; the prefix must be one this server speaks."""
    if not target:
        raise UnknownOperationException("The request has no X-Amz-Target header, so it names no operation.")
    prefix, dot, operation = target.partition(".")
    if not dot or not operation or prefix not in known_prefixes:
        shown = target if len(target) <= 100 else target[:100] + "…"
        raise UnknownOperationException(f"X-Amz-Target {shown!r} does not name an operation of this service.")
    return prefix, operation


def parse_body(body: bytes) -> dict[str, Any]:
    """The JSON object of the body; an empty body is ``{}`` (Smithy: servers must accept it)."""
    if not body.strip():
        return {}
    try:
        params = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise SerializationException(f"The request body is not valid JSON: {exc}.") from None
    if not isinstance(params, dict):
        raise SerializationException("The request body must be a JSON object.")
    return params
