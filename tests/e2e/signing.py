"""Hand-signed AWS JSON 1.1 requests to a running lsnotify, for tests that need control over the wire.

botocore's ``SigV4Auth`` computes the signature (the same code that signs boto3 and AWS CLI requests), but the
caller chooses what is signed: the headers, the body, the signing time, the region, the service and the key.
Requests go out through one module-wide ``urllib3`` pool that keeps its connections open, so hundreds of them take
a few seconds.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import urllib3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from harness import Account, ServerProcess

TARGET_PREFIX = "Lightsail_20161128"
CONTENT_TYPE = "application/x-amz-json-1.1"
AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"

HTTP = urllib3.PoolManager(maxsize=2, retries=False, timeout=urllib3.Timeout(connect=5, read=30))


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]  # urllib3's HTTPHeaderDict: names are case-insensitive
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def error_type(self) -> str:
        """The body's ``__type``."""
        return str(self.json()["__type"])


def target(operation: str) -> dict[str, str]:
    """The two headers that make a POST an AWS JSON 1.1 call of ``operation``."""
    return {"Content-Type": CONTENT_TYPE, "X-Amz-Target": f"{TARGET_PREFIX}.{operation}"}


def sign(
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    account: Account,
    *,
    region: str = "us-east-1",
    service: str = "lightsail",
    when: datetime | None = None,
) -> dict[str, str]:
    """``headers`` plus ``X-Amz-Date`` and ``Authorization``, signed at ``when`` (default: now) over exactly these
    headers (and ``host``, taken from ``url`` unless given) and ``body``."""
    stamp = (when or datetime.now(UTC)).strftime(AMZ_DATE_FORMAT)
    request = AWSRequest(method="POST", url=url, headers={**headers, "X-Amz-Date": stamp}, data=body)
    request.context["timestamp"] = stamp
    signer = SigV4Auth(Credentials(account.access_key_id, account.secret_access_key), service, region)
    canonical = signer.canonical_request(request)
    signature = signer.signature(signer.string_to_sign(request, canonical), request)
    names = signer.signed_headers(signer.headers_to_sign(request))
    authorization = f"AWS4-HMAC-SHA256 Credential={signer.scope(request)}, SignedHeaders={names}, Signature={signature}"
    return {**dict(request.headers.items()), "Authorization": authorization}


def post(url: str, headers: Mapping[str, str], body: bytes | Iterable[bytes] = b"{}", **options: Any) -> Response:
    """POST ``body`` (bytes, or chunks with ``chunked=True``) with ``headers`` as given; urllib3 adds Host,
    Content-Length and the like when absent."""
    reply = HTTP.request("POST", url, body=body, headers=dict(headers), redirect=False, **options)
    return Response(reply.status, reply.headers, reply.data)


class RawClient:
    """Correctly signed requests to one server as one account (and region), with every detail open to change."""

    def __init__(self, server: ServerProcess, account: Account, region: str = "us-east-1") -> None:
        self.server = server
        self.account = account
        self.region = region

    def headers(
        self,
        operation: str,
        body: bytes,
        *,
        path: str = "/",
        extra: Mapping[str, str] = {},
        account: Account | None = None,
        **how: Any,
    ) -> dict[str, str]:
        """The headers of a signed call of ``operation`` carrying ``body``; ``extra`` headers are signed too and
        ``how`` goes to ``sign`` (``region``, ``service``, ``when``)."""
        how.setdefault("region", self.region)
        url = self.server.url + path
        return sign(url, {**target(operation), **extra}, body, account or self.account, **how)

    def call_raw(
        self, operation: str, params: Any = None, *, body: bytes | None = None, path: str = "/", **how: Any
    ) -> Response:
        """A signed call of ``operation`` with ``params`` as JSON, or ``body`` verbatim."""
        data = body if body is not None else json.dumps({} if params is None else params).encode()
        return post(self.server.url + path, self.headers(operation, data, path=path, **how), data)

    def call(self, operation: str, params: Any = None, **how: Any) -> Any:
        """A signed call that must succeed: its parsed result."""
        response = self.call_raw(operation, params, **how)
        assert response.status == 200, (response.status, response.body)
        return response.json()


def assert_error(response: Response, status: int, error_type: str, message: str | None = None) -> dict[str, Any]:
    """``response`` is the JSON 1.1 error ``error_type`` (body ``__type`` and ``x-amzn-ErrorType``) with ``status``
    and a request id, and its message starts with ``message`` when given. Returns the body."""
    assert response.status == status, (response.status, response.body)
    body = response.json()
    assert body["__type"] == error_type, body
    assert response.headers["x-amzn-ErrorType"] == error_type
    assert response.headers["Content-Type"] == CONTENT_TYPE
    uuid.UUID(response.headers["x-amzn-RequestId"])
    assert isinstance(body["message"], str)
    if message is not None:
        assert body["message"].startswith(message), body["message"]
    return dict(body)
