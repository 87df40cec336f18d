"""The shape layer of input validation: does a parsed AWS JSON 1.1 request body fit its operation's input shape?

Everything comes from botocore's service model: member names, ``required``, types, and each shape's ``min``,
``max``, ``enum`` and ``pattern`` metadata. botocore's own ``ParamValidator`` checks only required, type and
``min``; this module checks all of them. Each input shape is compiled once into nested closures (cached by shape
name and limit, so shared and recursive shapes compile once); ``InputValidator.validate`` only runs them. Domain
rules (an E.164 number for SMS, one contact method per protocol) belong to the service layer, not here.

The work per request is bounded: every string's length is checked before its pattern runs, and a pattern's cost is
linear in the value (``awsjson.patterns``). Where the model gives a string no ``max``, the member's name says what
it holds and so its limit: an id (``…Id``) 128 characters, a name (``…Name``) 255, an ARN or a page token (``…Arn``,
``…Token``) 2,048, anything else ``STRING_CAP``. Lists and maps without a ``max`` hold at most ``COLLECTION_CAP``
items (AWS allows 50 tags, the longest list a served operation takes). Nesting is bounded by the JSON parser (1,024
levels) and only the model's own shapes are walked, so it costs nothing more here.

Choices:

* A JSON ``null`` member counts as absent; members the shape does not know are ignored (newer SDKs send them).
* ``pattern`` must match the whole value, with ASCII ``\\w``/``\\d``/``\\s``, as Java's ``String.matches`` does.
* Lengths count Unicode code points (Java counts UTF-16 units, so an emoji counts 2 there, 1 here).
* No string may hold the control character U+0000: no Lightsail input means it, and PostgreSQL's ``text`` cannot
  store it (``GetOperation`` with one in ``operationId``, which ``.*\\S.*`` lets through, failed there with a 500).
  Other control characters are the service's to judge (an email address refuses them; a tag value may hold a tab).
* double/float: a finite JSON number. The JSON 1.1 protocol spells non-finite values as the strings ``"NaN"``,
  ``"Infinity"`` and ``"-Infinity"``; they are rejected, because no Lightsail double (an alarm ``threshold``)
  means anything non-finite, and accepting them would hand the service layer a ``str`` where it expects a number.
* timestamp: epoch seconds (a JSON number) or a string of at most 64 characters, strict ISO 8601 or epoch
  seconds, from 1970 to 9999 (``awsjson.timestamps``). blob: a base64 string whose decoded size is checked against
  ``min``/``max``.
* The first error wins, in member declaration order; values in messages are JSON-quoted, cut to 64 characters,
  and never shown for ``sensitive`` shapes.
"""

from __future__ import annotations

import binascii
import math
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from botocore.model import ListShape, MapShape, ServiceModel, Shape, StructureShape

from lsnotify.awsjson.patterns import fullmatcher
from lsnotify.awsjson.timestamps import MAX_CHARS, TimestampError, epoch_seconds
from lsnotify.errors import InvalidInputException, shown

Check = Callable[[Any], None]
ErrorFactory = Callable[[str, str, bool], Exception]
"""Builds the exception to raise from (field path, broken rule, whether the field is a missing required one)."""
REQUIRED = "is required"
STRING_CAP = 4096
COLLECTION_CAP = 100
_CAPS_BY_SUFFIX = (("Id", 128), ("Name", 255), ("Arn", 2048), ("Token", 2048))
_INT_RANGE = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}
_NON_FINITE = frozenset({"NaN", "Infinity", "-Infinity"})


class _Invalid(Exception):
    """A rule broken somewhere below; each enclosing check adds its path segment on the way out."""

    def __init__(self, message: str, segment: str | None = None) -> None:
        self.message = message
        self.segments = [] if segment is None else [segment]


_KINDS = (
    (type(None), "null"),
    (bool, "a boolean"),  # before int: a bool is an int in Python, never a number in JSON
    ((int, float), "a number"),
    (str, "a string"),
    ((list, tuple), "a list"),
    (Mapping, "an object"),
)


def _kind(value: Any) -> str:
    """The JSON type of ``value``, as the "got …" part of a message."""
    return next((kind for types, kind in _KINDS if isinstance(value, types)), f"a {type(value).__name__}")


def string_cap(member: str) -> int:
    """The longest value of a string member whose shape has no ``max``, by what the member's name says it holds."""
    return next((cap for suffix, cap in _CAPS_BY_SUFFIX if member.endswith(suffix)), STRING_CAP)


