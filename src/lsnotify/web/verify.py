"""``/verify/<token>``: the page an emailed verification link opens.

``GET`` (and ``HEAD``) only show a page with a Confirm button — a form that POSTs to the same URL — so mail scanners
and link previews that fetch the link verify nothing. ``POST`` spends the token and the contact method becomes
``Valid``. A bad, used or expired token gets a friendly page with HTTP 404, and nothing changes.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lsnotify.service import Services
from lsnotify.service.verification import confirm_verification, pending_verification
from lsnotify.web.templating import page


def verify_routes(services: Services) -> list[Route]:
    async def verify(request: Request) -> Response:
        raw_token = request.path_params["token"]
        if request.method == "POST":
            confirmed = await confirm_verification(services, raw_token)
            if confirmed is None:
                return page("verify_invalid.html", 404)
            return page("verify_done.html", contact_method=confirmed)
        pending = await pending_verification(services, raw_token)
        if pending is None:
            return page("verify_invalid.html", 404)
        return page("verify_confirm.html", contact_method=pending, action=request.url.path)

    return [Route("/verify/{token}", verify, methods=["GET", "POST"])]
