"""Model patterns (lsnotify.awsjson.patterns): RE2 and ``re`` agree on every pattern of both served models, and no
value makes a pattern backtrack."""

from __future__ import annotations

import re
import time

import pytest
import re2
from hypothesis import given, settings
from hypothesis import strategies as st

from lsnotify.awsjson.lsnotify_model import lsnotify_model
from lsnotify.awsjson.model import lightsail_model
from lsnotify.awsjson.patterns import SHORT, fullmatcher, spell_out_whitespace
from lsnotify.awsjson.validate import InputValidator
from lsnotify.errors import InvalidInputException


def model_patterns() -> list[str]:
    found = set()
    for model in (lightsail_model(), lsnotify_model()):
        for name in model.shape_names:
            pattern = model.shape_for(name).metadata.get("pattern")
            if pattern is not None:
                found.add(pattern)
    return sorted(found)


PATTERNS = model_patterns()
# Characters on which engines disagree if they disagree at all: every ASCII whitespace (\x0b above all), word and
# non-word ASCII, the pattern's own literals, non-ASCII letters and digits (not \w or \d in ASCII mode), astral ones.
ALPHABET = st.sampled_from(list("\t\n\x0b\f\r \x00\x1f\x7faZ09_-.:/@=+*!#$%&'^`{|}~()[]\\é٣ßİ\u00a0\u2028😀"))


def test_the_served_models_have_patterns() -> None:
    assert r".*\S.*" in PATTERNS and r"\w[\w\-]*\w" in PATTERNS


@pytest.mark.parametrize("pattern", PATTERNS)
def test_every_model_pattern_compiles_on_re2(pattern: str) -> None:
    spelled = spell_out_whitespace(pattern)
    assert spelled is not None
    re2.compile(spelled)


@pytest.mark.parametrize("pattern", PATTERNS)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_re2_and_re_agree(pattern: str, data: st.DataObject) -> None:
    """Each value is checked both ways: padded past SHORT so that RE2 matches it, and against ``re`` directly."""
    python = re.compile(pattern, re.ASCII)
    candidates = st.from_regex(python, fullmatch=True) | st.text(ALPHABET, max_size=12)
    value = data.draw(candidates)
    mutated = data.draw(st.text(ALPHABET, max_size=3))
    matches = fullmatcher(pattern)
    for text in (value, value + mutated, mutated + value, value.replace("a", "\x0b")):
        long = text * (SHORT // max(len(text), 1) + 1)  # longer than SHORT: RE2's side
        for candidate in (text, long):
            assert matches(candidate) == (python.fullmatch(candidate) is not None), (pattern, candidate)


def test_vertical_tab_counts_as_whitespace_on_both_sides() -> None:
    matches = fullmatcher(r".*\S.*")
    assert not matches(" \x0b ")
    assert not matches(" \x0b " * SHORT)
    assert matches("\x0ba\x0b" * SHORT)


@pytest.mark.parametrize(
    ("pattern", "spelled"),
    [
        (r".*\S.*", ".*[^\\t\\n\\x0b\\f\\r ].*"),
        (r"[\s\w]+", "[\\t\\n\\x0b\\f\\r \\w]+"),
        (r"\s", "[\\t\\n\\x0b\\f\\r ]"),
        (r"[]\s]", "[]\\t\\n\\x0b\\f\\r ]"),
        (r"[^]\s]\\s", "[^]\\t\\n\\x0b\\f\\r ]\\\\s"),
        (r"[\S]", None),
    ],
)
def test_spelling_out_whitespace(pattern: str, spelled: str | None) -> None:
    assert spell_out_whitespace(pattern) == spelled


def test_a_pattern_re2_cannot_run_falls_back_to_re() -> None:
    matches = fullmatcher(r"(?=a)\w+")  # a look-ahead: RE2 has none
    assert matches("abc") and matches("a" * 100)
    assert not matches("bc") and not matches("b" * 100)


def test_a_lone_surrogate_never_matches_a_long_value() -> None:
    assert not fullmatcher(r".*\S.*")("a" * SHORT + "\ud800")


def test_a_64_kib_non_empty_string_is_refused_fast() -> None:
    """``.*\\S.*`` against 64 KiB of ``a…a\\n`` took 14 s with ``re``; RE2 rejects 1 MiB in milliseconds, and the
    validator refuses the member on its length before any pattern runs."""
    hostile = "a" * 65536 + "\n"
    started = time.perf_counter()
    assert not fullmatcher(r".*\S.*")(hostile)
    assert not fullmatcher(r".*\S.*")("a" * (1 << 20) + "\n")
    with pytest.raises(InvalidInputException) as caught:
        InputValidator(lightsail_model(), ["GetOperation"]).validate("GetOperation", {"operationId": hostile})
    elapsed = time.perf_counter() - started
    assert caught.value.message == "operationId: must be at most 128 characters long (got 65537)"
    assert elapsed < 0.25, elapsed
