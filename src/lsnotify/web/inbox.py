"""The dev inbox: what the ``capture`` provider kept, as JSON (``/_lsnotify/messages``) and as a page.

``GET /_lsnotify/messages`` lists messages oldest first, filtered by the query parameters ``protocol``,
``destination``, ``accountId`` and ``region`` (and at most ``limit``); ``DELETE`` with the same filters deletes
them. ``GET /_lsnotify/inbox`` shows them newest first, links clickable.

These show live verification links, so they are guarded: whenever there is an admin token (``admin_token``, or
the one ``web.admin_token`` generates for a server on a non-loopback address), a request must carry it, as
``Authorization: Bearer <token>`` or as the password of HTTP Basic authentication (any user name; browsers prompt
for it). Without a token, a loopback server answers only requests that name a loopback host or the public URL's
host and that no proxy forwarded (``web.hosts``); a non-loopback server without one refuses them altogether.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from lsnotify.domain.contacts import EMAIL, SMS
from lsnotify.domain.json_fields import json_fields
from lsnotify.domain.outbox import CapturedMessage
from lsnotify.messages.formats import iso_time
from lsnotify.storage.base import MessageFilter, Store
from lsnotify.web.hosts import LocalRequests, is_loopback
from lsnotify.web.templating import page

DEFAULT_LIMIT = 1000
MAX_LIMIT = 10_000


class AdminGuard:
    """Decides whether a request may see the dev inbox; see the module docstring."""

    def __init__(self, token: str, host: str, public_url: str) -> None:
        self._token = token
        self._local = LocalRequests(public_url) if not token and is_loopback(host) else None

    def refusal(self, request: Request) -> Response | None:
        if self._local is not None:
            problem = self._local.refusal(request.scope["headers"])
            return None if problem is None else _error(403, f"{problem} (LSNOTIFY_ADMIN_TOKEN)")
        if not self._token:
            return _error(403, "the dev inbox is off on a non-loopback address until LSNOTIFY_ADMIN_TOKEN is set")
        presented = _presented_token(request.headers.get("authorization", ""))
        if presented is not None and hmac.compare_digest(presented.encode(), self._token.encode()):
            return None
        response = _error(401, "send the admin token as 'Authorization: Bearer <token>' (LSNOTIFY_ADMIN_TOKEN)")
        response.headers["www-authenticate"] = 'Basic realm="lsnotify dev inbox", charset="UTF-8"'
        return response


def _presented_token(authorization: str) -> str | None:
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(value.strip(), validate=True).decode().partition(":")[2]
        except (binascii.Error, UnicodeDecodeError):
            return None
    return None


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers={"cache-control": "no-store"})


_MESSAGE_FIELDS = json_fields("id", "protocol", "destination", "subject", "body", "html", "account_id", "region")


def message_to_json(m: CapturedMessage) -> dict[str, Any]:
    return {**_MESSAGE_FIELDS(m), "createdAt": iso_time(m.created_at)}


def _query(request: Request) -> tuple[MessageFilter, int] | str:
    """The request's filter and limit, or what is wrong with them."""
    params = request.query_params
    protocol = params.get("protocol")
    if protocol is not None and protocol not in (EMAIL, SMS):
        return f"protocol: {protocol!r} is not Email or SMS"
    limit_text = params.get("limit", str(DEFAULT_LIMIT))
    if not limit_text.isdigit() or not 1 <= int(limit_text) <= MAX_LIMIT:
        return f"limit: {limit_text!r} is not a whole number from 1 to {MAX_LIMIT}"
    where = MessageFilter(
        protocol=protocol,
        destination=params.get("destination"),
        account_id=params.get("accountId"),
        region=params.get("region"),
    )
    return where, int(limit_text)


def inbox_routes(store: Store, guard: AdminGuard) -> list[Route]:
    def admitted(request: Request) -> tuple[MessageFilter, int] | Response:
        if (refused := guard.refusal(request)) is not None:
            return refused
        query = _query(request)
        return _error(400, query) if isinstance(query, str) else query

    async def messages(request: Request) -> Response:
        query = admitted(request)
        if isinstance(query, Response):
            return query
        where, limit = query
        if request.method == "DELETE":
            return JSONResponse({"deleted": await store.delete_captured_messages(where)})
        found = await store.list_captured_messages(where, limit)
        return JSONResponse({"messages": [message_to_json(m) for m in found]}, headers={"cache-control": "no-store"})

    async def inbox(request: Request) -> Response:
        query = admitted(request)
        if isinstance(query, Response):
            return query
        found = await store.list_captured_messages(*query, newest_first=True)
        suffix = f"?{request.url.query}" if request.url.query else ""
        return page(
            "inbox.html", messages=found, refresh=f"/_lsnotify/inbox{suffix}", json_url=f"/_lsnotify/messages{suffix}"
        )

    return [
        Route("/_lsnotify/messages", messages, methods=["GET", "DELETE"]),
        Route("/_lsnotify/inbox", inbox, methods=["GET"]),
    ]
