"""SigV4 (AWS4-HMAC-SHA256 in the ``Authorization`` header) verification for the server's hot path.

This module owns parsing the Authorization header, the checks that need no secret (credential scope, required signed
headers, clock skew), and recomputing the signature exactly as ``botocore.auth.SigV4Auth`` does, over the headers named
in ``SignedHeaders`` and the raw body. The required signed headers are Host, the date, and X-Amz-Target: it names the
operation, and every AWS SDK signs it. It knows no HTTP framework, database or business rule, and raises only
``lsnotify.errors`` exceptions, with the wording AWS uses.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_tz
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import quote

from botocore.utils import normalize_url_path

from lsnotify.errors import (
    IncompleteSignatureException,
    InvalidSignatureException,
    MissingAuthenticationTokenException,
)

if TYPE_CHECKING:
    from hashlib import _Hash

ALGORITHM = "AWS4-HMAC-SHA256"
TERMINATOR = "aws4_request"
_AMZ_DATE = re.compile(r"[0-9]{8}T[0-9]{6}Z")  # not \d: it also matches non-ASCII digits
_CONTENT_SHA256 = b"x-amz-content-sha256"
_PAD_36 = bytes(b ^ 0x36 for b in range(256))
_PAD_5C = bytes(b ^ 0x5C for b in range(256))
_HOST_NOT_SIGNED = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
_TARGET_NOT_SIGNED = (
    "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization (it names the operation; every AWS SDK signs it)."
)


# Not frozen: a frozen dataclass's __init__ sets each field through object.__setattr__, four times slower, on every
# request. Nothing mutates these.
@dataclass(slots=True)
class SignedRequest:
    method: str
    raw_path: bytes
    query_string: bytes
    headers: Sequence[tuple[bytes, bytes]]
    body: bytes


@dataclass(slots=True)
class Authorization:
    access_key_id: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    amz_date: str
    terminator: str  # the credential scope's last element; check_scope insists on "aws4_request"
    timestamp: float  # amz_date as epoch seconds
    date_header: str  # "x-amz-date" or "date": the header amz_date came from

    @property
    def credential_scope(self) -> str:
        return f"{self.date}/{self.region}/{self.service}/{TERMINATOR}"


# The Authorization header as every SDK writes it: one pattern match instead of the general parse below, which gives
# the same result for it (and the errors for everything else).
_WELL_FORMED = re.compile(
    r"AWS4-HMAC-SHA256 Credential=([^/,\s]*)/([^/,\s]*)/([^/,\s]*)/([^/,\s]*)/([^/,\s]*),"
    r" ?SignedHeaders=([^,\s]*), ?Signature=([^,\s]*)"
)


def parse_authorization(request: SignedRequest) -> Authorization:
    """Read the Authorization header and the request date; raise on anything malformed."""
    header = amz_date = http_date = None
    for raw_name, raw_value in request.headers:
        if raw_name == b"authorization" and header is None:
            header = raw_value
        elif raw_name == b"x-amz-date" and amz_date is None:
            amz_date = raw_value
        elif raw_name == b"date" and http_date is None:
            http_date = raw_value
    text = header.decode("latin-1") if header is not None else ""
    if amz_date is not None and (match := _WELL_FORMED.fullmatch(text)):
        access_key_id, date, region, service, terminator, signed, signature = match.groups()
        stamp, timestamp = _parse_date(amz_date.decode("latin-1").strip(), False)
        return Authorization(
            access_key_id, date, region, service, _signed_headers(signed), signature, stamp, terminator, timestamp,
            "x-amz-date",
        )  # fmt: skip
    return parse_general(text, amz_date, http_date)


def parse_general(text: str, amz_date: bytes | None, http_date: bytes | None) -> Authorization:
    """The general parse of an Authorization header, with AWS's error for each way it can be wrong; the fast path of
    ``parse_authorization`` must agree with it (the unit tests hold them to that)."""
    algorithm, _, rest = text.strip().partition(" ")
    if not algorithm:
        raise MissingAuthenticationTokenException()
    if algorithm != ALGORITHM:
        raise IncompleteSignatureException(f"Unsupported AWS 'algorithm': '{algorithm}'.")
    params: dict[str, str] = {}
    for token in rest.replace(",", " ").split():  # AWS splits on commas and whitespace alike
        key, equal, value = token.partition("=")
        if not equal:
            raise IncompleteSignatureException(
                f"'{token}' not a valid key=value pair (missing equal-sign) in Authorization header: '{text}'."
            )
        params.setdefault(key, value)
    required = ("Credential", "Signature", "SignedHeaders")
    problems = [f"Authorization header requires '{key}' parameter." for key in required if key not in params]
    if amz_date is None and http_date is None:
        problems.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
    if problems:
        raise IncompleteSignatureException(f"{' '.join(problems)} Authorization={text}")
    raw_date = amz_date if amz_date is not None else http_date or b""
    stamp, timestamp = _parse_date(raw_date.decode("latin-1").strip(), amz_date is None)
    credential = params["Credential"]
    parts = credential.split("/")
    if len(parts) != 5:
        raise IncompleteSignatureException(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term,"
            f" got '{credential}'"
        )
    signed = params["SignedHeaders"]
    return Authorization(
        access_key_id=parts[0],
        date=parts[1],
        region=parts[2],
        service=parts[3],
        signed_headers=_signed_headers(signed),
        signature=params["Signature"],
        amz_date=stamp,
        terminator=parts[4],
        timestamp=timestamp,
        date_header="x-amz-date" if amz_date is not None else "date",
    )


@lru_cache(maxsize=256)
def _signed_headers(signed: str) -> tuple[str, ...]:
    return tuple(signed.split(";")) if signed else ()


@lru_cache(maxsize=64)
def _parse_date(value: str, http_date: bool) -> tuple[str, float]:
    """(``%Y%m%dT%H%M%SZ``, epoch seconds) of an X-Amz-Date value, or of a Date value in either format."""
    try:
        if _AMZ_DATE.fullmatch(value):
            v = value
            moment = datetime(int(v[:4]), int(v[4:6]), int(v[6:8]), int(v[9:11]), int(v[11:13]), int(v[13:15]), 0, UTC)
            return value, moment.timestamp()
        parsed = parsedate_tz(value) if http_date else None
        if parsed is not None:
            moment = datetime(*parsed[:6], tzinfo=UTC) - timedelta(seconds=parsed[9] or 0)
            stamp = f"{moment.year:04d}{moment:%m%dT%H%M%SZ}"  # %Y is not zero-padded below year 1000 on glibc
            return stamp, moment.timestamp()
    except (ValueError, OverflowError, TypeError, IndexError):
        pass
    raise IncompleteSignatureException(
        f"Date must be in ISO-8601 'basic format'. Got '{value}'. See http://en.wikipedia.org/wiki/ISO_8601"
    )


class SigV4Verifier:
    def __init__(self, *, service: str, regions: frozenset[str], max_skew_seconds: float = 900.0) -> None:
        self._service = service
        self._regions = regions
        self._max_skew = max_skew_seconds

    def check_scope(self, auth: Authorization, now: float, request: SignedRequest | None = None) -> None:
        """Everything that needs no secret: credential scope, required signed headers, clock skew. X-Amz-Target must
        be signed when ``request`` carries it (always, without ``request``): the Query and CBOR protocols have none."""
        if not (
            auth.region in self._regions
            and auth.service == self._service
            and auth.terminator == TERMINATOR
            and auth.date == auth.amz_date[:8]
        ):
            raise InvalidSignatureException("".join(self._scope_problems(auth)))
        if "host" not in auth.signed_headers:
            raise InvalidSignatureException(_HOST_NOT_SIGNED)
        if auth.date_header not in auth.signed_headers:
            name = "X-Amz-Date" if auth.date_header == "x-amz-date" else "Date"
            raise InvalidSignatureException(f"'{name}' must be a 'SignedHeader' in the AWS Authorization.")
        if "x-amz-target" not in auth.signed_headers and (
            request is None or any(name == b"x-amz-target" for name, _ in request.headers)
        ):
            raise InvalidSignatureException(_TARGET_NOT_SIGNED)
        if auth.timestamp < now - self._max_skew:
            raise InvalidSignatureException(
                f"Signature expired: {auth.amz_date} is now earlier than {_stamp(now - self._max_skew)}"
                f" ({_stamp(now)} - {self._max_skew / 60:g} min.)"
            )
        if auth.timestamp > now + self._max_skew:
            raise InvalidSignatureException(
                f"Signature not yet current: {auth.amz_date} is still later than {_stamp(now + self._max_skew)}"
                f" ({_stamp(now)} + {self._max_skew / 60:g} min.)"
            )

    def _scope_problems(self, auth: Authorization) -> list[str]:
        """What is wrong with the credential scope, each in AWS's words."""
        problems = []
        if auth.region not in self._regions:
            problems.append(f"Credential should be scoped to a valid region, not '{auth.region}'. ")
        if auth.service != self._service:
            problems.append(f"Credential should be scoped to correct service: '{self._service}'. ")
        if auth.terminator != TERMINATOR:
            problems.append(
                f"Credential should be scoped with a valid terminator: '{TERMINATOR}', not '{auth.terminator}'. "
            )
        if auth.date != auth.amz_date[:8]:
            problems.append(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP:"
                f" '{auth.date}' != '{auth.amz_date[:8]}', from '{auth.amz_date}'. "
            )
        return problems

    def verify(self, request: SignedRequest, auth: Authorization, secret_access_key: str) -> None:
        """Check the body against x-amz-content-sha256 (when sent), then recompute and compare the signature.

        A header named in SignedHeaders but absent from the request fails like a mismatch, InvalidSignatureException,
        with a message naming it. ``UNSIGNED-PAYLOAD`` is not accepted: no SDK sends it to a JSON service.
        """
        body = request.body
        body_hash = _short_body_hash(body) if len(body) <= _SHORT_BODY else hashlib.sha256(body).hexdigest()
        canonical, content_sha256 = _canonical_request(request, auth, body_hash)
        if content_sha256 is not None and content_sha256 != body_hash:
            raise InvalidSignatureException(
                "The provided 'x-amz-content-sha256' header does not match what was computed."
            )
        try:
            digest = hashlib.sha256(canonical.encode("utf-8", "surrogateescape")).hexdigest()
        except UnicodeEncodeError:  # only a method string holding lone surrogates gets here
            raise InvalidSignatureException() from None
        inner, outer = _signing_pads(secret_access_key, auth.date, auth.region, auth.service)
        inner = inner.copy()
        inner.update(f"{ALGORITHM}\n{auth.amz_date}\n{auth.credential_scope}\n{digest}".encode())
        outer = outer.copy()
        outer.update(inner.digest())
        if not (auth.signature.isascii() and hmac.compare_digest(outer.hexdigest(), auth.signature)):
            raise InvalidSignatureException()


