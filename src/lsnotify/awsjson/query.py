"""The AWS Query protocol: a form-encoded request in, XML out, as the CloudWatch agent and older SDKs speak it.

A request is ``Action=<Operation>&Version=…`` plus the input flattened into dotted keys: a structure's members by
name, a list's items as ``<name>.member.N`` (N from 1), a map's as ``<name>.entry.N.key`` / ``.value``. The keys are
read back into a tree and the tree is walked with the operation's input shape, so every scalar becomes the type the
model gives it (numbers from their text, ``true``/``false``); text that is not a number is left a string, for the
validator to name. Timestamps stay strings (ISO 8601, as botocore sends them), which the validator parses.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from botocore.model import ListShape, MapShape, Shape, StructureShape

from lsnotify.awsjson.cloudwatch import error_parts
from lsnotify.awsjson.serialize import WireResponse
from lsnotify.errors import InvalidParameterValueException, SerializationException, WireError

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
XML_CONTENT_TYPE = b"text/xml"
MAX_FIELDS = 400_000
"""More than the largest valid request has: 1000 datums of 30 dimensions and 150 values with their counts."""
MAX_INDEX_DIGITS = 6
Tree = dict[str, Any]


def parse_form(body: bytes, shape: Shape | None) -> tuple[str, Tree]:
    """``(Action, tree of the keys that name a place in the input shape)``. Other keys (``Version``, members the
    model does not know) are ignored, so the tree never holds more than the shape can: a key of a thousand dotted
    parts costs nothing. A list index that is not a number, or a key both a value and a parent of other keys, is an
    error."""
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError) as exc:
        raise SerializationException(f"The request body is not a form-encoded AWS Query request: {exc}.") from None
    action = ""
    tree: Tree = {}
    for key, value in pairs:
        if key == "Action":
            action = value
            continue
        *parents, leaf = segments = key.split(".")
        if shape is None or not _fits(shape, segments, key):
            continue
        node = tree
        for part in parents:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise InvalidParameterValueException(f"The parameter {key} has a value and also members.")
            node = child
        if isinstance(node.get(leaf), dict):
            raise InvalidParameterValueException(f"The parameter {key} has a value and also members.")
        node[leaf] = value
    return action, tree


def _fits(shape: Shape, segments: list[str], key: str) -> bool:
    """Whether the key's dotted ``segments`` name a place in ``shape``: a structure's members by name, a list's
    ``member.N`` (or ``N`` when flattened), a map's ``entry.N.key`` and ``entry.N.value``."""
    current, at = shape, 0
    while at < len(segments):
        part = segments[at]
        if isinstance(current, StructureShape):
            member = current.members.get(part) or next(
                (m for m in current.members.values() if m.serialization.get("name") == part), None
            )
            if member is None:
                return False
            current, at = member, at + 1
        elif isinstance(current, ListShape):
            if not current.serialization.get("flattened"):
                if part != "member":
                    return False
                at += 1
            _index(segments, at, key)
            current, at = current.member, at + 1
        elif isinstance(current, MapShape):
            if part != "entry":
                return False
            _index(segments, at + 1, key)
            side = segments[at + 2] if at + 2 < len(segments) else ""
            if side not in ("key", "value"):
                return False
            current, at = (current.key if side == "key" else current.value), at + 3
        else:
            return False  # a scalar has no parts
    return True


def _index(segments: list[str], at: int, key: str) -> None:
    part = segments[at] if at < len(segments) else ""
    if not (part.isascii() and part.isdigit() and len(part) <= MAX_INDEX_DIGITS and int(part) >= 1):
        raise InvalidParameterValueException(f"The parameter {key[:255]} has no list index (a number from 1).")


def from_tree(shape: Shape, node: Any) -> Any:
    """The tree under ``node`` as the value of ``shape``, in the JSON protocol's types."""
    if isinstance(shape, StructureShape):
        if not isinstance(node, dict):
            return node
        out = {}
        for name, member in shape.members.items():
            key = member.serialization.get("name", name)
            if key in node:
                out[name] = from_tree(member, node[key])
        return out
    if isinstance(shape, ListShape):
        items = node.get("member") if isinstance(node, dict) and not shape.serialization.get("flattened") else node
        numbered = _numbered(items)
        return [from_tree(shape.member, item) for item in numbered] if isinstance(numbered, list) else numbered
    if isinstance(shape, MapShape):
        entries = _numbered(node.get("entry") if isinstance(node, dict) else node)
        if not isinstance(entries, list):
            return entries
        return {
            entry.get("key"): from_tree(shape.value, entry.get("value")) for entry in entries if isinstance(entry, dict)
        }
    kind = shape.type_name
    if not isinstance(node, str):
        return node
    if kind in ("double", "float"):
        try:
            return float(node)
        except ValueError:
            return node
    if kind in ("integer", "long"):
        return int(node) if node.lstrip("-").isdigit() and len(node) < 40 else node
    if kind == "boolean":
        return {"true": True, "false": False}.get(node, node)
    return node


def _numbered(node: Any) -> Any:
    """The items of a ``member.N`` node in the order of N (``parse_form`` let only numbers from 1 through); anything
    else is one malformed item, left to the validator (``must be a list``)."""
    if node == "":  # "MetricData=" names an empty list, as botocore serializes one
        return []
    if not isinstance(node, dict):
        return node
    return [item for _, item in sorted((int(index), item) for index, item in node.items())]


def xml_success(operation: str, namespace: str, request_id: str) -> WireResponse:
    """``<{Operation}Response>`` with only ``ResponseMetadata``: what an operation without output answers."""
    body = (
        f'<{operation}Response xmlns="{escape(namespace)}"><ResponseMetadata><RequestId>{escape(request_id)}'
        f"</RequestId></ResponseMetadata></{operation}Response>"
    )
    return WireResponse(200, _headers(request_id), body.encode())


def xml_error(error: WireError, namespace: str, request_id: str) -> WireResponse:
    """``<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>``."""
    parts = error_parts(error)
    body = (
        f'<ErrorResponse xmlns="{escape(namespace)}"><Error><Type>{parts.fault}</Type><Code>{escape(parts.code)}'
        f"</Code><Message>{escape(parts.message)}</Message></Error><RequestId>{escape(request_id)}</RequestId>"
        "</ErrorResponse>"
    )
    return WireResponse(parts.status, _headers(request_id), body.encode())


def _headers(request_id: str) -> list[tuple[bytes, bytes]]:
    return [(b"content-type", XML_CONTENT_TYPE), (b"x-amzn-requestid", request_id.encode())]