def _bound(size: int, low: float, high: float, word: str, words: str = "") -> str:
    """``at least 1 character`` or ``at most 256 characters``, whichever of ``low``/``high`` ``size`` breaks."""
    limit = low if size < low else high
    return f"at {'least' if size < low else 'most'} {limit} {word if limit == 1 else words or word + 's'}"


class InputValidator:
    """Compiled input-shape checks for a set of operations of one service model."""

    def __init__(self, model: ServiceModel, operation_names: Iterable[str], error: ErrorFactory | None = None) -> None:
        """Compile the input shape of each named operation once. ``error`` builds the exception raised for a broken
        rule, for a service whose errors are not Lightsail's (default: InvalidInputException "path: rule")."""
        self._error = error
        self._cache: dict[tuple[str, int | None], Check] = {}
        self._pending: set[tuple[str, int | None]] = set()
        self._checks: dict[str, Check] = {}
        for name in operation_names:
            shape = model.operation_model(name).input_shape
            self._checks[name] = self._compile(shape) if shape is not None else self._structure_of({}, ())

    def validate(self, operation_name: str, params: Mapping[str, Any]) -> None:
        """Raise InvalidInputException naming the field path and the rule when params break the operation's input
        shape. ``KeyError`` if the operation was not compiled: routing, not input, is wrong then."""
        try:
            self._checks[operation_name](params)
        except _Invalid as error:
            path = "".join(reversed(error.segments)).lstrip(".") or "the request body"
            if self._error is not None:
                raise self._error(path, error.message, error.message == REQUIRED) from None
            raise InvalidInputException(f"{path}: {error.message}") from None

    def _compile(self, shape: Shape, member: str = "") -> Check:
        """The check of ``shape`` as the value of ``member`` (whose name sets the limit when the shape has none)."""
        is_string = shape.type_name == "string"
        cap = string_cap(member) if is_string and "max" not in shape.metadata else None
        key = (shape.name, cap)
        if key in self._cache:
            return self._cache[key]
        if key in self._pending:  # a recursive reference: resolve it when called, by which time it is compiled
            cache = self._cache
            return lambda value: cache[key](value)
        self._pending.add(key)
        compile_shape = getattr(self, f"_compile_{shape.type_name}")
        check: Check = compile_shape(shape, cap) if is_string else compile_shape(shape)
        self._pending.discard(key)
        self._cache[key] = check
        return check

    def _compile_structure(self, shape: StructureShape) -> Check:
        if shape.is_document_type:
            return lambda value: None
        members = {member: self._compile(member_shape, member) for member, member_shape in shape.members.items()}
        return self._structure_of(members, shape.required_members)

    @staticmethod
    def _structure_of(members: Mapping[str, Check], required: Iterable[str]) -> Check:
        plan = tuple((name, "." + name, check, name in required) for name, check in members.items())

        def check_structure(value: Any) -> None:
            if type(value) is not dict and not isinstance(value, Mapping):
                raise _Invalid(f"must be a JSON object (got {_kind(value)})")
            for name, segment, check, is_required in plan:
                member = value.get(name)
                if member is None:
                    if is_required:
                        raise _Invalid(REQUIRED, segment)
                    continue
                try:
                    check(member)
                except _Invalid as error:
                    error.segments.append(segment)
                    raise

        return check_structure

    def _compile_list(self, shape: ListShape) -> Check:
        check_item = self._compile(shape.member)
        low, high = shape.metadata.get("min", 0), shape.metadata.get("max", COLLECTION_CAP)

        def check_list(value: Any) -> None:
            if not isinstance(value, (list, tuple)):
                raise _Invalid(f"must be a list (got {_kind(value)})")
            if not low <= len(value) <= high:
                raise _Invalid(f"must have {_bound(len(value), low, high, 'item')} (got {len(value)})")
            for index, item in enumerate(value):
                try:
                    check_item(item)
                except _Invalid as error:
                    error.segments.append(f"[{index}]")
                    raise

        return check_list

    def _compile_map(self, shape: MapShape) -> Check:
        check_key, check_value = self._compile(shape.key), self._compile(shape.value)
        low, high = shape.metadata.get("min", 0), shape.metadata.get("max", COLLECTION_CAP)

        def check_map(value: Any) -> None:
            if type(value) is not dict and not isinstance(value, Mapping):
                raise _Invalid(f"must be a JSON object (got {_kind(value)})")
            if not low <= len(value) <= high:
                raise _Invalid(f"must have {_bound(len(value), low, high, 'entry', 'entries')} (got {len(value)})")
            for key, item in value.items():
                try:
                    check_key(key)
                except _Invalid as error:
                    raise _Invalid(f"key {error.message}") from None
                try:
                    check_value(item)
                except _Invalid as error:
                    error.segments.append(f"[{shown(key)}]")
                    raise

        return check_map

    def _compile_string(self, shape: Shape, cap: int | None) -> Check:
        meta = shape.metadata
        low, high = meta.get("min", 0), meta.get("max", cap)
        enum = frozenset(meta.get("enum", ()))
        # Smithy patterns are unanchored, but Lightsail's Java validation matches the whole value (it rejects the
        # ResourceName "custom gitlab", in which \w[\w\-]*\w finds a match), and Java's \w is ASCII-only.
        regex = meta.get("pattern")
        matches = fullmatcher(regex) if regex is not None else None
        choices = ", ".join(meta.get("enum", ()))
        sensitive = bool(meta.get("sensitive"))

        def check_string(value: Any) -> None:
            if not isinstance(value, str):
                raise _Invalid(f"must be a string (got {_kind(value)})")
            if not low <= len(value) <= high:
                raise _Invalid(f"must be {_bound(len(value), low, high, 'character')} long (got {len(value)})")
            if enum and value not in enum:
                raise _Invalid(f"must be one of {choices} (got {'the value' if sensitive else shown(value)})")
            if matches is not None and not matches(value):
                raise _Invalid(f"{'the value' if sensitive else shown(value)} does not match the pattern {regex}")
            if (nul := value.find("\x00")) >= 0:
                raise _Invalid(f"must not contain the control character U+0000 (found at position {nul})")

        return check_string

    def _compile_number(self, shape: Shape) -> Check:
        # For doubles the default range is the finite one, so the fast path below also turns away inf and NaN.
        low, high = _INT_RANGE.get(shape.type_name, (-sys.float_info.max, sys.float_info.max))
        low, high = max(low, shape.metadata.get("min", low)), min(high, shape.metadata.get("max", high))
        is_integral = shape.type_name in _INT_RANGE
        fast_types = (int,) if is_integral else (int, float)

        def check_number(value: Any) -> None:
            if type(value) in fast_types and low <= value <= high:
                return
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                if not is_integral and isinstance(value, str) and value in _NON_FINITE:
                    raise _Invalid(f"must be a finite number (got {shown(value)})")
                raise _Invalid(f"must be {'an integer' if is_integral else 'a number'} (got {_kind(value)})")
            if isinstance(value, float) and (is_integral or not math.isfinite(value)):
                raise _Invalid(f"must be {'an integer' if is_integral else 'a finite number'} (got {shown(value)})")
            if not low <= value <= high:
                bound = f"at least {low}" if value < low else f"at most {high}"
                raise _Invalid(f"must be {bound} (got {shown(value)})")

        return check_number

    _compile_integer = _compile_long = _compile_double = _compile_float = _compile_number

    def _compile_boolean(self, shape: Shape) -> Check:
        def check_boolean(value: Any) -> None:
            if not isinstance(value, bool):
                raise _Invalid(f"must be a boolean (got {_kind(value)})")

        return check_boolean

    def _compile_timestamp(self, shape: Shape) -> Check:
        def check_timestamp(value: Any) -> None:
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise _Invalid(f"must be a timestamp in epoch seconds (got {_kind(value)})")
            if isinstance(value, float) and not math.isfinite(value):
                raise _Invalid(f"must be a finite number (got {shown(value)})")
            if isinstance(value, str) and len(value) > MAX_CHARS:
                raise _Invalid(f"must be at most {MAX_CHARS} characters long (got {len(value)})")
            try:
                epoch_seconds(value)
            except TimestampError as error:
                raise _Invalid(f"{shown(value)} {error}") from None

        return check_timestamp

    def _compile_blob(self, shape: Shape) -> Check:
        low, high = shape.metadata.get("min", 0), shape.metadata.get("max", sys.maxsize)

        def check_blob(value: Any) -> None:
            if not isinstance(value, str):
                raise _Invalid(f"must be a base64-encoded string (got {_kind(value)})")
            try:
                size = len(binascii.a2b_base64(value, strict_mode=True))
            except (binascii.Error, ValueError):
                raise _Invalid("must be a base64-encoded string") from None
            if not low <= size <= high:
                raise _Invalid(f"must decode to {_bound(size, low, high, 'byte')} (got {size})")

        return check_blob
