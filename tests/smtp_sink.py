"""A real SMTP server for tests (aiosmtpd), recording what it receives and refusing on request; and one that hangs."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from harness import free_port, wait_until


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage
    raw: bytes
    peer: tuple[str, int]
    """The client's address and port: one per SMTP connection."""

    def text(self) -> str:
        part = self.message.get_body(("plain",))
        assert part is not None, "no text/plain part"
        content: str = part.get_content()
        return content

    def html(self) -> str:
        part = self.message.get_body(("html",))
        assert part is not None, "no text/html part"
        content: str = part.get_content()
        return content


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return self.sink._accept(session, envelope)


class SmtpSink:
    """An aiosmtpd server on a free port; ``refuse(address, times, reply)`` makes DATA fail for that recipient."""

    def __init__(self, port: int | None = None, **smtp_options: Any) -> None:
        self.port = port or free_port()
        self.received: list[Received] = []
        self._refusals: dict[str, tuple[int, str]] = {}
        self.refused: list[str] = []
        self._lock = threading.Lock()
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, **smtp_options)

    def start(self) -> SmtpSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def refuse(self, address: str, times: int, reply: str = "451 4.3.0 Try again later") -> None:
        with self._lock:
            self._refusals[address] = (times, reply)

    def _accept(self, session: Any, envelope: Any) -> str:
        with self._lock:
            for rcpt in envelope.rcpt_tos:
                times, reply = self._refusals.get(rcpt, (0, ""))
                if times > 0:
                    self._refusals[rcpt] = (times - 1, reply)
                    self.refused.append(rcpt)
                    return reply
            raw = bytes(envelope.original_content or envelope.content)
            message = email.message_from_bytes(raw, policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            self.received.append(
                Received(envelope.mail_from, tuple(envelope.rcpt_tos), message, raw, tuple(session.peer))
            )
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if address in r.rcpt_tos]

    def wait_for(self, address: str, count: int = 1, timeout: float = 15.0) -> list[Received]:
        return wait_until(
            lambda: len(self.to(address)) >= count and self.to(address), timeout, what=f"mail to {address}"
        )


class SilentListener:
    """Accepts TCP connections and never says a word: an SMTP server that hangs mid-conversation."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            self.accepted.append(connection)

    def close(self) -> None:
        self._socket.close()
        for connection in self.accepted:
            connection.close()
