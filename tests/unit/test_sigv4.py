"""SigV4 verification (lsnotify.awsjson.sigv4), with botocore's own ``SigV4Auth`` as the oracle.

Requests are signed by botocore, then turned into what an ASGI server would hand over: lowercase header names, the
header values as botocore puts them on the wire (UTF-8), the path and query as sent, the body bytes.
"""

from __future__ import annotations

import calendar
import contextlib
import hashlib
import io
import json
import string
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from email.utils import formatdate
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSPreparedRequest, AWSRequest, AWSResponse
from botocore.credentials import Credentials
from hypothesis import given, settings
from hypothesis import strategies as st

from lsnotify.awsjson.model import lightsail_regions
from lsnotify.awsjson.sigv4 import (
    Authorization,
    SignedRequest,
    SigV4Verifier,
    canonical_request,
    parse_authorization,
    parse_general,
)
from lsnotify.errors import (
    IncompleteSignatureException,
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    WireError,
)

AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGIONS = sorted(lightsail_regions())
VERIFIER = SigV4Verifier(service="lightsail", regions=lightsail_regions())
MISMATCH = InvalidSignatureException().message
JS_V3_SIGNED = (
    "amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;"
    "x-amz-content-sha256;x-amz-date;x-amz-target;x-amz-user-agent"
)


# --------------------------------------------------------------------------------------------------------------------
# Signing with botocore, and the wire view of the result


@dataclass(frozen=True)
class Signed:
    request: SignedRequest  # what the server receives
    canonical: str  # botocore's CanonicalRequest
    timestamp: float  # the signing time, epoch seconds


def epoch(amz_date: str) -> float:
    return float(calendar.timegm(datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").timetuple()))


def sign(
    url: str,
    headers: Sequence[tuple[str, str]],
    body: bytes,
    *,
    amz_date: str = "20261127T231425Z",
    region: str = "us-east-1",
    unsigned: Sequence[tuple[str, str]] = (),
) -> Signed:
    """Sign with ``SigV4Auth`` over exactly ``headers`` (duplicates kept); add ``unsigned`` ones as a proxy would."""
    aws = AWSRequest(method="POST", url=url, data=body)
    for name, value in headers:
        aws.headers[name] = value  # HTTPHeaders appends: duplicates stay, in order
    aws.context["timestamp"] = amz_date
    signer = SigV4Auth(Credentials(AKID, SECRET), "lightsail", region)
    canonical = signer.canonical_request(aws)
    signature = signer.signature(signer.string_to_sign(aws, canonical), aws)
    signed_names = signer.signed_headers(signer.headers_to_sign(aws))
    authorization = (
        f"AWS4-HMAC-SHA256 Credential={signer.scope(aws)}, SignedHeaders={signed_names}, Signature={signature}"
    )
    wire = [(name.lower().encode(), value.encode()) for name, value in aws.headers.items()]
    wire.append((b"authorization", authorization.encode()))
    wire += [(name.encode(), value.encode()) for name, value in unsigned]
    parts = urlsplit(url)
    request = SignedRequest("POST", parts.path.encode() or b"/", parts.query.encode(), wire, body)
    return Signed(request, canonical, epoch(amz_date))


def accept(request: SignedRequest, *, secret: str = SECRET, now: float | None = None) -> Authorization:
    auth = parse_authorization(request)
    VERIFIER.check_scope(auth, auth.timestamp if now is None else now)
    VERIFIER.verify(request, auth, secret)
    return auth


def reject(request: SignedRequest, *, secret: str = SECRET) -> str:
    with pytest.raises(InvalidSignatureException) as caught:
        accept(request, secret=secret)
    return caught.value.message


def with_header(request: SignedRequest, name: bytes, value: bytes) -> SignedRequest:
    """The request with every ``name`` header replaced by one ``value`` (or added)."""
    headers = [(n, v) for n, v in request.headers if n != name] + [(name, value)]
    return replace(request, headers=headers)


def boto_headers(amz_date: str = "20261127T231425Z", **extra: str) -> list[tuple[str, str]]:
    return [
        ("X-Amz-Target", "Lightsail_20161128.GetContactMethods"),
        ("Content-Type", "application/x-amz-json-1.1"),
        ("Host", "127.0.0.1:37223"),
        ("X-Amz-Date", amz_date),
        *extra.items(),
    ]


# --------------------------------------------------------------------------------------------------------------------
# Strategies

UNRESERVED = string.ascii_letters + string.digits + "-._~"
ENCODED = ["%2F", "%20", "%C3%A9", "%41", "a%25b", "%7E"]
segments = st.one_of(st.text(UNRESERVED + "!$&'()*+,;=:@", max_size=8), st.sampled_from([".", "..", "", *ENCODED]))
paths = st.one_of(
    st.sampled_from(["/", "/prefix", "/prefix/", "", "//", "/a/./b/../c"]),
    st.builds(
        lambda segs, tail: "/" + "/".join(segs) + tail, st.lists(segments, max_size=5), st.sampled_from(["", "/"])
    ),
)
query_words = st.one_of(st.text(UNRESERVED, max_size=4), st.sampled_from(ENCODED))
queries = st.lists(
    st.one_of(query_words, st.builds(lambda k, v: f"{k}={v}", query_words, query_words)), max_size=4
).map("&".join)
# Header text, heavy on the characters Python's str.split() treats as whitespace (botocore trims with it).
header_chars = st.one_of(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    st.characters(exclude_categories=["Cc", "Cs"]),
    st.sampled_from(" \t\x1c\x1d\x1e\x1f\x85\xa0\u2028\u3000\u200b"),
)
header_values = st.text(header_chars, max_size=16)
extra_names = st.from_regex(r"x-test-[a-z0-9-]{1,6}", fullmatch=True)
json_bodies = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
).map(lambda v: json.dumps(v, ensure_ascii=False).encode())
bodies = st.one_of(st.just(b""), st.just(b"{}"), st.binary(max_size=64), json_bodies)
moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31))


