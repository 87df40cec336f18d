"""Console forms: reading a posted form, turning its fields into an operation's parameters, and a handler's refusal
into an error shown next to the field it names.

Forms are ``application/x-www-form-urlencoded`` (the pages post nothing else), read up to ``MAX_FORM_BYTES``. The
service's messages start with the parameter they are about (``contactEndpoint: …``); the console shows the rest of
the message beside the input of that parameter, or above the form when the form has no such input.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request

from lsnotify.domain.alarms import ALARM
from lsnotify.errors import InvalidInputException, WireError

MAX_FORM_BYTES = 64 * 1024


class FormTooLarge(Exception):
    """The posted form is larger than ``MAX_FORM_BYTES``."""


@dataclass(frozen=True, slots=True)
class Form:
    """A posted form: each field's values in order."""

    fields: Mapping[str, list[str]]

    def get(self, name: str, default: str = "") -> str:
        values = self.fields.get(name)
        return values[0] if values else default

    def getlist(self, name: str) -> list[str]:
        return list(self.fields.get(name, []))


async def read_form(request: Request) -> Form:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise FormTooLarge
    return Form(parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True))


@dataclass(frozen=True, slots=True)
class FieldError:
    form: str
    """Which form of the page failed."""
    field: str | None
    """The parameter whose input shows the message; None: shown above the form."""
    message: str


def field_error(form: str, fields: Collection[str], error: WireError) -> FieldError:
    """``error`` placed on the input of the parameter its message names, when ``fields`` has it."""
    name, separator, rest = error.message.partition(": ")
    parameter = re.split(r"[\[.]", name, maxsplit=1)[0]
    if separator and parameter in fields:
        return FieldError(form, parameter, rest)
    return FieldError(form, None, error.message)


def _number(form: Form, name: str, kind: type[int] | type[float]) -> int | float:
    text = form.get(name).strip()
    try:
        value = kind(text)
    except ValueError:
        word = "a whole number" if kind is int else "a number"
        raise InvalidInputException(f"{name}: must be {word} (got {text!r}).") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInputException(f"{name}: must be a finite number (got {text!r}).")
    return value


ALARM_FIELDS = (
    "alarmName",
    "metricName",
    "comparisonOperator",
    "threshold",
    "evaluationPeriods",
    "datapointsToAlarm",
    "treatMissingData",
    "contactProtocols",
    "notificationTriggers",
    "notificationEnabled",
)


def parse_tags(text: str) -> list[dict[str, str]]:
    """``key=value`` lines (a line without ``=`` is a key with no value) as the API's list of tags."""
    tags = []
    for line in text.splitlines():
        if line.strip():
            key, separator, value = line.partition("=")
            tags.append({"key": key.strip(), "value": value.strip()} if separator else {"key": key.strip()})
    return tags


def put_alarm_params(form: Form, resource_name: str) -> dict[str, Any]:
    """PutAlarm's parameters from the alarm form; InvalidInputException when a number is not one. Tags, which
    PutAlarm applies only when it creates the alarm, are sent when the form has them."""
    tags = parse_tags(form.get("tags"))
    return ({"tags": tags} if tags else {}) | {
        "alarmName": form.get("alarmName").strip(),
        "monitoredResourceName": resource_name,
        "metricName": form.get("metricName"),
        "comparisonOperator": form.get("comparisonOperator"),
        "threshold": _number(form, "threshold", float),
        "evaluationPeriods": _number(form, "evaluationPeriods", int),
        "datapointsToAlarm": _number(form, "datapointsToAlarm", int),
        "treatMissingData": form.get("treatMissingData"),
        "contactProtocols": form.getlist("contactProtocols"),
        "notificationTriggers": form.getlist("notificationTriggers"),
        "notificationEnabled": form.get("notificationEnabled") == "on",
    }


def alarm_form_values(form: Form) -> dict[str, Any]:
    """The alarm form's fields as posted, to show the form again with them."""
    values: dict[str, Any] = {name: form.get(name) for name in ALARM_FIELDS}
    values["contactProtocols"] = form.getlist("contactProtocols")
    values["notificationTriggers"] = form.getlist("notificationTriggers")
    values["notificationEnabled"] = form.get("notificationEnabled") == "on"
    values["tags"] = form.get("tags")
    return values


def new_alarm_values(metric_name: str, contact_protocols: list[str]) -> dict[str, Any]:
    """A new alarm's form, pre-filled with Lightsail's defaults: one period of five minutes that must breach,
    missing data treated as missing, notifications on for ALARM to every contact method the region has."""
    return {
        "alarmName": "",
        "metricName": metric_name,
        "comparisonOperator": "GreaterThanOrEqualToThreshold",
        "threshold": "",
        "evaluationPeriods": "1",
        "datapointsToAlarm": "1",
        "treatMissingData": "missing",
        "contactProtocols": contact_protocols,
        "notificationTriggers": [ALARM],
        "notificationEnabled": True,
        "tags": "",
    }


def alarm_values(alarm: Mapping[str, Any]) -> dict[str, Any]:
    """An existing alarm's form, from its GetAlarms wire shape."""
    values = wire_alarm_params(alarm)
    values["threshold"] = f"{alarm['threshold']:g}"
    return values


def wire_alarm_params(alarm: Mapping[str, Any]) -> dict[str, Any]:
    """The PutAlarm parameters that keep ``alarm`` (its GetAlarms shape) as it is."""
    params = {name: alarm[name] for name in ALARM_FIELDS if name != "alarmName"}
    params["alarmName"] = alarm["name"]
    params["monitoredResourceName"] = alarm["monitoredResourceInfo"]["name"]
    return params
