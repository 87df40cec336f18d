"""Opaque page tokens: the key of the last item of a page, as base64 JSON, checked on the way back in."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson

from lsnotify.errors import InvalidInputException

_BAD_TOKEN = "pageToken: is not a token that lsnotify returned; pass nextPageToken unchanged."


def encode_page_token(*key: str | float) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(key))).decode()


def decode_page_token(token: str, *kinds: type[str] | type[float]) -> tuple[Any, ...]:
    """The key in ``token``, each part of the given kind (a float part may arrive as an int); else InvalidInput."""
    try:
        key = orjson.loads(base64.urlsafe_b64decode(token.encode("ascii")))
    except (ValueError, TypeError, UnicodeEncodeError, binascii.Error):
        raise InvalidInputException(_BAD_TOKEN) from None
    if not isinstance(key, list) or len(key) != len(kinds):
        raise InvalidInputException(_BAD_TOKEN)
    parts: list[Any] = []
    for value, kind in zip(key, kinds, strict=True):
        if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
            parts.append(float(value))
        elif kind is str and isinstance(value, str):
            parts.append(value)
        else:
            raise InvalidInputException(_BAD_TOKEN)
    return tuple(parts)
