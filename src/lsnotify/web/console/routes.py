"""The console's routes: ``GET /`` (the sign-in form, or on to the console), signing in and out, the region
selector, the style sheet, and every section's pages.

Console forms post to ``/console/…``: a POST to ``/`` is the API's (``web/app.py`` ``FrontDoor``).
"""

from __future__ import annotations

import hmac
from importlib.resources import files

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from lsnotify.domain import KEY_ACTIVE
from lsnotify.service import Services
from lsnotify.web.console import alarms, contacts, operations, resources
from lsnotify.web.console.forms import FormTooLarge, read_form
from lsnotify.web.console.pages import CONSOLE_HEADERS, Console, cross_site, render

DEFAULT_REGION = "us-east-1"
WRONG_PAIR = "The access key ID and secret access key do not match an active access key."
_STYLE = files("lsnotify.web.console").joinpath("static/console.css").read_bytes()


def console_routes(services: Services, *, secure_cookie: bool) -> list[BaseRoute]:
    """The console's routes; ``secure_cookie`` when it is served over https (the session cookie is then Secure)."""
    console = Console(services, secure_cookie=secure_cookie)

    async def home(request: Request) -> Response:
        if await console.session_of(request) is not None:
            return RedirectResponse(f"/console/{DEFAULT_REGION}/", status_code=303)
        return render("signin.html")

    async def sign_in(request: Request) -> Response:
        if cross_site(request):
            return console.cross_site_refusal()
        client = request.client.host if request.client else "unknown"
        wait = console.limiter.retry_after(client, console.now())
        if wait:
            minutes = max(1, round(wait / 60))
            message = f"Too many failed sign-ins from your address. Try again in {minutes} minute(s)."
            response = render("signin.html", 429, message=message)
            response.headers["retry-after"] = str(int(wait) + 1)
            return response
        try:
            form = await read_form(request)
        except FormTooLarge:
            return render("signin.html", 413, message=WRONG_PAIR)
        key_id, secret = form.get("access_key_id").strip(), form.get("secret_access_key").strip()
        key = await services.store.get_access_key(key_id) if key_id else None
        stored = services.box.open(key.secret_sealed) if key is not None else ""
        # One answer whichever half is wrong and whether the key is merely inactive: no oracle on any of them.
        matches = hmac.compare_digest(stored.encode(), secret.encode()) and key is not None
        if not matches or key is None or key.status != KEY_ACTIVE:
            console.limiter.failed(client, console.now())
            return render("signin.html", 401, message=WRONG_PAIR, access_key_id=key_id)
        signed_in = RedirectResponse(f"/console/{DEFAULT_REGION}/", status_code=303)
        console.set_session_cookie(signed_in, console.codec.issue(key.access_key_id, console.now()))
        return signed_in

    async def sign_out(request: Request) -> Response:
        visit = await console.visit(request)
        if isinstance(visit, Response):
            return visit
        response = RedirectResponse("/", status_code=303)
        console.clear_session_cookie(response)
        return response

    async def switch_region(request: Request) -> Response:
        region = request.query_params.get("region", DEFAULT_REGION)
        if region not in console.regions:
            return console.problem(404, "No such region", f"{region!r} is not a Lightsail region.")
        return RedirectResponse(f"/console/{region}/", status_code=303)

    async def style(_: Request) -> Response:
        headers = {**CONSOLE_HEADERS, "cache-control": "public, max-age=3600"}
        return Response(_STYLE, media_type="text/css", headers=headers)

    return [
        Route("/", home, methods=["GET"]),
        Route("/console/signin", sign_in, methods=["POST"]),
        Route("/console/{region}/signout", sign_out, methods=["POST"]),
        Route("/console/region", switch_region, methods=["GET"]),
        Route("/console/static/console.css", style, methods=["GET"]),
        *contacts.routes(console),
        *resources.routes(console),
        *alarms.routes(console),
        *operations.routes(console),
    ]
