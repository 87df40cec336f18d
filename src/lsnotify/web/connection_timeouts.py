"""``TimedHttpProtocol``: uvicorn's httptools HTTP/1.1 protocol, with a deadline on every wait for the client.

uvicorn closes a connection that idles after a response, and stops timing it at the first byte that follows. A
client that connects and sends nothing, sends a request head a byte at a time, or trickles bytes after a response
would hold its connection, and a file descriptor, for ever. Here a connection has a deadline whenever it is the
client's turn to send:

- from its opening, and after each response: ``timeout_keep_alive`` seconds for the next request to begin;
- from the first bytes of a request head: ``header_timeout`` seconds for the whole head, not renewed by each byte
  (a head still incomplete then is answered 408);
- none while a request is with the app (an API body has its own deadline, ``BodyDeadline``).

Past the deadline the connection is closed. One timer per connection serves every deadline: it is armed only when
none is pending (or the pending one is later than the new deadline), and when it fires it re-arms itself for a
deadline that has moved on, or ends when there is none. A keep-alive client whose request heads arrive whole, the
usual case, so arms about one timer per ``timeout_keep_alive`` seconds rather than one per request.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

REQUEST_TIMEOUT = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


class TimedHttpProtocol(HttpToolsProtocol):
    """Give uvicorn ``timed_http_protocol(header_timeout)`` as ``http``; it reads ``timeout_keep_alive`` itself."""

    header_timeout: float = 10.0
    _deadline: float | None = None
    _timer: asyncio.TimerHandle | None = None
    _late_answer = b""  # what a client past the deadline is sent before the close
    _head_begun = False  # a request head began in the data being parsed

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._expect(self.timeout_keep_alive, b"")

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        self._deadline = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._head_begun:  # and not complete: on_headers_complete clears it
            self._head_begun = False
            if self.cycle is None or self.cycle.response_complete:
                self._expect(self.header_timeout, REQUEST_TIMEOUT)
            # else the head is pipelined behind a request still with the app: the deadline after its response
            # bounds it

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_begun = True

    def on_headers_complete(self) -> None:
        self._head_begun = False
        self._deadline = None
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        idle_next = not self.pipeline
        super().on_response_complete()
        if idle_next and not self.transport.is_closing():
            self._expect(self.timeout_keep_alive, b"")

    def _expect(self, seconds: float, late_answer: bytes) -> None:
        """Close the connection ``seconds`` from now unless a request head is complete by then."""
        deadline = self.loop.time() + seconds
        self._deadline = deadline
        self._late_answer = late_answer
        timer = self._timer
        if timer is None or timer.when() > deadline:
            if timer is not None:
                timer.cancel()
            self._timer = self.loop.call_at(deadline, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        deadline = self._deadline
        if deadline is None or self.transport.is_closing():
            return
        if deadline > self.loop.time():
            self._timer = self.loop.call_at(deadline, self._on_timer)
            return
        if self._late_answer:
            self.transport.write(self._late_answer)
        self.transport.close()


def timed_http_protocol(header_timeout: float) -> type[TimedHttpProtocol]:
    """The protocol class for uvicorn's ``http`` option, giving request heads ``header_timeout`` seconds."""

    class Configured(TimedHttpProtocol):
        pass

    Configured.header_timeout = header_timeout
    return Configured
