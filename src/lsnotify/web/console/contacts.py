"""Notification contacts, the console's home page of a region: the Email and SMS contact methods with their status;
adding, re-sending the verification of, and deleting them, through the API's own handlers."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from lsnotify.domain.contacts import EMAIL, PENDING_VERIFICATION, SMS
from lsnotify.errors import WireError
from lsnotify.web.console.forms import FieldError, field_error
from lsnotify.web.console.pages import Console, Visit


def routes(console: Console) -> list[Route]:
    async def show(visit: Visit, *, error: FieldError | None = None, status_code: int = 200) -> Response:
        listed = await console.call(visit, "GetContactMethods", {})
        methods = {method["protocol"]: method for method in listed["contactMethods"]}
        return await console.page(
            visit,
            "contacts.html",
            status_code=status_code,
            error=error,
            email=methods.get(EMAIL),
            sms=methods.get(SMS),
            pending=PENDING_VERIFICATION,
            sms_available=visit.region in console.services.rules.sms_regions,
            posted=visit.form.get("contactEndpoint") if visit.form else "",
        )

    async def contacts(request: Request) -> Response:
        visit = await console.visit(request)
        return visit if isinstance(visit, Response) else await show(visit)

    def action(operation: str, path: str) -> Route:
        """A POST that calls ``operation`` with the form's ``protocol`` (and ``contactEndpoint``), then shows the
        page again: on success by redirecting to it, on a refusal with the message by the field."""

        async def endpoint(request: Request) -> Response:
            visit = await console.visit(request)
            if isinstance(visit, Response):
                return visit
            assert visit.form is not None
            protocol = visit.form.get("protocol")
            params = {"protocol": protocol}
            if operation == "CreateContactMethod":
                params["contactEndpoint"] = visit.form.get("contactEndpoint").strip()
            try:
                await console.call(visit, operation, params)
            except WireError as exc:
                failed = field_error(f"{path}-{protocol}", ("contactEndpoint",), exc)
                return await show(visit, error=failed, status_code=400)
            return RedirectResponse(visit.url(), status_code=303)

        return Route(f"/console/{{region}}/contacts/{path}", endpoint, methods=["POST"])

    return [
        Route("/console/{region}/", contacts, methods=["GET"]),
        action("CreateContactMethod", "add"),
        action("SendContactMethodVerification", "resend"),
        action("DeleteContactMethod", "delete"),
    ]