def canonical_request(request: SignedRequest, auth: Authorization) -> str:
    """The CanonicalRequest the client should have signed, for debug logs and tests."""
    return _canonical_request(request, auth, hashlib.sha256(request.body).hexdigest())[0]


def _canonical_request(request: SignedRequest, auth: Authorization, body_hash: str) -> tuple[str, str | None]:
    """(CanonicalRequest, the first x-amz-content-sha256 value or None), exactly as botocore builds them."""
    raw_names, wanted = _header_names(auth.signed_headers)
    found: dict[bytes, list[bytes]] = {}
    for raw_name, raw_value in request.headers:
        if raw_name in wanted:
            if raw_name in found:
                found[raw_name].append(raw_value)
            else:
                found[raw_name] = [raw_value]
    parts = [request.method.upper(), _canonical_uri(request.raw_path), _canonical_query(request.query_string)]
    for name, raw_name in zip(auth.signed_headers, raw_names, strict=True):
        values = found.get(raw_name)
        if values is None:
            raise InvalidSignatureException(f"Header '{name}' is in SignedHeaders but absent from the request.")
        if len(values) == 1:
            value = values[0]
            text = value.decode("latin-1") if value.isascii() else _header_text(value)
            parts.append(name + ":" + " ".join(text.split()))
        else:
            parts.append(name + ":" + ",".join([" ".join(_header_text(v).split()) for v in values]))
    content_sha256 = found[_CONTENT_SHA256][0].decode("latin-1") if _CONTENT_SHA256 in found else None
    parts += ("", ";".join(auth.signed_headers), body_hash if content_sha256 is None else content_sha256)
    return "\n".join(parts), content_sha256