@st.composite
def signed_requests(draw: st.DrawFn) -> Signed:
    moment = draw(moments)
    amz_date = moment.strftime("%Y%m%dT%H%M%SZ")
    host = draw(st.sampled_from(["127.0.0.1:37223", "localhost:4566", "lightsail.us-east-1.amazonaws.com"]))
    headers = [
        ("Host", host),
        ("Content-Type", "application/x-amz-json-1.1"),
        ("X-Amz-Target", "Lightsail_20161128.GetContactMethods"),
    ]
    if draw(st.booleans()):
        headers.append(("X-Amz-Date", amz_date))
    else:  # botocore signs with a Date header when the request already has one
        headers.append(("Date", formatdate(calendar.timegm(moment.timetuple()))))
    body = draw(bodies)
    if draw(st.booleans()):
        headers.append(("X-Amz-Content-SHA256", hashlib.sha256(body).hexdigest()))
    if draw(st.booleans()):
        headers.append(("X-Amz-Security-Token", draw(st.text(UNRESERVED + "/+=", min_size=1, max_size=40))))
    for name, values in draw(st.dictionaries(extra_names, st.lists(header_values, min_size=1, max_size=3))).items():
        headers += [(name, value) for value in values]
    headers = draw(st.permutations(headers))
    unsigned = draw(
        st.lists(st.sampled_from([("accept-encoding", "identity"), ("amz-sdk-request", "attempt=1; max=3")]))
    )
    path, query = draw(paths), draw(queries)
    url = f"http://{host}{path}" + (f"?{query}" if query else "")
    region = draw(st.sampled_from(REGIONS))
    return sign(url, headers, body, amz_date=amz_date, region=region, unsigned=unsigned)


# --------------------------------------------------------------------------------------------------------------------
# Property tests against botocore


@given(signed_requests())
@settings(max_examples=300, deadline=None)
def test_botocore_signed_requests_are_accepted(signed: Signed) -> None:
    auth = parse_authorization(signed.request)
    assert canonical_request(signed.request, auth) == signed.canonical
    accept(signed.request, now=signed.timestamp)


