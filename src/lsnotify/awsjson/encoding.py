"""``Content-Encoding`` of request bodies: gzip (as botocore's request compression and OTLP exporters send it),
decompressed with a bound, so a small body cannot expand into gigabytes."""

from __future__ import annotations

import zlib

from lsnotify.errors import RequestEntityTooLargeException, SerializationException


def decode_body(body: bytes, content_encoding: str | None, max_bytes: int) -> bytes:
    """The body without its content coding (``gzip`` or ``identity``); at most ``max_bytes`` once decompressed."""
    coding = (content_encoding or "identity").strip().lower()
    if coding == "identity" or not coding:
        return body
    if coding not in ("gzip", "x-gzip"):
        raise SerializationException(f"Content-Encoding {coding[:32]!r} is not supported; send gzip or none.")
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, max_bytes + 1)
    except zlib.error as exc:
        raise SerializationException(f"The gzip request body is corrupt: {exc}.") from None
    if len(out) > max_bytes:
        raise RequestEntityTooLargeException(f"The request body is larger than {max_bytes} bytes once decompressed.")
    if not inflater.eof or inflater.unused_data:
        raise SerializationException("The gzip request body is truncated or followed by other data.")
    return out
