"""Resources: the region's monitored instances, load balancers and databases, **Add resource**, and a resource's
page: its alarms (with their history and actions) and a graph of each of its metrics over a chosen range."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from lsnotify.domain.alarms import ALARM, COMPARISONS, OK, RESOURCE_TYPES
from lsnotify.domain.metrics import METRICS, MetricRetention
from lsnotify.errors import WireError
from lsnotify.service.alarms.metric_data import finest_kept_resolution, read_datapoints
from lsnotify.service.alarms.resources import add_resource
from lsnotify.web.console.charts import Chart, Threshold, alarm_periods, render_chart
from lsnotify.web.console.forms import FieldError, field_error
from lsnotify.web.console.pages import Console, Visit


@dataclass(frozen=True, slots=True)
class Range:
    key: str
    label: str
    seconds: int
    period: int
    """The seconds each datapoint of the graph aggregates, when the range's data is kept at a resolution that
    divides it (as Lightsail's default retention keeps every range here)."""


RANGES = (
    Range("1h", "1 hour", 3600, 300),
    Range("6h", "6 hours", 6 * 3600, 300),
    Range("1d", "1 day", 86_400, 900),
    Range("1w", "1 week", 7 * 86_400, 3600),
    Range("2w", "2 weeks", 14 * 86_400, 7200),
)
HISTORY_SHOWN = 20


def graph_period(chosen: Range, start: float, now: float, retention: MetricRetention) -> int:
    """The range's period, rounded up to a multiple of the resolution its data is still kept at (a shorter
    retention than Lightsail's may leave only coarser points), so that ``read_datapoints`` accepts it."""
    finest = finest_kept_resolution(start, now, retention) or chosen.period
    return math.ceil(chosen.period / finest) * finest


def condition_words(alarm: dict[str, Any]) -> str:
    """``CPUUtilization (Average) is greater than or equal to 80 Percent for 2 of the last 3 periods of 5 minutes``."""
    words = COMPARISONS[alarm["comparisonOperator"]][1]
    periods = alarm["evaluationPeriods"]
    return (
        f"{alarm['metricName']} ({alarm['statistic']}) is {words} {alarm['threshold']:g} {alarm['unit']} "
        f"for {alarm['datapointsToAlarm']} of the last {periods} period{'s' if periods != 1 else ''} of 5 minutes; "
        f"missing data is treated as {alarm['treatMissingData']}"
    )


def routes(console: Console) -> list[Route]:
    store = console.services.store

    async def show_list(visit: Visit, error: FieldError | None = None, status_code: int = 200) -> Response:
        listed = await store.list_resources(visit.scope)
        return await console.page(
            visit, "resources.html", status_code=status_code, error=error, resources=listed, types=RESOURCE_TYPES
        )

    async def resources(request: Request) -> Response:
        visit = await console.visit(request)
        if isinstance(visit, Response):
            return visit
        if visit.form is None:
            return await show_list(visit)
        resource_type, name = visit.form.get("resourceType"), visit.form.get("resourceName").strip()
        try:
            await add_resource(store, visit.scope, resource_type, name, console.now())
        except WireError as exc:
            return await show_list(visit, field_error("add-resource", ("resourceType", "resourceName"), exc), 400)
        return RedirectResponse(visit.url("resources"), status_code=303)

    async def resource(request: Request) -> Response:
        visit = await console.visit(request)
        if isinstance(visit, Response):
            return visit
        name = request.path_params["name"]
        found = await store.get_resource(visit.scope, name)
        if found is None:
            return console.problem(404, "No such resource", f"There is no resource named {name!r} in {visit.region}.")
        chosen = next((r for r in RANGES if r.key == request.query_params.get("range")), RANGES[0])
        now = console.now()
        start = now - chosen.seconds
        retention = console.services.rules.metric_points
        period = graph_period(chosen, start, now, retention)
        listed = await console.call(visit, "GetAlarms", {"monitoredResourceName": name})
        alarms = []
        for alarm in listed["alarms"]:
            history = await store.list_alarm_history(visit.scope, alarm["name"], HISTORY_SHOWN)
            alarms.append(
                {
                    "wire": alarm,
                    "condition": condition_words(alarm),
                    "history": history,
                    "shaded": alarm_periods(alarm["state"], history, start, now),
                }
            )
        charts = []
        for metric, info in METRICS[found.resource_type].items():
            points = await read_datapoints(store, visit.scope, name, metric, start, now, period, now, retention)
            watching = [a for a in alarms if a["wire"]["metricName"] == metric]
            chart = Chart(
                label=f"{metric} ({info.statistic}, {info.unit}), last {chosen.label}",
                start=start,
                end=now,
                points=[(p.period_start, p.statistic(info.statistic)) for p in points],
                period=period,
                thresholds=[
                    Threshold(
                        f"{a['wire']['name']} {COMPARISONS[a['wire']['comparisonOperator']][0]} "
                        f"{a['wire']['threshold']:g}",
                        a["wire"]["threshold"],
                    )
                    for a in watching
                ],
                alarm_periods=[interval for a in watching for interval in a["shaded"]],
            )
            charts.append({"metric": metric, "info": info, "svg": render_chart(chart), "count": len(points)})
        tested = request.query_params.get("tested")
        tested_state = request.query_params.get("state")
        return await console.page(
            visit,
            "resource.html",
            resource=found,
            alarms=alarms,
            charts=charts,
            ranges=RANGES,
            chosen=chosen,
            tested=tested if any(a["wire"]["name"] == tested for a in alarms) else None,
            tested_state=tested_state if tested_state in (ALARM, OK) else None,
        )

    return [
        Route("/console/{region}/resources", resources, methods=["GET", "POST"]),
        Route("/console/{region}/resources/{name}", resource, methods=["GET"]),
    ]
