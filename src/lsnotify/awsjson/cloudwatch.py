"""botocore's CloudWatch model, and CloudWatch's AWS JSON 1.0 protocol on top of it.

CloudWatch speaks three protocols (the model's ``protocols``): AWS JSON 1.0 here, AWS Query (``query.py``) and Smithy
RPC v2 CBOR (``cbor.py``). All three carry the same input shape, checked by the same compiled ``InputValidator``, and
the same errors: CloudWatch is "awsQueryCompatible", so every error also names its AWS Query code (``Code;Sender``),
in the ``x-amzn-query-error`` header of JSON 1.0 and CBOR answers, from which botocore and the SDKs take the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import orjson
from botocore.model import ServiceModel

from lsnotify.awsjson.model import botocore_model
from lsnotify.awsjson.serialize import WireResponse
from lsnotify.awsjson.validate import InputValidator
from lsnotify.errors import (
    CloudWatchError,
    InvalidParameterValueException,
    MissingRequiredParameterException,
    WireError,
)

SERVICE_NAME = "cloudwatch"
SIGNING_NAME = "monitoring"
JSON_CONTENT_TYPE = b"application/x-amz-json-1.0"
ERROR_NAMESPACE = "com.amazonaws.cloudwatch#"
_INDEX = re.compile(r"\[(\d+)\]")


def cloudwatch_model() -> ServiceModel:
    """The pinned botocore's ``cloudwatch`` model: the only source of CloudWatch's shapes and constraints."""
    return botocore_model(SERVICE_NAME)


@cache
def target_prefix() -> str:
    """``GraniteServiceVersion20100801``: before the dot in ``X-Amz-Target``, and in the CBOR path."""
    return str(cloudwatch_model().metadata["targetPrefix"])


@cache
def operation_names() -> frozenset[str]:
    return frozenset(cloudwatch_model().operation_names)


def query_path(path: str) -> str:
    """A validator path (``MetricData[0].Value``) as CloudWatch names parameters (``MetricData.member.1.Value``)."""
    return _INDEX.sub(lambda match: f".member.{int(match.group(1)) + 1}", path)


def shape_error(path: str, rule: str, missing: bool) -> CloudWatchError:
    """The CloudWatch error for a broken shape rule, naming the parameter as CloudWatch does."""
    name = query_path(path)
    if missing:
        return MissingRequiredParameterException(f"The parameter {name} is required.")
    return InvalidParameterValueException(f"The value for parameter {name} is invalid: it {rule}.")


def input_validator(served: list[str]) -> InputValidator:
    """The model's input-shape checks for the served operations, raising CloudWatch's errors."""
    return InputValidator(cloudwatch_model(), served, shape_error)


@dataclass(frozen=True, slots=True)
class ErrorParts:
    """What every CloudWatch protocol says about an error."""

    status: int
    shape_name: str
    """The model's exception shape (``InvalidParameterValueException``), or the protocol error's type."""
    code: str
    """The AWS Query code (``InvalidParameterValue``)."""
    fault: str
    """``Sender`` or ``Receiver``."""
    message: str

    @property
    def query_error_header(self) -> tuple[bytes, bytes]:
        return (b"x-amzn-query-error", f"{self.code};{self.fault}".encode())


def error_parts(error: WireError) -> ErrorParts:
    code = error.code if isinstance(error, CloudWatchError) else error.type_name.removesuffix("Exception")
    fault = "Receiver" if error.status >= 500 else "Sender"
    return ErrorParts(error.status, error.type_name, code, fault, error.message)


def json_success(request_id: str) -> WireResponse:
    """PutMetricData has no output: an empty JSON object."""
    return WireResponse(200, [(b"content-type", JSON_CONTENT_TYPE), (b"x-amzn-requestid", request_id.encode())], b"{}")


def json_error(error: WireError, request_id: str, query_mode: bool) -> WireResponse:
    """``__type`` and ``message``; ``x-amzn-query-error`` too when the request said ``x-amzn-query-mode: true``."""
    parts = error_parts(error)
    headers = [
        (b"content-type", JSON_CONTENT_TYPE),
        (b"x-amzn-requestid", request_id.encode()),
        (b"x-amzn-errortype", parts.shape_name.encode()),
    ]
    if query_mode:
        headers.append(parts.query_error_header)
    body = orjson.dumps({"__type": ERROR_NAMESPACE + parts.shape_name, "message": parts.message})
    return WireResponse(parts.status, headers, body)
