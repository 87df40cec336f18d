"""Email over SMTP (aiosmtplib): MIME building that cannot inject headers, and a small pool of reused connections.

Every message is ``multipart/alternative`` (text, and HTML when there is some) with ``From``, ``To``, ``Subject``,
``Date`` and a ``Message-ID`` derived from the outbox message's idempotency key, so a redelivery after a crash
carries the same ``Message-ID`` and can be recognised as a duplicate. Header values never carry CR or LF: an
address with one is refused, a subject has them folded into spaces.

Connections are kept open between messages (at most ``pool_size`` idle ones; the worker's concurrency bounds how
many are in use); one the server closed while idle is
replaced without counting a failed attempt. A 5xx answer to the recipient or the data is permanent; everything
else (refused connections, timeouts, 4xx) is retried by the worker.

Internationalized addresses: a non-ASCII domain is sent in its ASCII (IDNA) form, which every server takes; a
non-ASCII local part has no ASCII form, so that message goes with ``SMTPUTF8`` (RFC 6531: UTF-8 in the envelope and
headers) when the server offers it, and is dead-lettered saying so when it does not.
"""

from __future__ import annotations

import email.policy
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from email.charset import QP, Charset
from email.header import Header
from email.headerregistry import Address
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.utils import format_datetime, formataddr, parseaddr

import aiosmtplib
from email_validator import EmailNotValidError, validate_email

from lsnotify.delivery.senders import DeliveryFailed, Envelope

_POLICY = email.policy.compat32.clone(linesep="\r\n")
_UTF8_POLICY = email.policy.SMTPUTF8.clone(linesep="\r\n")
"""Writes header values in UTF-8 as they are (RFC 6532): only for a message sent with SMTPUTF8."""
_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP  # readable in a raw message, unlike base64
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_SAFE_ID = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_-]|\.(?!\.))*")


def message_id(idempotency_key: str, domain: str) -> str:
    """``<key@domain>``; a key that is not a plain dot-atom is replaced by its (stable) SHA-256."""
    left = (
        idempotency_key if _SAFE_ID.fullmatch(idempotency_key) else hashlib.sha256(idempotency_key.encode()).hexdigest()
    )
    return f"<{left}@{domain}>"


def one_line(text: str) -> str:
    """Header text with every run of control characters (CR and LF among them) folded into one space."""
    return _CONTROL.sub(" ", text).strip()


def recipient(address: str) -> tuple[str, bool]:
    """``address`` as RCPT TO and the ``To`` header take it, and whether it needs SMTPUTF8 (a non-ASCII local part)."""
    if _CONTROL.search(address):
        raise DeliveryFailed(f"refused to send to {address!r}: the address holds a control character", permanent=True)
    try:
        if address.isascii():
            return Address(addr_spec=address).addr_spec, False
        valid = validate_email(address, check_deliverability=False)
    except (ValueError, IndexError, EmailNotValidError) as exc:
        raise DeliveryFailed(f"refused to send to {address!r}: {exc}", permanent=True) from None
    if valid.ascii_email is not None:  # only the domain was internationalized
        return valid.ascii_email, False
    return valid.normalized, True


@dataclass(frozen=True, slots=True)
class OutgoingEmail:
    mail_from: str
    rcpt_to: str
    data: bytes
    """The whole message, CRLF line endings."""
    smtputf8: bool = False
    """Whether it must go with SMTPUTF8: its recipient's local part is not ASCII."""


def _header_text(value: str) -> str:
    value = one_line(value)
    return value if value.isascii() else Header(value, "utf-8").encode()


def _boundary(*parts: str) -> str:
    """A multipart boundary that none of ``parts`` contains. Given one, the generator skips compiling a regular
    expression per message to check its own random boundary, which was the costliest step of sending."""
    while True:
        boundary = f"=_lsnotify_{secrets.token_hex(16)}"
        if not any(boundary in part for part in parts):
            return boundary


def _text_part(text: str, subtype: str) -> MIMENonMultipart:
    part = MIMENonMultipart("text", subtype, policy=_POLICY, charset="utf-8")
    part.set_payload(text, _UTF8)
    return part


