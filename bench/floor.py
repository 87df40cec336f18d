"""The floor: the barest ASGI app on lsnotify's own server stack, answering with constant Lightsail-shaped JSON.

It does what any HTTP service must — take the request, read its body, send a response of the same size and headers
as lsnotify's — and nothing else: no signature check, no JSON parsing, no store. It runs on uvicorn with the options
``lsnotify serve`` uses (``lsnotify.web.server_options.uvicorn_options``), so lsnotify's throughput over the floor's
is the share of a bare Python HTTP service that lsnotify keeps while doing its whole job.

``python -m bench.floor --port PORT --responses FILE [--workers N]``: FILE is a JSON object from ``X-Amz-Target``
(or ``""`` for any other request) to the response body to send; N processes answer on the port, as ``lsnotify serve
--workers N`` runs them (``lsnotify.cli.processes``).
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
from pathlib import Path
from typing import Any

from lsnotify.cli.processes import run_processes
from lsnotify.config import load_settings

CONTENT_TYPE = b"application/x-amz-json-1.1"
REQUEST_ID = b"00000000-0000-4000-8000-000000000000"


class FloorApp:
    def __init__(self, responses: dict[str, bytes]) -> None:
        self._responses = {target.encode(): body for target, body in responses.items()}
        self._default = self._responses.get(b"", b"{}")

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        target = b""
        for name, value in scope["headers"]:
            if name == b"x-amz-target":
                target = value
                break
        while (await receive()).get("more_body", False):
            pass
        body = self._responses.get(target, self._default)
        headers = [
            (b"content-type", CONTENT_TYPE),
            (b"x-amzn-requestid", REQUEST_ID),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def main() -> None:
    import uvicorn

    from lsnotify.web.server_options import uvicorn_options

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--responses", type=Path, required=True)
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    responses = {target: body.encode() for target, body in json.loads(args.responses.read_text()).items()}
    settings = load_settings({"port": args.port, "log_level": args.log_level})
    app = FloorApp(responses)
    if args.workers == 1:
        uvicorn.run(app, **uvicorn_options(settings))
        return

    def serve_one(_: int, sock: socket.socket) -> None:
        uvicorn.Server(uvicorn.Config(app, **uvicorn_options(settings))).run(sockets=[sock])

    sock = uvicorn.Config(app, **uvicorn_options(settings)).bind_socket()
    sys.exit(run_processes(args.workers, sock, serve_one))


if __name__ == "__main__":
    main()
