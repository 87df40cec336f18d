"""Reading a request body from ASGI with a size bound, for the API and the metric ingestion endpoints."""

from __future__ import annotations

from starlette.types import Receive


class BodyTooLarge(Exception):
    """The body (or its Content-Length) is over the bound: answer 413 and close the connection."""


class ClientDisconnected(Exception):
    """The client went away before its request body arrived in full: there is nobody to answer."""


async def read_body(receive: Receive, length: bytes | None, max_bytes: int) -> bytes:
    """The whole body, refused as soon as ``length`` (the Content-Length) or the bytes received pass ``max_bytes``."""
    if length is not None and length.isdigit() and int(length) > max_bytes:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnected
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > max_bytes:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)