# Bodies this short are few (``{}`` above all) and repeat: their SHA-256 is looked up rather than computed.
_SHORT_BODY = 64


@lru_cache(maxsize=256)
def _short_body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _header_text(value: bytes) -> str:
    """The str a client signed: botocore sends header values as UTF-8, Node.js (JS v3) and http.client as latin-1."""
    try:
        return value.decode()
    except UnicodeDecodeError:
        return value.decode("latin-1")


@lru_cache(maxsize=256)
def _header_names(signed_headers: tuple[str, ...]) -> tuple[tuple[bytes, ...], frozenset[bytes]]:
    """The signed names as ASGI header bytes, and the set of names the header scan collects."""
    raw_names = tuple(name.encode("latin-1", "replace") for name in signed_headers)
    return raw_names, frozenset((*raw_names, _CONTENT_SHA256))


@lru_cache(maxsize=256)
def _canonical_uri(raw_path: bytes) -> str:
    # botocore quotes the already percent-encoded path again; bytes keep a non-UTF-8 path well defined.
    return quote(normalize_url_path(raw_path.decode("latin-1")).encode("latin-1"), safe="/~")


def _canonical_query(query: bytes) -> str:
    # As botocore's _canonical_query_string_url: no re-encoding, pairs sorted. UTF-8 order equals code point order.
    if not query:
        return ""
    pairs = []
    for pair in query.decode("utf-8", "surrogateescape").split("&"):
        key, _, value = pair.partition("=")
        pairs.append((key, value))
    return "&".join(f"{key}={value}" for key, value in sorted(pairs))


@lru_cache(maxsize=1024)
def _signing_pads(secret: str, date: str, region: str, service: str) -> tuple[_Hash, _Hash]:
    """HMAC-SHA256 (RFC 2104) keyed with the SigV4 signing key, as inner and outer hash states to copy.

    Copying these is about twice as fast as ``hmac.digest``, whose per-call OpenSSL 3 setup dominates for short input.
    Each pair holds two OpenSSL contexts (some 700 bytes), so only the clients seen last keep theirs.
    """
    block = _signing_key(secret, date, region, service).ljust(hashlib.sha256().block_size, b"\0")
    return hashlib.sha256(block.translate(_PAD_36)), hashlib.sha256(block.translate(_PAD_5C))


@lru_cache(maxsize=16_384)
def _signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """The SigV4 signing key: four HMACs (some 20 us), kept for many more clients than their pads (a few hundred
    bytes each), so that a server answering thousands of keys in turn derives each once a day."""
    key = f"AWS4{secret}".encode()
    for part in (date, region, service, TERMINATOR):
        key = hmac.digest(key, part.encode(), "sha256")
    return key


def _stamp(epoch: float) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(epoch))