def build_email(envelope: Envelope, email_from: str) -> OutgoingEmail:
    """The message as bytes. Built with the ``compat32`` MIME classes, which are several times faster than
    ``EmailMessage``; they check nothing, so every header value below is made single-line first."""
    name, from_address = parseaddr(email_from)
    sender = Address(display_name=one_line(name), addr_spec=from_address)
    to, smtputf8 = recipient(envelope.destination)
    text = _text_part(envelope.text, "plain")
    message: MIMENonMultipart | MIMEMultipart = text
    if envelope.html:
        message = MIMEMultipart("alternative", boundary=_boundary(envelope.text, envelope.html), policy=_POLICY)
        message.attach(text)
        message.attach(_text_part(envelope.html, "html"))
    message["From"] = formataddr((sender.display_name, sender.addr_spec), charset="utf-8")
    message["To"] = to
    message["Subject"] = _header_text(envelope.subject or "")
    message["Date"] = format_datetime(datetime.fromtimestamp(envelope.created_at, UTC))
    message["Message-ID"] = message_id(envelope.idempotency_key, sender.domain)
    message["Auto-Submitted"] = "auto-generated"
    data = message.as_bytes(policy=_UTF8_POLICY if smtputf8 else _POLICY)
    return OutgoingEmail(sender.addr_spec, to, data, smtputf8)


class SmtpSender:
    name = "smtp"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        use_tls: bool,
        start_tls: bool,
        username: str,
        password: str,
        ca_file: str,
        timeout: float,
        email_from: str,
        pool_size: int,
    ) -> None:
        self._options = {
            "hostname": host,
            "port": port or None,
            "use_tls": use_tls,
            "start_tls": start_tls,
            "username": username or None,
            "password": password if username else None,
            "cert_bundle": ca_file or None,
            "timeout": timeout,
        }
        self._where = f"{host}:{port or ('465' if use_tls else '587' if start_tls else '25')}"
        self._email_from = email_from
        self._idle: list[aiosmtplib.SMTP] = []
        self._pool_size = pool_size
        self._closing = False

    async def send(self, envelope: Envelope) -> None:
        message = build_email(envelope, self._email_from)
        client = self._idle.pop() if self._idle else None
        if client is not None:
            try:
                await self._sendmail(client, message)
            except (aiosmtplib.SMTPServerDisconnected, ConnectionError):
                await self._discard(client)  # the server closed it while idle: try once on a new connection
            except Exception as exc:
                await self._discard(client)
                raise self._failure(exc) from None
            else:
                self._release(client)
                return
        client = None
        try:
            client = await self._connect()
            await self._sendmail(client, message)
        except Exception as exc:
            if client is not None:
                await self._discard(client)
            raise self._failure(exc) from None
        self._release(client)

    async def close(self) -> None:
        self._closing = True
        while self._idle:
            client = self._idle.pop()
            try:
                await client.quit()
            except Exception:
                client.close()

    async def _sendmail(self, client: aiosmtplib.SMTP, message: OutgoingEmail) -> None:
        options = ["SMTPUTF8"] if message.smtputf8 else None
        try:
            await client.sendmail(message.mail_from, [message.rcpt_to], message.data, mail_options=options)
        except aiosmtplib.SMTPNotSupported:
            if not message.smtputf8:
                raise
            raise DeliveryFailed(
                f"SMTP {self._where} does not offer SMTPUTF8, which the internationalized address "
                f"{message.rcpt_to!r} needs (its local part is not ASCII)",
                permanent=True,
            ) from None

    async def _connect(self) -> aiosmtplib.SMTP:
        client = aiosmtplib.SMTP(**self._options)  # type: ignore[arg-type]
        await client.connect()
        return client

    def _release(self, client: aiosmtplib.SMTP) -> None:
        if self._closing or len(self._idle) >= self._pool_size:
            client.close()
        else:
            self._idle.append(client)

    async def _discard(self, client: aiosmtplib.SMTP) -> None:
        client.close()

    def _failure(self, exc: Exception) -> DeliveryFailed:
        if isinstance(exc, DeliveryFailed):
            return exc
        permanent = False
        if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
            permanent = all(refusal.code >= 500 for refusal in exc.recipients)
        elif isinstance(exc, aiosmtplib.SMTPRecipientRefused | aiosmtplib.SMTPDataError):
            permanent = exc.code >= 500
        return DeliveryFailed(f"SMTP {self._where}: {type(exc).__name__}: {exc}", permanent=permanent)
