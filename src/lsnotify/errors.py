"""Every error lsnotify sends over the wire, as plain exceptions.

Only ``awsjson.serialize`` turns them into bytes. Two families::

    WireError                       __type, message, HTTP status
    ├── LightsailError              the modeled Lightsail exceptions: + code, docs, tip
    │   ├── InvalidInputException, NotFoundException, OperationFailureException,
    │   │   AccessDeniedException, UnauthenticatedException,
    │   │   AccountSetupInProgressException, RegionSetupInProgressException   (400)
    │   └── ServiceException                                                  (500: a bug)
    ├── protocol errors: SerializationException, UnknownOperationException,
    │   UnsupportedOperationException, RequestEntityTooLargeException, RequestTimeoutException,
    │   MissingAuthenticationTokenException, IncompleteSignatureException,
    │   InvalidSignatureException, UnrecognizedClientException, ThrottlingException
    └── CloudWatchError             CloudWatch's modeled exceptions: + code (the AWS Query error code)
        ├── InvalidParameterValueException, MissingRequiredParameterException,
        │   InvalidParameterCombinationException                              (400)
        └── InternalServiceFault                                              (500: a bug)

A class's docstring is its default message, so most errors are two lines.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

DOCS_NOTIFICATIONS = "https://docs.aws.amazon.com/lightsail/latest/userguide/amazon-lightsail-notifications"


def shown(value: Any) -> str:
    """A value as it may appear in an error message: short, JSON-quoted, never a 1 MiB string."""
    if isinstance(value, str):
        return json.dumps(value if len(value) <= 64 else value[:64] + "…", ensure_ascii=False)
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return "a very large integer"
    return json.dumps(value) if isinstance(value, bool) or value is None else repr(value)


class WireError(Exception):
    """An error the client caused or must be told about."""

    status: ClassVar[int] = 400

    def __init__(self, message: str | None = None) -> None:
        self.message = message or " ".join((type(self).__doc__ or "").split())
        super().__init__(self.message)

    @property
    def type_name(self) -> str:
        return type(self).__name__


class LightsailError(WireError):
    """A Lightsail modeled exception: it carries Lightsail's ``code``, ``docs`` and ``tip`` members."""

    code: ClassVar[str] = ""
    docs: ClassVar[str] = DOCS_NOTIFICATIONS
    tip: ClassVar[str] = ""


class InvalidInputException(LightsailError):
    """The input does not conform to the validation rules of an input field."""

    code = "InvalidInput"
    tip = "Correct the field named in the message, then try again."


class NotFoundException(LightsailError):
    """The resource does not exist."""

    code = "DoesNotExist"
    tip = "Check the name and the Region, then try again."


class OperationFailureException(LightsailError):
    """The operation could not be completed."""

    code = "OperationFailure"
    tip = "Wait a moment and try again."


class AccessDeniedException(LightsailError):
    """You do not have sufficient access to perform this action."""

    code = "AccessDenied"
    tip = "Check that the access key is active and belongs to the right account."


class UnauthenticatedException(LightsailError):
    """The request was not authenticated."""

    code = "Unauthenticated"


class AccountSetupInProgressException(LightsailError):
    """The account is still being set up."""

    code = "AccountSetupInProgress"


class RegionSetupInProgressException(LightsailError):
    """The Region is still being set up."""

    code = "RegionSetupInProgress"
    tip = "Opt-in Regions typically take a few minutes to finish setting up. Wait a few minutes and try again."


class ServiceException(LightsailError):
    """An internal error occurred in lsnotify. The request was not completed; it is safe to retry."""

    status = 500
    code = "InternalError"
    tip = "This is a bug in lsnotify; the server log has the details under this request id."


class SerializationException(WireError):
    """The request body is not valid JSON."""


class UnknownOperationException(WireError):
    """The operation requested is not a Lightsail operation. Check X-Amz-Target."""

    status = 404


class UnsupportedOperationException(WireError):
    """lsnotify does not serve this Lightsail operation."""


class RequestEntityTooLargeException(WireError):
    """The request body is larger than lsnotify accepts."""

    status = 413


class RequestTimeoutException(WireError):
    """The request body did not arrive in time; the connection is closed. It is safe to retry."""

    status = 408


class MissingAuthenticationTokenException(WireError):
    """Request is missing Authentication Token"""

    status = 403


class IncompleteSignatureException(WireError):
    """The Authorization header is incomplete."""


class InvalidSignatureException(WireError):
    """The request signature we calculated does not match the signature you provided. Check your AWS Secret Access
    Key and signing method. Consult the service documentation for details."""


class UnrecognizedClientException(WireError):
    """The security token included in the request is invalid."""

    status = 403


class ThrottlingException(WireError):
    """Rate exceeded."""


class CloudWatchError(WireError):
    """A CloudWatch modeled exception; ``code`` is its AWS Query error code, which every CloudWatch protocol sends
    (the XML ``<Code>``, the ``x-amzn-query-error`` header)."""

    code: ClassVar[str] = ""


class InvalidParameterValueException(CloudWatchError):
    """The value of an input parameter is bad or out-of-range."""

    code = "InvalidParameterValue"


class MissingRequiredParameterException(CloudWatchError):
    """An input parameter that is required is missing."""

    code = "MissingParameter"


class InvalidParameterCombinationException(CloudWatchError):
    """Parameters were used together that cannot be used together."""

    code = "InvalidParameterCombination"


class InternalServiceFault(CloudWatchError):
    """Request processing has failed due to an internal error in lsnotify; the server log has the details."""

    status = 500
    code = "InternalServiceError"
