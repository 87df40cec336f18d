"""Serving botocore's Lightsail clients in-process: two botocore event handlers and the stack of active mocks.

As moto does, the handlers are appended to ``botocore.handlers.BUILTIN_HANDLERS`` when this module is imported, so
every botocore (and boto3, and aiobotocore) session created afterwards carries them; they do nothing while no mock
is active. ``before-send.lightsail`` receives the request after botocore has serialized and SigV4-signed it and,
instead of the network, hands it to the innermost active mock, which answers through the real app; botocore then
parses the answer as it would an HTTP response, modeled exceptions and retries included. Because the signature is
really checked, ``before-sign.lightsail`` first makes sure the mock knows the client's key pair: whatever
credentials a client is given (moto's habitual ``"testing"``, say), they are accepted, as an access key of the
mock's account.
"""

from __future__ import annotations

import inspect
import io
import threading
from collections.abc import Coroutine, Iterator, Mapping
from typing import Any, Protocol

import botocore
import botocore.handlers
from botocore.awsrequest import AWSPreparedRequest, AWSResponse

from lsnotify.testing.asgi import host_header

SEND_EVENT = "before-send.lightsail"
SIGN_EVENT = "before-sign.lightsail"


Answer = tuple[int, list[tuple[bytes, bytes]], bytes]
"""HTTP status, headers (lower-case names) and body."""


class InProcessTarget(Protocol):
    def handle(self, method: str, url: str, headers: list[tuple[bytes, bytes]], body: bytes) -> Answer: ...

    def accept_credentials(self, access_key_id: str, secret_access_key: str) -> None: ...


_active: list[InProcessTarget] = []
_lock = threading.Lock()


def activate(target: InProcessTarget) -> None:
    with _lock:
        _active.append(target)


def deactivate(target: InProcessTarget) -> None:
    with _lock:
        if target in _active:
            _active.remove(target)


def current() -> InProcessTarget | None:
    with _lock:
        return _active[-1] if _active else None


def wire_headers(request: AWSPreparedRequest) -> list[tuple[bytes, bytes]]:
    """The headers as an HTTP client would put them on the wire, with the ``Host`` and length it adds."""
    headers: list[tuple[bytes, bytes]] = []
    for name, value in request.headers.items():
        raw = value if isinstance(value, bytes) else str(value).encode("latin-1")
        headers.append((name.lower().encode("latin-1"), raw))
    names = {name for name, _ in headers}
    if b"host" not in names:
        headers.append((b"host", host_header(request.url)))
    if b"content-length" not in names:
        headers.append((b"content-length", str(len(request_body(request))).encode()))
    return headers


def request_body(request: AWSPreparedRequest) -> bytes:
    body = request.body
    if body is None:
        return b""
    if isinstance(body, bytes | bytearray):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    data = body.read()
    if hasattr(body, "seek"):
        body.seek(0)  # botocore may send a retried request's body again
    return data if isinstance(data, bytes) else str(data).encode("utf-8")


class _RawBody(io.BytesIO):
    """What botocore reads a response body from (urllib3's ``stream`` interface)."""

    def stream(self, amt: int = 65536, **_: Any) -> Iterator[bytes]:
        while chunk := self.read(amt):
            yield chunk


class _AsyncRawBody:
    """What aiobotocore reads a response body from."""

    def __init__(self, body: bytes) -> None:
        self._body = io.BytesIO(body)

    async def read(self, amt: int = -1) -> bytes:
        return self._body.read(amt)


class InProcessResponse(AWSResponse):  # type: ignore[misc]
    """The answer to one request, readable by botocore as it is.

    aiobotocore awaits whatever a ``before-send`` handler returns, and expects an ``AioAWSResponse`` whose body is
    read asynchronously: awaiting this object gives it one. botocore never awaits it.
    """

    def __init__(self, url: str, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        text_headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in headers}
        super().__init__(url, status, text_headers, _RawBody(body))
        self._body = body

    def __await__(self) -> Any:
        return self._for_aiobotocore().__await__()

    async def _for_aiobotocore(self) -> Any:
        from aiobotocore.awsrequest import AioAWSResponse

        return AioAWSResponse(self.url, self.status_code, self.headers, _AsyncRawBody(self._body))


def before_send(request: AWSPreparedRequest, **_: Any) -> InProcessResponse | None:
    target = current()
    if target is None:
        return None  # no mock is active: the request goes out over the network as usual
    status, headers, body = target.handle(request.method, request.url, wire_headers(request), request_body(request))
    return InProcessResponse(request.url, status, headers, body)


def before_sign(
    request_signer: Any, signing_name: str, region_name: str, signature_version: Any, **_: Any
) -> Coroutine[Any, Any, None] | None:
    target = current()
    if target is None or signature_version is botocore.UNSIGNED:
        return None
    try:
        auth = request_signer.get_auth_instance(signing_name, region_name, signature_version)
    except Exception:
        return None  # botocore's own signing step raises the proper error (no credentials, no region)
    if inspect.isawaitable(auth):  # aiobotocore's signer is asynchronous, and so is its event emitter

        async def accept_later() -> None:
            _accept(target, await auth)

        return accept_later()
    _accept(target, auth)
    return None


def _accept(target: InProcessTarget, auth: Any) -> None:
    credentials = getattr(auth, "credentials", None)
    if credentials is not None and credentials.access_key and credentials.secret_key:
        target.accept_credentials(credentials.access_key, credentials.secret_key)


def install() -> None:
    """Add the handlers to every botocore session created from now on (idempotent)."""
    handlers: Mapping[str, Any] = {SIGN_EVENT: before_sign, SEND_EVENT: before_send}
    for event, handler in handlers.items():
        if (event, handler) not in botocore.handlers.BUILTIN_HANDLERS:
            botocore.handlers.BUILTIN_HANDLERS.append((event, handler))


install()
