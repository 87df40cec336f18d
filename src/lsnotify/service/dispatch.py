"""The one table from Lightsail operation name to handler. A unit test checks every name against the model."""

from __future__ import annotations

from collections.abc import Mapping

from lsnotify.service import contact_methods, operations, tags
from lsnotify.service.alarms import api as alarms
from lsnotify.service.alarms import metrics
from lsnotify.service.deps import Handler

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
    # -- alarms (issue 4)
    "PutAlarm": alarms.put_alarm,
    "GetAlarms": alarms.get_alarms,
    "DeleteAlarm": alarms.delete_alarm,
    "TestAlarm": alarms.test_alarm,
}

# lsnotify's own operations (target prefix LsNotify_20261127, model awsjson/lsnotify-2026-11-27.json).
LSNOTIFY_OPERATIONS: Mapping[str, Handler] = {
    "PutMetricData": metrics.put_metric_data,
}