@given(signed_requests(), st.data())
@settings(max_examples=150, deadline=None)
def test_a_changed_body_byte_is_rejected(signed: Signed, data: st.DataObject) -> None:
    body = signed.request.body
    if body:
        at = data.draw(st.integers(0, len(body) - 1))
        body = body[:at] + bytes([body[at] ^ data.draw(st.integers(1, 255))]) + body[at + 1 :]
    else:
        body = b"{"
    reject(replace(signed.request, body=body))


@given(signed_requests(), st.data())
@settings(max_examples=150, deadline=None)
def test_a_changed_signed_header_is_rejected(signed: Signed, data: st.DataObject) -> None:
    auth = parse_authorization(signed.request)
    # The date headers are parsed before any signature check; their tampering is covered by the scope tests.
    name = data.draw(st.sampled_from([n for n in auth.signed_headers if n not in ("x-amz-date", "date")]))
    values = [v for n, v in signed.request.headers if n == name.encode()]
    reject(with_header(signed.request, name.encode(), values[0] + b"x"))


@given(signed_requests(), st.data())
@settings(max_examples=100, deadline=None)
def test_a_changed_signature_or_secret_is_rejected(signed: Signed, data: st.DataObject) -> None:
    auth = parse_authorization(signed.request)
    at = data.draw(st.integers(0, 63))
    forged = auth.signature[:at] + ("0" if auth.signature[at] != "0" else "1") + auth.signature[at + 1 :]
    with pytest.raises(InvalidSignatureException):
        VERIFIER.verify(signed.request, replace(auth, signature=forged), SECRET)
    assert reject(signed.request, secret=SECRET + data.draw(st.sampled_from(["x", "é", " "]))) == MISMATCH


@given(st.text().filter(lambda p: "?" not in p and "#" not in p))
def test_canonical_uri_matches_botocore_for_any_path(path: str) -> None:
    signer = SigV4Auth(Credentials(AKID, SECRET), "lightsail", "us-east-1")
    request = SignedRequest("POST", path.encode(), b"", [], b"")
    auth = Authorization(
        AKID, "20260101", "us-east-1", "lightsail", (), "", "20260101T000000Z", "aws4_request", 0.0, ""
    )
    assert canonical_request(request, auth).split("\n")[1] == signer._normalize_url_path(path)


def test_empty_raw_path_is_slash() -> None:
    signed = sign("http://127.0.0.1:37223", boto_headers(), b"{}")
    assert signed.request.raw_path == b"/"
    accept(replace(signed.request, raw_path=b""))


# --------------------------------------------------------------------------------------------------------------------
# What real clients send


def test_javascript_v3_header_set() -> None:
    body = b'{"contactMethodType":"Email"}'
    headers = [
        ("amz-sdk-invocation-id", "3b0b3d1c-5f37-4c8e-9d2e-7a1f9c1e2b3a"),
        ("amz-sdk-request", "attempt=1; max=3"),
        ("content-length", str(len(body))),
        ("content-type", "application/x-amz-json-1.1"),
        ("host", "localhost:4566"),
        ("x-amz-content-sha256", hashlib.sha256(body).hexdigest()),
        ("x-amz-date", "20261127T231425Z"),
        ("x-amz-target", "Lightsail_20161128.GetContactMethods"),
        ("x-amz-user-agent", "aws-sdk-js/3.1169.0"),
    ]
    signed = sign("http://localhost:4566/prefix/", headers, body, unsigned=[("user-agent", "aws-sdk-js/3.1169.0")])
    assert accept(signed.request).signed_headers == tuple(JS_V3_SIGNED.split(";"))

    tampered = replace(signed.request, body=b'{"contactMethodType":"SMS"}')
    assert reject(tampered) == "The provided 'x-amz-content-sha256' header does not match what was computed."
    rehashed = with_header(tampered, b"x-amz-content-sha256", hashlib.sha256(tampered.body).hexdigest().encode())
    assert reject(rehashed) == MISMATCH


