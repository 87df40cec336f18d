"""The SMTP sender against a real aiosmtpd server: connection reuse, STARTTLS, implicit TLS, login, failures."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from harness import free_port
from lsnotify.delivery.senders import DeliveryFailed, Envelope
from lsnotify.delivery.smtp import SmtpSender
from smtp_sink import SmtpSink


def envelope(n: int = 0, destination: str = "ops@example.com") -> Envelope:
    return Envelope(f"m-{n}", f"key-{n}", "Email", destination, f"text {n}", "111111111111", "us-east-1",
                    1_800_000_000.0, subject=f"subject {n}", html=f"<p>{n}</p>")  # fmt: skip


def sender(port: int, **options: Any) -> SmtpSender:
    values: dict[str, Any] = {
        "host": "127.0.0.1", "port": port, "use_tls": False, "start_tls": False, "username": "", "password": "",
        "ca_file": "", "timeout": 5.0, "email_from": "lsnotify <n@example.org>", "pool_size": 4,
    }  # fmt: skip
    values.update(options)
    return SmtpSender(**values)


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (also its own CA) and its key."""
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "lsnotify test SMTP")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


def server_context(tls_files: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*tls_files)
    return context


def check_login(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    return AuthResult(success=auth_data.login == b"robot" and auth_data.password == b"s3cret")


@pytest.fixture
def plain_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    yield sink
    sink.stop()


async def test_messages_reuse_one_connection(plain_sink: SmtpSink) -> None:
    smtp = sender(plain_sink.port)
    for n in range(3):
        await smtp.send(envelope(n))
    await smtp.close()
    assert [r.message["Subject"] for r in plain_sink.received] == ["subject 0", "subject 1", "subject 2"]
    assert len({r.peer for r in plain_sink.received}) == 1


async def test_a_connection_the_server_dropped_is_replaced_without_a_failure(plain_sink: SmtpSink) -> None:
    smtp = sender(plain_sink.port)
    await smtp.send(envelope(0))
    for client in smtp._idle:  # the server hangs up an idle connection
        client.transport.close()  # type: ignore[union-attr]
    await smtp.send(envelope(1))
    await smtp.close()
    assert len(plain_sink.received) == 2 and len({r.peer for r in plain_sink.received}) == 2


async def test_starttls_and_login(tls_files: tuple[Path, Path]) -> None:
    sink = SmtpSink(tls_context=server_context(tls_files), require_starttls=True, authenticator=check_login,
                    auth_required=True).start()  # fmt: skip
    try:
        good = sender(sink.port, start_tls=True, username="robot", password="s3cret", ca_file=str(tls_files[0]))
        await good.send(envelope(1))
        await good.close()
        assert [r.message["Subject"] for r in sink.received] == ["subject 1"]

        untrusted = sender(sink.port, start_tls=True, username="robot", password="s3cret")  # the system's CAs
        with pytest.raises(DeliveryFailed) as raised:
            await untrusted.send(envelope(3))
        failure = str(raised.value)
        assert "CERTIFICATE_VERIFY_FAILED" in failure
        assert len(sink.received) == 1
    finally:
        sink.stop()


async def test_implicit_tls(tls_files: tuple[Path, Path]) -> None:
    sink = SmtpSink(ssl_context=server_context(tls_files)).start()
    try:
        smtp = sender(sink.port, use_tls=True, ca_file=str(tls_files[0]))
        await smtp.send(envelope(7))
        await smtp.close()
        assert [r.text().strip() for r in sink.received] == ["text 7"]
    finally:
        sink.stop()


async def test_4xx_and_refused_connections_are_transient_5xx_permanent(plain_sink: SmtpSink) -> None:
    smtp = sender(plain_sink.port)
    plain_sink.refuse("busy@example.com", 1, "451 4.3.0 busy")
    plain_sink.refuse("gone@example.com", 1, "550 5.1.1 no such user")
    with pytest.raises(DeliveryFailed) as busy:
        await smtp.send(envelope(1, "busy@example.com"))
    with pytest.raises(DeliveryFailed) as gone:
        await smtp.send(envelope(2, "gone@example.com"))
    await smtp.send(envelope(3, "busy@example.com"))  # the refusal was used up
    await smtp.close()
    assert not busy.value.permanent and "451" in str(busy.value)
    assert gone.value.permanent and "550" in str(gone.value)

    nobody_listens = sender(free_port())
    with pytest.raises(DeliveryFailed) as refused:
        await nobody_listens.send(envelope(4))
    failure = str(refused.value)
    assert not refused.value.permanent and failure.startswith(f"SMTP 127.0.0.1:{nobody_listens._options['port']}:")
