"""SigV4 authentication end to end: a real `lsnotify serve`, requests signed by botocore (directly, through boto3, or
header by header as the JavaScript SDK v3 signs them), and the `lsnotify keys` commands that manage access keys.

Every refused request is checked for its HTTP status, ``__type``, ``x-amzn-ErrorType`` and AWS's wording, and for
leaving the account's data as it was.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from typing import Any

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from signing import AMZ_DATE_FORMAT, CONTENT_TYPE, RawClient, assert_error, post, sign, target

from harness import Account, ServerProcess

OPERATION = "CreateContactMethod"
BODY = json.dumps({"protocol": "SMS", "contactEndpoint": "+14255550100"}).encode()
TAMPERED = BODY.replace(b"+14255550100", b"+14255550199")
MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key "
    "and signing method. Consult the service documentation for details."
)
UNRECOGNIZED = "The security token included in the request is invalid."
JS_V3_SIGNED_HEADERS = (
    "amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;"
    "x-amz-content-sha256;x-amz-date;x-amz-target;x-amz-user-agent"
)
STAMP = r"(\d{8}T\d{6}Z)"

Request = tuple[dict[str, str], bytes]


def stored(lightsail: Any) -> tuple[list[Any], list[Any]]:
    """Everything the account has in the region: contact methods and operations."""
    return lightsail.get_contact_methods()["contactMethods"], lightsail.get_operations()["operations"]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def minutes(offset: float) -> datetime:
    return datetime.now(UTC) + timedelta(minutes=offset)


def parse_stamp(stamp: str) -> datetime:
    return datetime.strptime(stamp, AMZ_DATE_FORMAT).replace(tzinfo=UTC)


def js_v3_headers(raw: RawClient, operation: str, body: bytes, content_sha256: str | None = None) -> dict[str, str]:
    """Headers as `@aws-sdk/client-lightsail` 3.1169 sends them: its nine signed headers, then its User-Agent."""
    headers = {
        "amz-sdk-invocation-id": str(uuid.uuid4()),
        "amz-sdk-request": "attempt=1; max=3",
        "content-length": str(len(body)),
        "content-type": CONTENT_TYPE,
        "host": f"127.0.0.1:{raw.server.port}",
        "x-amz-content-sha256": content_sha256 or sha256(body),
        "x-amz-target": target(operation)["X-Amz-Target"],
        "x-amz-user-agent": "aws-sdk-js/3.1169.0",
    }
    signed = sign(raw.server.url + "/", headers, body, raw.account)
    assert f"SignedHeaders={JS_V3_SIGNED_HEADERS}," in signed["Authorization"]
    return {**signed, "user-agent": "aws-sdk-js/3.1169.0 ua/2.1 os/linux#6.8 lang/js md/nodejs#20.18.0"}


# --------------------------------------------------------------------------------------------------------------------
# Refused requests: one table, each a CreateContactMethod broken in one way


def signed(raw: RawClient, **how: Any) -> Request:
    return raw.headers(OPERATION, BODY, **how), BODY


def edited(pattern: str, replacement: str, **how: Any) -> Callable[[RawClient], Request]:
    """A correctly signed request whose Authorization header is then edited with ``re.sub``."""

    def build(raw: RawClient) -> Request:
        headers, body = signed(raw, **how)
        edit = re.sub(pattern, replacement, headers["Authorization"], count=1)
        assert edit != headers["Authorization"], f"{pattern!r} did not match"
        return {**headers, "Authorization": edit}, body

    return build


def changed(
    build: Callable[[RawClient], Request], *, body: bytes | None = None, **headers: str | None
) -> Callable[[RawClient], Request]:
    """The request ``build`` makes, then changed in transit: headers set (or removed, with None) and/or a new body."""

    def change(raw: RawClient) -> Request:
        sent, sent_body = build(raw)
        for keyword, value in headers.items():
            name = keyword.replace("_", "-")
            sent = {k: v for k, v in sent.items() if k.lower() != name.lower()}
            if value is not None:
                sent[name] = value
        return sent, sent_body if body is None else body

    return change


def stranger(raw: RawClient) -> Request:
    return signed(raw, account=Account("000000000000", "AKIAUNKNOWNUNKNOWN00", raw.account.secret_access_key))


def wrong_secret(raw: RawClient) -> Request:
    return signed(raw, account=Account(raw.account.account_id, raw.account.access_key_id, "not-the-secret"))


def yesterday_in_scope(raw: RawClient) -> Request:
    headers, body = signed(raw)
    today = headers["X-Amz-Date"][:8]
    yesterday = (parse_stamp(headers["X-Amz-Date"]) - timedelta(days=1)).strftime("%Y%m%d")
    return {**headers, "Authorization": headers["Authorization"].replace(f"/{today}/", f"/{yesterday}/")}, body


def later_date(raw: RawClient) -> Request:
    """Signed, then X-Amz-Date moved a minute on (still inside the clock window)."""
    headers, body = signed(raw)
    moved = (parse_stamp(headers["X-Amz-Date"]) + timedelta(minutes=1)).strftime(AMZ_DATE_FORMAT)
    return {**headers, "X-Amz-Date": moved}, body


def js_v3_wrong_content_sha256(raw: RawClient) -> Request:
    """Correctly signed, but over an x-amz-content-sha256 of another body."""
    return js_v3_headers(raw, OPERATION, BODY, content_sha256=sha256(TAMPERED)), BODY


def js_v3(raw: RawClient) -> Request:
    return js_v3_headers(raw, OPERATION, BODY), BODY


REFUSED = [
    pytest.param(
        lambda raw: (target(OPERATION), BODY),
        403,
        "MissingAuthenticationTokenException",
        "Request is missing Authentication Token",
        id="unsigned",
    ),
    pytest.param(
        edited(r", Signature=[0-9a-f]+", ""),
        400,
        "IncompleteSignatureException",
        "Authorization header requires 'Signature' parameter.",
        id="no-Signature",
    ),
    pytest.param(
        edited(r", SignedHeaders=[a-z0-9;-]+", ""),
        400,
        "IncompleteSignatureException",
        "Authorization header requires 'SignedHeaders' parameter.",
        id="no-SignedHeaders",
    ),
    pytest.param(
        edited(r"Credential=\S+, ", ""),
        400,
        "IncompleteSignatureException",
        "Authorization header requires 'Credential' parameter.",
        id="no-Credential",
    ),
    pytest.param(
        changed(signed, X_Amz_Date=None),
        400,
        "IncompleteSignatureException",
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        id="no-date",
    ),
    pytest.param(
        edited(r"Signature=", "Signature "),
        400,
        "IncompleteSignatureException",
        "'Signature' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 ",
        id="no-equal-sign",
    ),
    pytest.param(
        edited(r"/lightsail/aws4_request", "/lightsail"),
        400,
        "IncompleteSignatureException",
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '",
        id="scope-of-4-elements",
    ),
    pytest.param(
        edited(r"^AWS4-HMAC-SHA256 ", "AWS4-HMAC-SHA512 "),
        400,
        "IncompleteSignatureException",
        "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'",
        id="wrong-algorithm",
    ),
    pytest.param(stranger, 403, "UnrecognizedClientException", UNRECOGNIZED, id="unknown-access-key"),
    pytest.param(wrong_secret, 400, "InvalidSignatureException", MISMATCH, id="wrong-secret"),
    pytest.param(
        lambda raw: signed(raw, service="ec2"),
        400,
        "InvalidSignatureException",
        "Credential should be scoped to correct service: 'lightsail'. ",
        id="scope-service-ec2",
    ),
    pytest.param(
        lambda raw: signed(raw, region="mars-east-1"),
        400,
        "InvalidSignatureException",
        "Credential should be scoped to a valid region, not 'mars-east-1'. ",
        id="scope-region-mars-east-1",
    ),
    pytest.param(
        yesterday_in_scope,
        400,
        "InvalidSignatureException",
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP",
        id="scope-date-not-X-Amz-Date",
    ),
    pytest.param(
        edited(r"/aws4_request", "/aws5_request"),
        400,
        "InvalidSignatureException",
        "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. ",
        id="scope-terminator",
    ),
    pytest.param(
        edited(r"SignedHeaders=content-type;host;", "SignedHeaders=content-type;"),
        400,
        "InvalidSignatureException",
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
        id="host-not-signed",
    ),
    pytest.param(
        edited(r";x-amz-date;", ";"),
        400,
        "InvalidSignatureException",
        "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.",
        id="date-not-signed",
    ),
    pytest.param(
        edited(r";x-amz-target", ""),
        400,
        "InvalidSignatureException",
        "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization (it names the operation; every AWS SDK "
        "signs it).",
        id="target-not-signed",
    ),
    pytest.param(
        changed(signed, Content_Type=None),
        400,
        "InvalidSignatureException",
        "Header 'content-type' is in SignedHeaders but absent from the request.",
        id="signed-header-removed",
    ),
    pytest.param(
        changed(signed, body=TAMPERED), 400, "InvalidSignatureException", MISMATCH, id="body-tampered-after-signing"
    ),
    pytest.param(
        changed(lambda raw: signed(raw, extra={"x-request-note": "one"}), x_request_note="two"),
        400,
        "InvalidSignatureException",
        MISMATCH,
        id="signed-header-changed",
    ),
    pytest.param(
        later_date,
        400,
        "InvalidSignatureException",
        MISMATCH,
        id="X-Amz-Date-changed",
    ),
    pytest.param(
        js_v3_wrong_content_sha256,
        400,
        "InvalidSignatureException",
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
        id="js-v3-content-sha256-of-another-body",
    ),
    pytest.param(
        changed(js_v3, body=TAMPERED),
        400,
        "InvalidSignatureException",
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
        id="js-v3-body-tampered-after-signing",
    ),
]


@pytest.mark.parametrize(("build", "status", "error_type", "message"), REFUSED)
def test_refused_request_gets_aws_error_and_changes_nothing(
    server: ServerProcess,
    account: Account,
    lightsail: Any,
    build: Callable[[RawClient], Request],
    status: int,
    error_type: str,
    message: str,
) -> None:
    headers, body = build(RawClient(server, account))
    assert_error(post(server.url + "/", headers, body), status, error_type, message)
    assert stored(lightsail) == ([], [])


@pytest.mark.parametrize(
    ("offset", "message"),
    [
        (-20, rf"Signature expired: {STAMP} is now earlier than {STAMP} \({STAMP} - 15 min\.\)"),
        (20, rf"Signature not yet current: {STAMP} is still later than {STAMP} \({STAMP} \+ 15 min\.\)"),
    ],
    ids=["20-minutes-old", "20-minutes-ahead"],
)
def test_request_outside_the_clock_window_is_refused(
    server: ServerProcess, account: Account, lightsail: Any, offset: int, message: str
) -> None:
    when = minutes(offset)
    response = RawClient(server, account).call_raw(OPERATION, body=BODY, when=when)
    wording = assert_error(response, 400, "InvalidSignatureException")["message"]
    match = re.fullmatch(message, wording)
    assert match, wording
    sent, limit, now = (parse_stamp(stamp) for stamp in match.groups())
    assert sent == when.replace(microsecond=0)
    assert limit - now == timedelta(minutes=15 if offset > 0 else -15)
    assert abs(now - datetime.now(UTC)) < timedelta(minutes=1)
    assert stored(lightsail) == ([], [])


@pytest.mark.parametrize("offset", [-10, 10], ids=["10-minutes-old", "10-minutes-ahead"])
def test_request_within_the_clock_window_is_accepted(
    server: ServerProcess, account: Account, lightsail: Any, offset: int
) -> None:
    result = RawClient(server, account).call(OPERATION, body=BODY, when=minutes(offset))
    assert result["operations"][0]["operationType"] == OPERATION
    assert [method["contactEndpoint"] for method in stored(lightsail)[0]] == ["+14255550100"]


@pytest.mark.parametrize(
    ("credentials", "status", "error_type", "message"),
    [
        (
            lambda a: Account(a.account_id, "AKIAUNKNOWNUNKNOWN00", a.secret_access_key),
            403,
            "UnrecognizedClientException",
            UNRECOGNIZED,
        ),
        (
            lambda a: Account(a.account_id, a.access_key_id, "not-the-secret"),
            400,
            "InvalidSignatureException",
            MISMATCH,
        ),
    ],
    ids=["unknown-access-key", "wrong-secret"],
)
def test_boto3_sees_the_auth_errors(
    server: ServerProcess,
    account: Account,
    lightsail: Any,
    credentials: Callable[[Account], Account],
    status: int,
    error_type: str,
    message: str,
) -> None:
    with pytest.raises(ClientError) as caught:
        server.client(credentials(account)).create_contact_method(protocol="SMS", contactEndpoint="+14255550100")
    error = caught.value.response
    assert error["Error"] == {"Code": error_type, "Message": message}
    assert error["ResponseMetadata"]["HTTPStatusCode"] == status
    assert stored(lightsail) == ([], [])


# --------------------------------------------------------------------------------------------------------------------
# Accepted requests: the ways real clients sign


def test_js_v3_signed_requests_are_accepted(server: ServerProcess, account: Account) -> None:
    raw = RawClient(server, account)
    created = post(server.url + "/", js_v3_headers(raw, OPERATION, BODY), BODY)
    assert created.status == 200, created.body
    assert created.json()["operations"][0]["resourceName"] == "SMS-us-east-1"
    empty = b"{}"
    listed = post(server.url + "/", js_v3_headers(raw, "GetContactMethods", empty), empty)
    assert listed.status == 200, listed.body
    assert [(m["protocol"], m["contactEndpoint"]) for m in listed.json()["contactMethods"]] == [("SMS", "+14255550100")]


def test_unsigned_header_added_after_signing_is_ignored(server: ServerProcess, lightsail: Any) -> None:
    """A proxy may add headers that are not in SignedHeaders; they must not break the signature."""
    seen: list[str] = []

    def add_header(request: Any, **_: Any) -> None:
        request.headers["x-extra"] = "added by a proxy"
        seen.append(str(request.headers["Authorization"]))

    lightsail.meta.events.register("before-send.lightsail", add_header)
    lightsail.create_contact_method(protocol="SMS", contactEndpoint="+14255550100")
    assert [m["protocol"] for m in lightsail.get_contact_methods()["contactMethods"]] == ["SMS"]
    assert len(seen) == 2 and all("x-extra" not in authorization for authorization in seen)


def test_signed_header_changed_after_signing_is_refused(lightsail: Any) -> None:
    def change_content_type(request: Any, **_: Any) -> None:
        request.headers["Content-Type"] = "application/x-amz-json-1.0"

    lightsail.meta.events.register("before-send.lightsail.CreateContactMethod", change_content_type)
    with pytest.raises(ClientError) as caught:
        lightsail.create_contact_method(protocol="SMS", contactEndpoint="+14255550100")
    assert caught.value.response["Error"] == {"Code": "InvalidSignatureException", "Message": MISMATCH}
    assert stored(lightsail) == ([], [])


@pytest.mark.parametrize("value", ["café crème", "  runs   of  spaces ", "a\tb"], ids=["latin-1", "spaces", "tab"])
def test_signed_header_values_are_canonicalized_as_botocore_does(
    server: ServerProcess, account: Account, value: str
) -> None:
    """http.client sends str header values as Latin-1 and botocore signs the str with whitespace runs collapsed:
    the server must arrive at the same canonical value."""
    response = RawClient(server, account).call_raw("GetContactMethods", extra={"x-request-note": value})
    assert response.status == 200, response.body


def test_date_header_instead_of_x_amz_date(server: ServerProcess, account: Account, lightsail: Any) -> None:
    """botocore signs with the HTTP Date header (and sends no X-Amz-Date) when the request already has one."""
    request = AWSRequest(
        method="POST", url=server.url + "/", headers={**target(OPERATION), "Date": formatdate(usegmt=True)}, data=BODY
    )
    SigV4Auth(Credentials(account.access_key_id, account.secret_access_key), "lightsail", "us-east-1").add_auth(request)
    assert "X-Amz-Date" not in request.headers and ";date;" in request.headers["Authorization"]
    response = post(server.url + "/", dict(request.headers.items()), BODY)
    assert response.status == 200, response.body
    assert [m["contactEndpoint"] for m in stored(lightsail)[0]] == ["+14255550100"]


def test_access_key_and_scope_region_select_the_data(server: ServerProcess, account: Account, lightsail: Any) -> None:
    lightsail.create_contact_method(protocol="SMS", contactEndpoint="+14255550100")
    ireland = server.client(account, region="eu-west-1")
    assert stored(ireland) == ([], [])
    ireland.create_contact_method(protocol="SMS", contactEndpoint="+14255550111")
    for client, region, endpoint in ((lightsail, "us-east-1", "+14255550100"), (ireland, "eu-west-1", "+14255550111")):
        (method,) = client.get_contact_methods()["contactMethods"]
        assert (method["contactEndpoint"], method["location"]["regionName"]) == (endpoint, region)
    assert stored(server.client(server.new_account())) == ([], [])


def test_endpoint_url_with_a_path(server: ServerProcess, account: Account) -> None:
    client = boto3.client(
        "lightsail",
        endpoint_url=server.url + "/prefix",
        region_name="us-east-1",
        aws_access_key_id=account.access_key_id,
        aws_secret_access_key=account.secret_access_key,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )
    urls: list[str] = []
    client.meta.events.register("before-send.lightsail", lambda request, **_: urls.append(request.url))
    client.create_contact_method(protocol="SMS", contactEndpoint="+14255550100")
    assert [m["contactEndpoint"] for m in client.get_contact_methods()["contactMethods"]] == ["+14255550100"]
    assert urls and all(url.startswith(server.url + "/prefix") for url in urls)


# --------------------------------------------------------------------------------------------------------------------
# Access keys: `lsnotify keys`


def keys(server: ServerProcess, *args: str) -> Any:
    result = server.cli("keys", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def listed(server: ServerProcess, access_key_id: str) -> list[dict[str, str]]:
    return [key for key in keys(server, "list")["AccessKeys"] if key["AccessKeyId"] == access_key_id]


def issued_account(key: dict[str, str]) -> Account:
    return Account(key["AccountId"], key["AccessKeyId"], key["SecretAccessKey"])


def refused(client: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as caught:
        client.get_contact_methods()
    response: dict[str, Any] = caught.value.response
    return response


def test_deactivated_key_is_refused_until_activated(server: ServerProcess, account: Account, lightsail: Any) -> None:
    lightsail.create_contact_method(protocol="SMS", contactEndpoint="+14255550100")
    key = account.access_key_id

    result = server.cli("keys", "deactivate", key)
    assert (result.returncode, result.stdout.strip()) == (0, f"deactivated {key}")
    assert listed(server, key)[0]["Status"] == "Inactive"
    error = refused(lightsail)
    assert error["Error"] == {"Code": "UnrecognizedClientException", "Message": UNRECOGNIZED}
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403

    result = server.cli("keys", "activate", key)
    assert (result.returncode, result.stdout.strip()) == (0, f"activated {key}")
    assert [m["protocol"] for m in lightsail.get_contact_methods()["contactMethods"]] == ["SMS"]

    result = server.cli("keys", "delete", key)
    assert (result.returncode, result.stdout.strip()) == (0, f"deleted {key}")
    assert refused(lightsail)["Error"]["Code"] == "UnrecognizedClientException"
    assert listed(server, key) == []


@pytest.mark.parametrize("command", ["deactivate", "activate", "delete"])
def test_key_commands_refuse_an_unknown_key(server: ServerProcess, command: str) -> None:
    result = server.cli("keys", command, "AKIAUNKNOWNUNKNOWN00")
    assert result.returncode != 0
    assert "no access key AKIAUNKNOWNUNKNOWN00" in result.stderr
    assert "Traceback" not in result.stderr


def test_keys_create_prints_a_key_that_works_at_once(server: ServerProcess) -> None:
    issued = keys(server, "create")
    assert set(issued) == {"AccessKey"}
    key = issued["AccessKey"]
    assert set(key) == {"AccessKeyId", "SecretAccessKey", "AccountId", "Status", "CreateDate"}
    assert re.fullmatch(r"AKIA[A-Z2-7]{16}", key["AccessKeyId"]), key
    assert re.fullmatch(r"[0-9]{12}", key["AccountId"]), key
    assert key["Status"] == "Active"
    assert len(key["SecretAccessKey"]) >= 40
    created = datetime.strptime(key["CreateDate"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert abs(created - datetime.now(UTC)) < timedelta(minutes=1)

    client = server.client(issued_account(key))
    client.create_contact_method(protocol="SMS", contactEndpoint="+14255550100")
    (method,) = client.get_contact_methods()["contactMethods"]
    assert method["arn"].startswith(f"arn:aws:lightsail:us-east-1:{key['AccountId']}:ContactMethod/")


def test_keys_create_honours_account_id(server: ServerProcess) -> None:
    key = keys(server, "create", "--account-id", "123456789012")["AccessKey"]
    assert key["AccountId"] == "123456789012"
    assert server.client(issued_account(key)).get_operations()["ResponseMetadata"]["HTTPStatusCode"] == 200

    account_id = f"{secrets.randbelow(10**12):012d}"  # a fresh account, so that its data is known: none
    first, second = (issued_account(keys(server, "create", "--account-id", account_id)["AccessKey"]) for _ in "12")
    assert first.access_key_id != second.access_key_id and first.account_id == second.account_id == account_id
    server.client(first).create_contact_method(protocol="SMS", contactEndpoint="+14255550177")
    (method,) = server.client(second).get_contact_methods()["contactMethods"]
    assert method["contactEndpoint"] == "+14255550177"
    assert method["arn"].startswith(f"arn:aws:lightsail:us-east-1:{account_id}:ContactMethod/")


@pytest.mark.parametrize("account_id", ["12ab", "1234567890123"])
def test_keys_create_refuses_a_bad_account_id(server: ServerProcess, account_id: str) -> None:
    before = keys(server, "list")["AccessKeys"]
    result = server.cli("keys", "create", "--account-id", account_id)
    assert result.returncode != 0
    assert f"'{account_id}' is not 12 digits" in result.stderr
    assert "--account-id" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert keys(server, "list")["AccessKeys"] == before


def test_keys_list_shows_keys_but_never_secrets(server: ServerProcess) -> None:
    key = keys(server, "create")["AccessKey"]
    result = server.cli("keys", "list")
    assert result.returncode == 0, result.stderr
    assert key["SecretAccessKey"] not in result.stdout + result.stderr
    assert "Secret" not in result.stdout
    shown = [k for k in json.loads(result.stdout)["AccessKeys"] if k["AccessKeyId"] == key["AccessKeyId"]]
    assert shown == [{k: key[k] for k in ("AccessKeyId", "AccountId", "Status", "CreateDate")}]
    only = keys(server, "list", "--account-id", key["AccountId"])["AccessKeys"]
    assert [k["AccessKeyId"] for k in only] == [key["AccessKeyId"]]


def test_a_session_token_is_refused(server: ServerProcess, account: Account, lightsail: Any) -> None:
    """lsnotify issues long-term keys only; a request carrying a session token is not one of them (as on AWS)."""
    with_token = boto3.client(
        "lightsail",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id=account.access_key_id,
        aws_secret_access_key=account.secret_access_key,
        aws_session_token="IQoJb3JpZ2luX2VjEXAMPLETOKEN",
        config=Config(retries={"max_attempts": 1}),
    )
    with pytest.raises(ClientError) as raised:
        with_token.create_contact_method(protocol="SMS", contactEndpoint="+14255550100")
    assert raised.value.response["Error"]["Code"] == "UnrecognizedClientException"
    assert raised.value.response["Error"]["Message"] == UNRECOGNIZED
    assert stored(lightsail) == ([], [])
