"""``lsnotify metrics``: store a monitored resource's metric datapoint as ``PutMetricData`` would (``put``), and
write lsnotify's service model for botocore (``model``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from lsnotify.awsjson.lsnotify_model import API_VERSION, SERVICE_NAME, model_text
from lsnotify.cli.common import print_json
from lsnotify.cli.scope import in_scope, scoped_command
from lsnotify.config import Settings
from lsnotify.domain import Scope
from lsnotify.domain.alarms import RESOURCE_TYPES
from lsnotify.service.alarms.metrics import ingest, to_epoch_seconds
from lsnotify.storage.base import Store


@click.group()
def metrics() -> None:
    """Send metric datapoints of monitored resources."""


@metrics.command("put")
@click.option("--resource-type", required=True, type=click.Choice(RESOURCE_TYPES), help="Registered on first use.")
@click.option("--resource-name", required=True, help="The resource's name.")
@click.option("--metric", "metric_name", required=True, help="The metric, one of the resource type's.")
@click.option("--value", required=True, type=float, help="The measured value, in the metric's unit.")
@click.option("--timestamp", help="When it was measured: ISO 8601 or epoch seconds (default: now).")
@scoped_command
def metrics_put(
    settings: Settings,
    account_id: str | None,
    region: str,
    resource_type: str,
    resource_name: str,
    metric_name: str,
    value: float,
    timestamp: str | None,
) -> None:
    """Store one datapoint (as PutMetricData does) and print the result as JSON."""
    now = time.time()
    try:
        when = now if timestamp is None else to_epoch_seconds(float(timestamp) if _is_number(timestamp) else timestamp)
    except ValueError:
        raise click.BadParameter(f"{timestamp!r} is not ISO 8601 or epoch seconds", param_hint="--timestamp") from None

    async def put(store: Store, scope: Scope) -> dict[str, Any]:
        resource = await ingest(
            store, scope, resource_type, resource_name, metric_name, [(when, value)], now, settings.metric_retention
        )
        return {"resourceArn": resource.arn, "datapointsAccepted": 1}

    print_json(in_scope(settings, account_id, region, put))


@metrics.command("model")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def metrics_model(directory: Path) -> None:
    """Write lsnotify's service model under DIRECTORY for botocore: then AWS_DATA_PATH=DIRECTORY gives boto3 and the
    AWS CLI an ``lsnotify`` client (PutMetricData)."""
    target = directory / SERVICE_NAME / API_VERSION / "service-2.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(model_text())
    click.echo(str(target))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