def test_boto3_header_set_with_unsigned_extras() -> None:
    unsigned = [
        ("accept-encoding", "identity"),
        ("user-agent", "Boto3/1.43.11 md/Botocore#1.43.11"),
        ("amz-sdk-invocation-id", "3b0b3d1c-5f37-4c8e-9d2e-7a1f9c1e2b3a"),
        ("amz-sdk-request", "attempt=1"),
        ("content-length", "2"),
    ]
    signed = sign(
        "http://127.0.0.1:37223/", boto_headers(**{"X-Amz-Security-Token": "TOKEN"}), b"{}", unsigned=unsigned
    )
    auth = accept(signed.request)
    assert auth.signed_headers == ("content-type", "host", "x-amz-date", "x-amz-security-token", "x-amz-target")


@pytest.mark.parametrize("endpoint_url", ["http://127.0.0.1:37223", "http://localhost:4566/prefix"])
@pytest.mark.parametrize("token", [None, "FQoGZXIvYXdzEXAMPLETOKEN"])
def test_real_boto3_requests(endpoint_url: str, token: str | None) -> None:
    session = boto3.session.Session(
        aws_access_key_id=AKID, aws_secret_access_key=SECRET, aws_session_token=token, region_name="eu-west-2"
    )
    sent: list[AWSPreparedRequest] = []

    class Raw(io.BytesIO):
        def stream(self, **_: Any) -> Iterator[bytes]:
            yield self.read()

    def before_send(request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        sent.append(request)
        return AWSResponse(request.url, 200, {"Content-Type": "application/x-amz-json-1.1"}, Raw(b"{}"))

    session.events.register("before-send.lightsail", before_send)
    client = session.client("lightsail", endpoint_url=endpoint_url)
    client.get_contact_methods()
    client.create_contact_method(protocol="Email", contactEndpoint="ops+é@example.com")

    assert len(sent) == 2
    for prepared in sent:
        parts = urlsplit(prepared.url)
        headers = [(b"host", parts.netloc.encode()), (b"accept-encoding", b"identity")]
        for name, value in prepared.headers.items():
            headers.append((name.lower().encode(), value if isinstance(value, bytes) else value.encode()))
        body = prepared.body if isinstance(prepared.body, bytes) else (prepared.body or "").encode()
        request = SignedRequest(prepared.method, parts.path.encode() or b"/", parts.query.encode(), headers, body)
        assert request.raw_path == (b"/prefix" if endpoint_url.endswith("/prefix") else b"/")
        auth = accept(request)
        assert auth.region == "eu-west-2"
        assert ("x-amz-security-token" in auth.signed_headers) == (token is not None)
        assert reject(replace(request, body=body + b" ")) == MISMATCH


# --------------------------------------------------------------------------------------------------------------------
# parse_authorization errors


def wire(authorization: str | None, **headers: str) -> SignedRequest:
    raw = [(b"host", b"127.0.0.1:37223")]
    raw += [(name.replace("_", "-").encode(), value.encode("latin-1")) for name, value in headers.items()]
    if authorization is not None:
        raw.append((b"authorization", authorization.encode("latin-1")))
    return SignedRequest("POST", b"/", b"", raw, b"{}")


GOOD_AUTH = (
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261127/us-east-1/lightsail/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64
)
NEEDS = "Authorization header requires"
NO_DATE = f"{NEEDS} existence of either a 'X-Amz-Date' or a 'Date' header."


@pytest.mark.parametrize("authorization", [None, "", "   "])
def test_missing_authorization(authorization: str | None) -> None:
    with pytest.raises(MissingAuthenticationTokenException) as caught:
        parse_authorization(wire(authorization, x_amz_date="20261127T231425Z"))
    assert caught.value.message == "Request is missing Authentication Token"


@pytest.mark.parametrize(
    ("authorization", "headers", "message"),
    [
        ("AWS5-HMAC-SHA256 FooBar, BazBurp", {}, "Unsupported AWS 'algorithm': 'AWS5-HMAC-SHA256'."),
        ("Basic Og==", {}, "Unsupported AWS 'algorithm': 'Basic'."),
        (
            "AWS4-HMAC-SHA256 FooBar, BazBurp",
            {},
            "'FooBar' not a valid key=value pair (missing equal-sign) in Authorization header: "
            "'AWS4-HMAC-SHA256 FooBar, BazBurp'.",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=not valid/20180109/us-east-1/sts/aws4_request, SignedHeaders=host",
            {},
            "'valid/20180109/us-east-1/sts/aws4_request' not a valid key=value pair (missing equal-sign) in "
            "Authorization header: 'AWS4-HMAC-SHA256 Credential=not valid/20180109/us-east-1/sts/aws4_request, "
            "SignedHeaders=host'.",
        ),
        (
            "AWS4-HMAC-SHA256",
            {},
            f"{NEEDS} 'Credential' parameter. {NEEDS} 'Signature' parameter. {NEEDS} 'SignedHeaders' parameter. "
            f"{NO_DATE} Authorization=AWS4-HMAC-SHA256",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE, Signature=ABCDEF",
            {"x_amz_date": "20261127T231425Z"},
            f"{NEEDS} 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE, "
            "Signature=ABCDEF",
        ),
        (GOOD_AUTH, {}, f"{NO_DATE} Authorization={GOOD_AUTH}"),
        (
            GOOD_AUTH,
            {"x_amz_date": "2015/08/30T12/36/00Z"},
            "Date must be in ISO-8601 'basic format'. Got '2015/08/30T12/36/00Z'. See http://en.wikipedia.org/wiki/ISO_8601",
        ),
        (
            GOOD_AUTH,
            {"x_amz_date": "20151332T000000Z"},
            "Date must be in ISO-8601 'basic format'. Got '20151332T000000Z'. See http://en.wikipedia.org/wiki/ISO_8601",
        ),
        (
            GOOD_AUTH,
            {"x_amz_date": "", "date": "Fri, 27 Nov 2026 23:14:25 GMT"},  # an empty X-Amz-Date still wins
            "Date must be in ISO-8601 'basic format'. Got ''. See http://en.wikipedia.org/wiki/ISO_8601",
        ),
        (
            GOOD_AUTH,
            {"date": "yesterday"},
            "Date must be in ISO-8601 'basic format'. Got 'yesterday'. See http://en.wikipedia.org/wiki/ISO_8601",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/us-east-1/lightsail/aws4_request, SignedHeaders=host, Signature=0",
            {"x_amz_date": "20261127T231425Z"},
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
            "got 'AKIDEXAMPLE/us-east-1/lightsail/aws4_request'",
        ),
    ],
)
def test_malformed_authorization(authorization: str, headers: dict[str, str], message: str) -> None:
    with pytest.raises(IncompleteSignatureException) as caught:
        parse_authorization(wire(authorization, **headers))
    assert caught.value.message == message


# Texts near the SDKs' shape: the pattern match of well-formed headers must agree with the general parse.
_PIECE = st.one_of(st.text(alphabet="aZ09-_.;", max_size=8), st.text(alphabet="aZ09/=;,-_ .\t", max_size=8))
_SEP = st.sampled_from([", ", ",", ", ", ",", " ", "  ", ", ,", "\t"])


@st.composite
def authorization_texts(draw: st.DrawFn) -> str:
    parts = draw(st.one_of(st.just(5), st.integers(3, 7)))
    credential = "/".join(draw(st.lists(_PIECE, min_size=parts, max_size=parts)))
    params = [f"Credential={credential}", f"SignedHeaders={draw(_PIECE)}", f"Signature={draw(_PIECE)}"]
    if draw(st.booleans()):
        params = draw(st.permutations(params))
    text = params[0] + "".join(draw(_SEP) + param for param in params[1:])
    return draw(st.sampled_from(["", "", " "])) + "AWS4-HMAC-SHA256 " + text + draw(st.sampled_from(["", "", ","]))


@settings(max_examples=400)
@given(authorization_texts(), st.sampled_from(["20261127T231425Z", " 20261127T231425Z "]))
def test_the_fast_parse_agrees_with_the_general_one(text: str, amz_date: str) -> None:
    request = wire(text, x_amz_date=amz_date)
    try:
        expected: object = parse_general(text, amz_date.encode(), None)
    except IncompleteSignatureException as error:
        expected = error.message
    try:
        got: object = parse_authorization(request)
    except IncompleteSignatureException as error:
        got = error.message
    assert got == expected


def test_parsed_fields() -> None:
    auth = parse_authorization(wire(GOOD_AUTH, x_amz_date="20261127T231425Z", date="Mon, 01 Jan 2024 00:00:00 GMT"))
    assert auth == Authorization(
        access_key_id=AKID,
        date="20261127",
        region="us-east-1",
        service="lightsail",
        signed_headers=("host", "x-amz-date"),
        signature="0" * 64,
        amz_date="20261127T231425Z",
        terminator="aws4_request",
        timestamp=epoch("20261127T231425Z"),
        date_header="x-amz-date",
    )


@pytest.mark.parametrize(
    ("date", "amz_date"),
    [
        ("Fri, 27 Nov 2026 23:14:25 GMT", "20261127T231425Z"),
        ("Fri, 27 Nov 2026 23:14:25 -0000", "20261127T231425Z"),  # what botocore's formatdate() writes
        ("Sat, 28 Nov 2026 01:14:25 +0200", "20261127T231425Z"),
        ("20261127T231425Z", "20261127T231425Z"),
    ],
)
def test_date_header_is_converted(date: str, amz_date: str) -> None:
    auth = parse_authorization(wire(GOOD_AUTH, date=date))
    assert (auth.amz_date, auth.timestamp, auth.date_header) == (amz_date, epoch(amz_date), "date")


# --------------------------------------------------------------------------------------------------------------------
# check_scope errors


def scoped(
    credential: str = "AKIDEXAMPLE/20261127/us-east-1/lightsail/aws4_request",
    signed: str = "host;x-amz-date;x-amz-target",
    **headers: str,
) -> Authorization:
    headers = headers or {"x_amz_date": "20261127T231425Z"}
    authorization = f"AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders={signed}, Signature={'0' * 64}"
    return parse_authorization(wire(authorization, **headers))


def scope_error(auth: Authorization, now: float | None = None, verifier: SigV4Verifier = VERIFIER) -> str:
    with pytest.raises(InvalidSignatureException) as caught:
        verifier.check_scope(auth, auth.timestamp if now is None else now)
    return caught.value.message


def test_scope_errors() -> None:
    assert scope_error(scoped("AK/20261127/us-east-1/sts/aws4_request")) == (
        "Credential should be scoped to correct service: 'lightsail'. "
    )
    assert scope_error(scoped("AK/20261127/xx-1/lightsail/aws4_request")) == (
        "Credential should be scoped to a valid region, not 'xx-1'. "
    )
    assert scope_error(scoped("AK/20261127/us-east-1/lightsail/aws5_request")) == (
        "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. "
    )
    assert scope_error(scoped("AK/20261126/us-east-1/lightsail/aws4_request")) == (
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
        "'20261126' != '20261127', from '20261127T231425Z'. "
    )
    assert scope_error(scoped("AK/foobar/xx-1/sts/aws5_request")) == (
        "Credential should be scoped to a valid region, not 'xx-1'. "
        "Credential should be scoped to correct service: 'lightsail'. "
        "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. "
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
        "'foobar' != '20261127', from '20261127T231425Z'. "
    )


def test_signed_headers_must_cover_host_and_date() -> None:
    host = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
    assert scope_error(scoped(signed="x-amz-date")) == host
    assert scope_error(scoped(signed="")) == host
    assert scope_error(scoped(signed="host")) == "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization."
    assert scope_error(scoped(signed="host", date="Fri, 27 Nov 2026 23:14:25 GMT")) == (
        "'Date' must be a 'SignedHeader' in the AWS Authorization."
    )
    VERIFIER.check_scope(
        scoped(signed="date;host;x-amz-target", date="Fri, 27 Nov 2026 23:14:25 GMT"), epoch("20261127T231425Z")
    )


TARGET_NOT_SIGNED = (
    "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization (it names the operation; every AWS SDK signs it)."
)


def test_signed_headers_must_cover_x_amz_target() -> None:
    assert scope_error(scoped(signed="host;x-amz-date")) == TARGET_NOT_SIGNED
    assert scope_error(scoped(signed="content-type;host;x-amz-date;x-amz-target-other")) == TARGET_NOT_SIGNED
    VERIFIER.check_scope(scoped(signed="host;x-amz-date;x-amz-target"), epoch("20261127T231425Z"))


def test_a_target_added_after_signing_is_refused() -> None:
    """Signed by botocore over every header but X-Amz-Target, which a proxy (or an attacker) then sets."""
    headers = [(name, value) for name, value in boto_headers() if name != "X-Amz-Target"]
    signed = sign(
        "http://127.0.0.1:37223/", headers, b"{}", unsigned=[("x-amz-target", "Lightsail_20161128.DeleteAlarm")]
    )
    assert "x-amz-target" not in parse_authorization(signed.request).signed_headers
    assert reject(signed.request) == TARGET_NOT_SIGNED


def test_clock_skew() -> None:
    auth = scoped("AK/20140325/us-east-1/lightsail/aws4_request", x_amz_date="20140325T143453Z")
    assert scope_error(auth, now=epoch("20140325T145251Z")) == (
        "Signature expired: 20140325T143453Z is now earlier than 20140325T143751Z (20140325T145251Z - 15 min.)"
    )
    assert scope_error(auth, now=epoch("20140325T141952Z")) == (
        "Signature not yet current: 20140325T143453Z is still later than 20140325T143452Z (20140325T141952Z + 15 min.)"
    )
    for now in (auth.timestamp - 900, auth.timestamp + 900, auth.timestamp + 899.5):
        VERIFIER.check_scope(auth, now)
    strict = SigV4Verifier(service="lightsail", regions=frozenset({"us-east-1"}), max_skew_seconds=300)
    assert scope_error(auth, now=auth.timestamp + 301, verifier=strict).endswith(" - 5 min.)")


# --------------------------------------------------------------------------------------------------------------------
# verify errors


def test_signed_header_absent_from_request() -> None:
    signed = sign("http://127.0.0.1:37223/", boto_headers(), b"{}")
    stripped = replace(signed.request, headers=[(n, v) for n, v in signed.request.headers if n != b"x-amz-target"])
    assert reject(stripped) == "Header 'x-amz-target' is in SignedHeaders but absent from the request."


def test_non_ascii_header_values_as_utf8_or_latin1() -> None:
    """botocore sends str header values as UTF-8; Node.js (JS v3) and http.client send them as latin-1."""
    signed = sign("http://127.0.0.1:37223/", [*boto_headers(), ("X-Test", "café\xa0 naïve\x85x")], b"{}")
    assert (b"x-test", "café\xa0 naïve\x85x".encode()) in signed.request.headers
    accept(signed.request)
    accept(with_header(signed.request, b"x-test", "café\xa0 naïve\x85x".encode("latin-1")))
    assert "\nx-test:café naïve x\n" in signed.canonical  # \xa0 and \x85 are whitespace to str.split()
    assert reject(with_header(signed.request, b"x-test", "cafe naïve x".encode())) == MISMATCH


def test_duplicate_signed_headers_are_joined_in_order() -> None:
    headers = [*boto_headers(), ("X-Test", "a  b"), ("X-Test", " c ")]
    signed = sign("http://127.0.0.1:37223/", headers, b"{}")
    assert "\nx-test:a b,c\n" in signed.canonical
    accept(signed.request)
    swapped = [h for h in signed.request.headers if h[0] != b"x-test"] + [(b"x-test", b" c "), (b"x-test", b"a  b")]
    assert reject(replace(signed.request, headers=swapped)) == MISMATCH


def test_odd_signatures_and_methods_are_rejected_cleanly() -> None:
    signed = sign("http://127.0.0.1:37223/", boto_headers(), b"{}")
    auth = parse_authorization(signed.request)
    with pytest.raises(InvalidSignatureException):
        VERIFIER.verify(signed.request, replace(auth, signature="é" * 64), SECRET)
    with pytest.raises(InvalidSignatureException):
        VERIFIER.verify(replace(signed.request, method="P\ud800ST"), auth, SECRET)


# --------------------------------------------------------------------------------------------------------------------
# Fuzz: any input ends in a WireError or success, never another exception

fuzz_words = st.one_of(
    st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters=","), max_size=6),
    st.text(st.characters(exclude_categories=["Zs", "Zl", "Zp", "Cc", "Cs"], exclude_characters=","), max_size=3),
    st.sampled_from(["", "host", "x-amz-date", "date", "AKID", "20261127", "us-east-1", "lightsail", "aws4_request"]),
)
fuzz_text = st.one_of(fuzz_words, st.sampled_from(["=", ",", ";", "/", " ", "\t", "é", "\xa0", "0" * 64]))
scoped_authorizations = st.builds(
    "AWS4-HMAC-SHA256 Credential={}/{}/{}/{}/{}, SignedHeaders={}, Signature={}".format,
    *[fuzz_words] * 5,
    st.lists(fuzz_words, max_size=6).map(";".join),
    fuzz_words,
)
fuzz_authorizations = st.one_of(
    scoped_authorizations,
    scoped_authorizations,
    scoped_authorizations,
    st.builds(
        "AWS4-HMAC-SHA256 Credential={}, SignedHeaders={}, Signature={}".format,
        st.lists(fuzz_words, max_size=6).map("/".join),
        st.lists(fuzz_words, max_size=6).map(";".join),
        fuzz_words,
    ),
    st.lists(fuzz_text, max_size=10).map(lambda parts: "AWS4-HMAC-SHA256 " + "".join(parts)),
    st.binary(max_size=60),
).map(lambda value: value if isinstance(value, bytes) else value.encode("utf-8"))
fuzz_dates = st.one_of(
    *[st.just(b"20261127T231425Z")] * 3,
    st.sampled_from([b"Fri, 27 Nov 2026 23:14:25 GMT", b"Fri, 27 Nov 99999 99:14:25 +9999"]),
    st.binary(max_size=20),
)
fuzz_headers = st.lists(
    st.tuples(st.sampled_from([b"host", b"x-amz-content-sha256", b"content-type"]) | st.binary(), st.binary()),
    max_size=6,
)


