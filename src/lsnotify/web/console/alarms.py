"""Alarm actions: the **Add alarm** and **Edit** form (every PutAlarm field), the **Notifications** switch,
**Test alarm notification** / **Test OK notification**, and **Delete**, each through the API's handler."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from lsnotify.domain.alarms import ALARM, COMPARISONS, INSUFFICIENT_DATA, OK
from lsnotify.domain.contacts import EMAIL, SMS
from lsnotify.domain.metrics import METRICS
from lsnotify.errors import InvalidInputException, WireError
from lsnotify.web.console.forms import (
    ALARM_FIELDS,
    FieldError,
    alarm_form_values,
    alarm_values,
    field_error,
    new_alarm_values,
    put_alarm_params,
    wire_alarm_params,
)
from lsnotify.web.console.pages import Console, Visit

TREAT_MISSING_DATA = {
    "missing": "as missing (the alarm decides on the datapoints present)",
    "breaching": "as breaching the threshold",
    "notBreaching": "as not breaching the threshold",
    "ignore": "ignored (the alarm keeps its state)",
}
FORM = "alarm"


def routes(console: Console) -> list[Route]:
    store = console.services.store

    async def alarm_of(visit: Visit, name: str) -> dict[str, Any] | None:
        try:
            listed = await console.call(visit, "GetAlarms", {"alarmName": name})
        except WireError:  # not found, or not even a valid alarm name
            return None
        alarms: list[dict[str, Any]] = listed["alarms"]
        return alarms[0] if alarms else None

    async def show_form(
        visit: Visit,
        resource_name: str,
        values: dict[str, Any],
        *,
        editing: bool,
        error: FieldError | None = None,
        status_code: int = 200,
    ) -> Response:
        resource = await store.get_resource(visit.scope, resource_name)
        if resource is None:
            return console.problem(404, "No such resource", f"There is no resource named {resource_name!r}.")
        return await console.page(
            visit,
            "alarm_form.html",
            status_code=status_code,
            error=error,
            resource=resource,
            metrics=METRICS[resource.resource_type],
            comparisons=COMPARISONS,
            treat_missing=TREAT_MISSING_DATA,
            protocols=(EMAIL, SMS),
            triggers=(ALARM, OK, INSUFFICIENT_DATA),
            values=values,
            editing=editing,
        )

    async def new_alarm(request: Request) -> Response:
        visit = await console.visit(request)
        if isinstance(visit, Response):
            return visit
        listed = await console.call(visit, "GetContactMethods", {})
        values = new_alarm_values(
            request.query_params.get("metricName", ""), [m["protocol"] for m in listed["contactMethods"]]
        )
        return await show_form(visit, request.path_params["name"], values, editing=False)

    async def visit_alarm(request: Request) -> tuple[Visit, dict[str, Any]] | Response:
        """The signed-in visit and the alarm its path names (GetAlarms' shape), or the response refusing them."""
        visit = await console.visit(request)
        if isinstance(visit, Response):
            return visit
        name = request.path_params["alarm"]
        alarm = await alarm_of(visit, name)
        if alarm is None:
            return console.problem(404, "No such alarm", f"There is no alarm named {name!r} in {visit.region}.")
        return visit, alarm

    async def edit_alarm(request: Request) -> Response:
        found = await visit_alarm(request)
        if isinstance(found, Response):
            return found
        visit, alarm = found
        resource_name = alarm["monitoredResourceInfo"]["name"]
        return await show_form(visit, resource_name, alarm_values(alarm), editing=True)

    async def put_alarm(request: Request) -> Response:
        visit = await console.visit(request)
        if isinstance(visit, Response):
            return visit
        assert visit.form is not None
        resource_name = request.path_params["name"]
        editing = visit.form.get("editing") == "yes"
        try:
            params = put_alarm_params(visit.form, resource_name)
            if not editing and await alarm_of(visit, params["alarmName"]) is not None:
                raise InvalidInputException(
                    f"alarmName: an alarm named {params['alarmName']!r} already exists in {visit.region}; "
                    "choose another name, or edit that alarm."
                )
            await console.call(visit, "PutAlarm", params)
        except WireError as exc:
            values = alarm_form_values(visit.form)
            failed = field_error(FORM, (*ALARM_FIELDS, "tags"), exc)
            return await show_form(visit, resource_name, values, editing=editing, error=failed, status_code=400)
        return RedirectResponse(visit.url(f"resources/{resource_name}#alarm-{params['alarmName']}"), status_code=303)

    def alarm_action(path: str, act: Callable[[Visit, dict[str, Any]], Awaitable[str]]) -> Route:
        """A POST on one alarm: ``act(visit, alarm)`` runs it and returns the query string to show the result with;
        then back to the alarm's resource page."""

        async def endpoint(request: Request) -> Response:
            found = await visit_alarm(request)
            if isinstance(found, Response):
                return found
            visit, alarm = found
            try:
                query = await act(visit, alarm)
            except WireError as exc:
                return console.problem(400, "Not done", exc.message)
            resource_name = alarm["monitoredResourceInfo"]["name"]
            return RedirectResponse(visit.url(f"resources/{resource_name}{query}#alarm-{alarm['name']}"), 303)

        return Route(f"/console/{{region}}/alarms/{{alarm}}/{path}", endpoint, methods=["POST"])

    async def switch_notifications(visit: Visit, alarm: dict[str, Any]) -> str:
        assert visit.form is not None
        params = wire_alarm_params(alarm)
        params["notificationEnabled"] = visit.form.get("notificationEnabled") == "on"
        await console.call(visit, "PutAlarm", params)
        return ""

    async def test(visit: Visit, alarm: dict[str, Any]) -> str:
        assert visit.form is not None
        state = visit.form.get("state")
        await console.call(visit, "TestAlarm", {"alarmName": alarm["name"], "state": state})
        return f"?tested={alarm['name']}&state={state}"

    async def delete(visit: Visit, alarm: dict[str, Any]) -> str:
        await console.call(visit, "DeleteAlarm", {"alarmName": alarm["name"]})
        return ""

    return [
        Route("/console/{region}/resources/{name}/alarms/new", new_alarm, methods=["GET"]),
        Route("/console/{region}/resources/{name}/alarms", put_alarm, methods=["POST"]),
        Route("/console/{region}/alarms/{alarm}/edit", edit_alarm, methods=["GET"]),
        alarm_action("notifications", switch_notifications),
        alarm_action("test", test),
        alarm_action("delete", delete),
    ]
