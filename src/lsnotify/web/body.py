"""Reading a request body from ASGI with a size bound and a deadline, for the API and the metric ingestion endpoints."""

from __future__ import annotations

from starlette.types import Receive

from lsnotify.web.body_deadline import BodyDeadline


class BodyTooLarge(Exception):
    """The body (or its Content-Length) is over the bound: answer 413 and close the connection."""


class ClientDisconnected(Exception):
    """The client went away before its request body arrived in full: there is nobody to answer."""


async def read_body(receive: Receive, length: bytes | None, max_bytes: int, deadline: BodyDeadline) -> bytes:
    """The whole body, refused as soon as ``length`` (the Content-Length) or the bytes received pass ``max_bytes``
    (``BodyTooLarge``), or when it has not arrived by ``deadline`` (``BodyTooSlow``)."""
    if length is not None and length.isdigit() and int(length) > max_bytes:
        raise BodyTooLarge
    return await deadline.within(_receive(receive, max_bytes))


async def _receive(receive: Receive, max_bytes: int) -> bytes:
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