@st.composite
def fuzz_header_lists(draw: st.DrawFn) -> list[tuple[bytes, bytes]]:
    """Mostly near-valid: Authorization and date headers in random shapes, among random other headers."""
    headers = draw(fuzz_headers)
    for _ in range(draw(st.sampled_from([1, 1, 1, 1, 0, 2]))):
        headers.append((b"authorization", draw(fuzz_authorizations)))
    for _ in range(draw(st.sampled_from([1, 1, 1, 1, 0, 2]))):
        headers.append((draw(st.sampled_from([b"x-amz-date", b"date"])), draw(fuzz_dates)))
    return draw(st.permutations(headers))


@given(
    fuzz_header_lists(),
    st.sampled_from(["POST", "post", "G\udcffT", "\ud800"]),
    st.binary(max_size=16),
    st.binary(max_size=16),
    st.binary(max_size=16),
)
@settings(max_examples=1000, deadline=None)
def test_fuzz_only_wire_errors(
    headers: list[tuple[bytes, bytes]], method: str, raw_path: bytes, query: bytes, body: bytes
) -> None:
    request = SignedRequest(method, raw_path, query, headers, body)
    try:
        auth = parse_authorization(request)
    except WireError:
        return
    for step in (
        lambda: VERIFIER.check_scope(auth, auth.timestamp),
        lambda: VERIFIER.check_scope(auth, 0.0),
        lambda: VERIFIER.verify(request, auth, SECRET),
        lambda: canonical_request(request, auth),
    ):
        with contextlib.suppress(WireError):
            step()
