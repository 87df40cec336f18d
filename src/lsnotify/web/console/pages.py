"""What every console page shares: the signed-in visit (session, account, region, CSRF check), calling a service
handler exactly as the API does, the alarm banners, and rendering under the console's security headers.

The headers are the verification pages' (``web/templating.py``), with a stricter Content-Security-Policy (the
console's only style sheet is a static file and it has no script at all, so ``style-src 'self'`` and no
``script-src``) and a ``same-origin`` referrer policy, under which a browser names the page's origin when it posts
a form, so forms sent from another site are told apart.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from lsnotify.awsjson.model import lightsail_model, lightsail_regions
from lsnotify.awsjson.regions import region_description
from lsnotify.awsjson.validate import InputValidator
from lsnotify.context import RequestContext
from lsnotify.domain import KEY_ACTIVE, Scope
from lsnotify.domain.alarms import ALARM
from lsnotify.messages.environment import template_environment
from lsnotify.messages.formats import utc_second
from lsnotify.service import Services
from lsnotify.service.api import OPERATIONS
from lsnotify.web.console.forms import FieldError, Form, FormTooLarge, read_form
from lsnotify.web.console.limiter import AttemptLimiter
from lsnotify.web.console.sessions import COOKIE_NAME, Session, SessionCodec
from lsnotify.web.templating import PAGE_HEADERS

CONSOLE_HEADERS = {
    **PAGE_HEADERS,
    # No console URL carries a secret, and with no-referrer browsers send "Origin: null" on a form's POST, which
    # would hide a same-site form from a cross-site one.
    "referrer-policy": "same-origin",
    "content-security-policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'"
    ),
}
BANNER_LIMIT = 1000
"""At most this many alarms of a region are read to find those in ALARM for the banners."""

_env = template_environment("lsnotify.web.console", "lsnotify.web")
_env.filters["when"] = utc_second
_env.globals["region_description"] = region_description


def cross_site(request: Request) -> bool:
    """A browser's POST from another site: its ``Origin`` names another host than the one it was sent to. Refused
    before anything else, so another site can neither act in a session nor sign a browser into its own account."""
    origin = request.headers.get("origin")
    if origin is None:
        return False
    return origin == "null" or urlsplit(origin).netloc != request.headers.get("host", "")


def render(template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    html = _env.get_template(template).render(**values)
    return HTMLResponse(html, status_code=status_code, headers=CONSOLE_HEADERS)


@dataclass(slots=True)
class Visit:
    """A signed-in request: who, where, and the form it posted (None for a GET)."""

    request: Request
    session: Session
    account_id: str
    region: str
    csrf: str
    form: Form | None

    @property
    def scope(self) -> Scope:
        return Scope(self.account_id, self.region)

    @property
    def section(self) -> str:
        """Which part of the console the page belongs to, for the navigation: contacts, resources or operations."""
        parts = self.request.url.path.split("/")
        part = parts[3] if len(parts) > 3 else ""
        return {"resources": "resources", "alarms": "resources", "operations": "operations"}.get(part, "contacts")

    def url(self, path: str = "") -> str:
        """The console URL of ``path`` within the visit's region."""
        return f"/console/{self.region}/{path}"


class Console:
    def __init__(self, services: Services, *, secure_cookie: bool) -> None:
        self.services = services
        self.codec = SessionCodec(services.box.derived_key("console session"))
        self.limiter = AttemptLimiter()
        self.secure_cookie = secure_cookie
        self.regions = sorted(lightsail_regions())
        self._validator = InputValidator(lightsail_model(), list(OPERATIONS))

    def now(self) -> float:
        return self.services.clock()

    def set_session_cookie(self, response: Response, session: Session) -> None:
        response.set_cookie(
            COOKIE_NAME,
            self.codec.encode(session),
            max_age=int(session.expires_at - session.issued_at),
            path="/",
            httponly=True,
            samesite="strict",
            secure=self.secure_cookie,
        )

    def clear_session_cookie(self, response: Response) -> None:
        response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="strict", secure=self.secure_cookie)

    async def session_of(self, request: Request) -> tuple[Session, str] | None:
        """The request's session and its account, when the cookie is genuine, unexpired and its key still active."""
        cookie = request.cookies.get(COOKIE_NAME)
        session = self.codec.decode(cookie, self.now()) if cookie else None
        if session is None:
            return None
        key = await self.services.store.get_access_key(session.access_key_id)
        if key is None or key.status != KEY_ACTIVE or key.created_at > session.issued_at:
            return None
        return session, key.account_id

    async def visit(self, request: Request) -> Visit | Response:
        """The signed-in visit, or the response that refuses it: back to sign-in without a live session, 404 for
        an unknown region, 403 for a posted form without the session's CSRF token."""
        found = await self.session_of(request)
        if found is None:
            response = RedirectResponse("/", status_code=303)
            self.clear_session_cookie(response)
            return response
        session, account_id = found
        region = request.path_params.get("region", "")
        if region not in self.regions:
            return self.problem(404, "No such region", f"{region!r} is not a Lightsail region.")
        form = None
        if request.method == "POST":
            if cross_site(request):
                return self.cross_site_refusal()
            try:
                form = await read_form(request)
            except FormTooLarge:
                return self.problem(413, "Form too large", "The form sent is larger than the console accepts.")
            if not self.codec.csrf_ok(session, form.get("csrf_token")):
                return self.problem(
                    403,
                    "Request refused",
                    "This form did not carry this session's security token, so it was not acted on. "
                    "Reload the page and try again.",
                )
        return Visit(request, session, account_id, region, self.codec.csrf_token(session), form)

    def cross_site_refusal(self) -> HTMLResponse:
        return self.problem(403, "Request refused", "This form was sent from another site, so it was not acted on.")

    def problem(self, status: int, title: str, message: str) -> HTMLResponse:
        return render("problem.html", status, title=title, message=message)

    async def call(self, visit: Visit, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Run the API's handler of ``operation`` for the visit's account and region, its input checked against
        the model as the API checks it; the handler records the operation and raises the API's errors."""
        self._validator.validate(operation, params)
        ctx = RequestContext(str(uuid.uuid4()), visit.account_id, visit.region, operation, visit.session.access_key_id)
        return await OPERATIONS[operation](self.services, ctx, params)

    async def banners(self, visit: Visit) -> list[Mapping[str, Any]]:
        """The region's alarms in ALARM, each with the page that shows it."""
        alarms = await self.services.store.list_alarms(visit.scope, limit=BANNER_LIMIT)
        return [
            {"alarm": alarm, "url": visit.url(f"resources/{alarm.resource.name}#alarm-{alarm.name}")}
            for alarm in alarms
            if alarm.state == ALARM
        ]

    async def page(
        self, visit: Visit, template: str, *, status_code: int = 200, error: FieldError | None = None, **values: Any
    ) -> HTMLResponse:
        return render(
            template,
            status_code,
            visit=visit,
            regions=self.regions,
            banners=await self.banners(visit),
            error=error,
            **values,
        )
