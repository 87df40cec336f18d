"""``SharedResult``: an operation's result that its handler hands out again, unchanged, to identical requests.

A handler that memoizes its answer (the same contact methods, the same statuses) returns the very same
``SharedResult`` each time; ``ResponseSerializer`` then shapes and serializes it once and sends the same bytes. Nobody
may change a ``SharedResult`` once it has been returned.
"""

from __future__ import annotations

from typing import Any


class SharedResult(dict[str, Any]):
    """An operation's output, shared between calls and never changed; see the module docstring."""

    __slots__ = ()
