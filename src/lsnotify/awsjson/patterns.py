"""Model ``pattern``s as whole-value matchers whose cost grows linearly with the value, whatever the pattern.

A value matches when the whole of it matches, with ASCII ``\\w``/``\\d``/``\\s``, as Java's ``String.matches`` does.
Python's ``re`` backtracks: ``.*\\S.*`` (Lightsail's ``NonEmptyString``) against 64 KiB of ``a…a\\n`` took 14 s of
CPU on the event loop. So values longer than ``SHORT`` run on RE2 (google-re2), which never backtracks; shorter
ones run on ``re``, where even a quadratic pattern costs microseconds and which is twenty times cheaper per call
than the RE2 binding (the hot path's names and ids are all short).

The two engines must agree. They differ in one place for these patterns: RE2's ``\\s`` leaves out the vertical tab
(``\\x0b``), which Java's and Python's include, so ``\\s`` and ``\\S`` are spelled out as classes before RE2 compiles
a pattern. RE2 reads UTF-8, so a lone surrogate (which no JSON parser lets through) never matches there. A pattern
RE2 cannot compile (look-around, back-references) or rewrite (``\\S`` inside a class) runs on ``re`` alone, then
bounded only by the length limit checked before it; every pattern of the served models compiles
(tests/unit/test_patterns.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import re2  # type: ignore[import-untyped]

SHORT = 64
"""Values up to this many characters are matched by ``re``; longer ones by RE2."""

Matcher = Callable[[str], bool]

_WHITESPACE = "\\t\\n\\x0b\\f\\r "
_OPTIONS = re2.Options()
_OPTIONS.never_capture = True
_OPTIONS.log_errors = False


def fullmatcher(pattern: str) -> Matcher:
    """A predicate: does the whole value match ``pattern``?"""
    short = re.compile(pattern, re.ASCII).fullmatch
    spelled = spell_out_whitespace(pattern)
    try:
        long = re2.compile(spelled, _OPTIONS).fullmatch if spelled is not None else None
    except re2.error:
        long = None
    if long is None:
        return lambda value: short(value) is not None

    def matches(value: str) -> bool:
        if len(value) <= SHORT:
            return short(value) is not None
        try:
            return long(value) is not None
        except UnicodeEncodeError:
            return False

    return matches


def spell_out_whitespace(pattern: str) -> str | None:
    """``pattern`` with ``\\s`` and ``\\S`` written as the classes Java and Python mean; None when ``\\S`` appears
    inside a class, which no class syntax can express."""
    out: list[str] = []
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            escaped = pattern[index + 1]
            if escaped == "s":
                out.append(_WHITESPACE if in_class else f"[{_WHITESPACE}]")
            elif escaped == "S":
                if in_class:
                    return None
                out.append(f"[^{_WHITESPACE}]")
            else:
                out.append(char + escaped)
            index += 2
            continue
        if char == "[" and not in_class:
            in_class = True
            out.append(char)
            index += 1
            # A ']' first in a class (after an optional '^') is a literal.
            for lead in ("^", "]"):
                if index < len(pattern) and pattern[index] == lead:
                    out.append(lead)
                    index += 1
            continue
        if char == "]" and in_class:
            in_class = False
        out.append(char)
        index += 1
    return "".join(out)
