"""Alarm records for tests that work below the API (store contract, evaluator, rendering)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from lsnotify.domain import new_id
from lsnotify.domain.alarms import ALARM, OK, Alarm, MonitoredResource
from lsnotify.domain.contacts import EMAIL


def new_alarm(name: str, on: MonitoredResource, **changes: Any) -> Alarm:
    """A CPU alarm on ``on``: 2 of 3 periods >= 80, missing data missing, Email on ALARM and OK; ``changes`` apply."""
    alarm = Alarm(
        account_id=on.account_id,
        region=on.region,
        name=name,
        id=new_id(),
        created_at=on.created_at,
        resource=on,
        metric_name="CPUUtilization",
        comparison_operator="GreaterThanOrEqualToThreshold",
        threshold=80.0,
        evaluation_periods=3,
        datapoints_to_alarm=2,
        treat_missing_data="missing",
        contact_protocols=(EMAIL,),
        notification_triggers=(ALARM, OK),
        notification_enabled=True,
        state_changed_at=on.created_at,
    )
    return replace(alarm, **changes)
