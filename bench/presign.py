"""Requests signed ahead of a run: the exact bytes boto3 would send, replayed by the load generator.

boto3 builds one request per (service, region, operation, parameters) — captured at its ``before-send`` hook, so the
header set, body and encoding are the SDK's own — and botocore's ``SigV4Auth`` signs a copy of it for each access
key. Signatures carry ``X-Amz-Date`` and lsnotify accepts ±15 minutes of skew, so a benchmark signs its requests
right before each run.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSPreparedRequest, AWSRequest, AWSResponse
from botocore.config import Config
from botocore.credentials import Credentials

_DUMMY_KEY = "AKIAIOSFODNN7EXAMPLE"
_DUMMY_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
_SIGNING_HEADERS = ("X-Amz-Date", "Authorization", "X-Amz-Security-Token")


@dataclass(frozen=True)
class Key:
    """An access key and the account it belongs to."""

    account_id: str
    access_key_id: str
    secret_access_key: str


@dataclass(frozen=True)
class Call:
    """One API call to sign: who makes it, where, and what it asks."""

    key: Key
    region: str
    operation: str
    params: Mapping[str, Any]


class _Body:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


@cache
def _session() -> Any:
    return botocore.session.get_session()


@cache
def _client(service: str, region: str, endpoint: str) -> Any:
    client = _session().create_client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=_DUMMY_KEY,
        aws_secret_access_key=_DUMMY_SECRET,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )
    client.meta.events.register("before-send", _capture)
    return client


_captured: list[AWSPreparedRequest] = []


def _capture(request: AWSPreparedRequest, **_: Any) -> AWSResponse:
    """Keep the request boto3 is about to send and answer it locally, so nothing goes on the wire."""
    _captured.append(request)
    return AWSResponse(request.url, 200, {}, _Body(b"{}"))


def _snake(operation: str) -> str:
    return "".join("_" + ch.lower() if ch.isupper() else ch for ch in operation).lstrip("_")


@cache
def _template(service: str, endpoint: str, region: str, operation: str, params_key: str) -> AWSPreparedRequest:
    _captured.clear()
    getattr(_client(service, region, endpoint), _snake(operation))(**json.loads(params_key))
    (request,) = _captured
    return request


def sign(service: str, endpoint: str, calls: Iterable[Call]) -> list[bytes]:
    """The raw HTTP/1.1 bytes of each call, as boto3 sends them to ``endpoint``, signed now.

    Only the headers boto3 signed are given to ``SigV4Auth``; the others (``amz-sdk-*``, ``Content-Length``) are
    added after signing, as boto3 adds them.
    """
    host = urlsplit(endpoint).netloc
    raw = []
    for call in calls:
        template = _template(service, endpoint, call.region, call.operation, json.dumps(call.params, sort_keys=True))
        headers = {name: _text(value) for name, value in template.headers.items()}
        signed = _signed_names(headers["Authorization"])
        request = AWSRequest(
            method=template.method,
            url=template.url,
            headers={name: value for name, value in headers.items() if name.lower() in signed},
            data=template.body,
        )
        credentials = Credentials(call.key.access_key_id, call.key.secret_access_key)
        signing_name = _client(service, call.region, endpoint).meta.service_model.signing_name  # cloudwatch: monitoring
        SigV4Auth(credentials, signing_name, call.region).add_auth(request)
        for name in _SIGNING_HEADERS:  # in place, keeping boto3's header order
            if name in request.headers:
                headers[name] = _text(request.headers[name])
            else:
                headers.pop(name, None)
        raw.append(_http_bytes(template, headers, host))
    return raw


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def _signed_names(authorization: str) -> frozenset[str]:
    signed = authorization.split("SignedHeaders=", 1)[1].split(",", 1)[0]
    return frozenset(signed.split(";"))


def _http_bytes(template: AWSPreparedRequest, headers: dict[str, str], host: str) -> bytes:
    path = urlsplit(template.url).path or "/"
    lines = [f"{template.method} {path} HTTP/1.1", f"Host: {host}", *(f"{k}: {v}" for k, v in headers.items())]
    body = template.body or b""
    if isinstance(body, str):
        body = body.encode()
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
