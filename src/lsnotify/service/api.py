"""The operations lsnotify serves, by ``X-Amz-Target`` prefix: the one table from operation name to handler.

``OPERATIONS`` are Lightsail's (``Lightsail_20161128``; a unit test checks every name against botocore's model);
``LSNOTIFY_OPERATIONS`` are lsnotify's own (``LsNotify_20261127``, model ``awsjson/lsnotify-2026-11-27.json``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from lsnotify.context import RequestContext
from lsnotify.service import Services, contact_methods, operations, tags
from lsnotify.service.alarms import api as alarms
from lsnotify.service.alarms import metric_data, metrics

Handler = Callable[[Services, RequestContext, dict[str, Any]], Awaitable[dict[str, Any]]]
"""An operation: given the services, the request's context and its validated parameters, the output shape's dict."""

OPERATIONS: Mapping[str, Handler] = {
    "CreateContactMethod": contact_methods.create_contact_method,
    "GetContactMethods": contact_methods.get_contact_methods,
    "DeleteContactMethod": contact_methods.delete_contact_method,
    "SendContactMethodVerification": contact_methods.send_contact_method_verification,
    "GetOperation": operations.get_operation,
    "GetOperations": operations.get_operations,
    "GetOperationsForResource": operations.get_operations_for_resource,
    "TagResource": tags.tag_resource,
    "UntagResource": tags.untag_resource,
    "PutAlarm": alarms.put_alarm,
    "GetAlarms": alarms.get_alarms,
    "DeleteAlarm": alarms.delete_alarm,
    "TestAlarm": alarms.test_alarm,
    "GetInstanceMetricData": metric_data.get_instance_metric_data,
    "GetLoadBalancerMetricData": metric_data.get_load_balancer_metric_data,
    "GetRelationalDatabaseMetricData": metric_data.get_relational_database_metric_data,
}

LSNOTIFY_OPERATIONS: Mapping[str, Handler] = {
    "PutMetricData": metrics.put_metric_data,
}
