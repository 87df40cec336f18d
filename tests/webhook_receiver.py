"""A local HTTP receiver for webhook SMS: checks each request's signature the documented way, answers as told."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Delivery:
    body: dict[str, Any]
    headers: dict[str, str]
    signature_valid: bool


class WebhookReceiver:
    """``script`` says how to answer successive requests: an HTTP status, or ``"hang"`` (answer too late)."""

    def __init__(self, secret: str, script: Iterator[int | str] | None = None, hang_seconds: float = 2.0) -> None:
        self.secret = secret
        self.deliveries: list[Delivery] = []
        self._script = script
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["content-length"]))
                timestamp = self.headers.get("x-lsnotify-timestamp", "")
                expected = hmac.new(receiver.secret.encode(), f"{timestamp}.".encode() + raw, hashlib.sha256)
                valid = hmac.compare_digest(
                    f"sha256={expected.hexdigest()}", self.headers.get("x-lsnotify-signature", "")
                )
                valid = valid and abs(time.time() - int(timestamp or 0)) < 300
                receiver.deliveries.append(
                    Delivery(json.loads(raw), {k.lower(): v for k, v in self.headers.items()}, valid)
                )
                answer = next(receiver._script, 200) if receiver._script is not None else 200
                if answer == "hang":
                    time.sleep(hang_seconds)
                    answer = 200
                status = int(answer) if valid else 401
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/sms"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
