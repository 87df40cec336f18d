"""The alarm side of the ``lsnotify`` command: ``resources``, ``metrics``, ``alarms`` and ``evaluator``.

They work on the store directly, like ``keys``: run them on the machine (or against the database) of the server.
``--account-id`` may be left out when the data directory has a single account (the one made on first start).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from lsnotify.awsjson.lsnotify_model import API_VERSION, SERVICE_NAME, model_text
from lsnotify.awsjson.model import lightsail_regions
from lsnotify.cli import STORE_SETTINGS, _configure_logging, _print_json, _run_with_store, _settings, settings_options
from lsnotify.clock import system_clock
from lsnotify.config import Settings
from lsnotify.domain import Scope
from lsnotify.domain.alarms import RESOURCE_TYPES
from lsnotify.errors import LightsailError
from lsnotify.identity import SecretBox
from lsnotify.messages.formats import utc_minute
from lsnotify.service.alarms import resources as resource_rules
from lsnotify.service.alarms.evaluator import AlarmEvaluator
from lsnotify.service.alarms.metrics import ingest, to_epoch_seconds
from lsnotify.storage.base import Store, StoreError
from lsnotify.storage.factory import create_store

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

log = logging.getLogger("lsnotify")

EVALUATOR_SETTINGS = (*STORE_SETTINGS, "alarm_evaluation_interval", "metric_retention")


def _scoped_command(fn: F) -> F:
    """A store command with ``--account-id`` and ``--region``; ``fn`` gets (settings, account_id, region, ...)."""

    @click.option("--region", required=True, help="The Lightsail region, e.g. us-east-1.")
    @click.option("--account-id", help="The 12-digit account (default: the data directory's only account).")
    @settings_options(*STORE_SETTINGS)
    def wrapper(config_file: Path | None, **kwargs: Any) -> Any:
        flags = {name: kwargs.pop(name) for name in STORE_SETTINGS}
        if kwargs["region"] not in lightsail_regions():
            raise click.BadParameter(f"{kwargs['region']!r} is not a Lightsail region", param_hint="--region")
        return fn(_settings(config_file, flags), **kwargs)

    wrapper.__name__, wrapper.__doc__ = fn.__name__, fn.__doc__
    return wrapper  # type: ignore[return-value]


def _in_scope(
    settings: Settings, account_id: str | None, region: str, action: Callable[[Store, Scope], Awaitable[T]]
) -> T:
    """Run ``action`` in the scope of (the given or only account, ``region``); service errors become one line."""

    async def run(store: Store, box: SecretBox) -> T:
        accounts = sorted({key.account_id for key in await store.list_access_keys(account_id)})
        if account_id is not None and not accounts:
            raise click.ClickException(f"no account {account_id} in this data directory (see `lsnotify keys list`)")
        if account_id is None and len(accounts) != 1:
            raise click.ClickException(
                f"give --account-id: this data directory has {len(accounts)} accounts ({', '.join(accounts)})"
            )
        try:
            return await action(store, Scope(accounts[0], region))
        except LightsailError as exc:
            raise click.ClickException(exc.message) from None

    return _run_with_store(settings, run)


# -- resources --------------------------------------------------------------------------------------------------


@click.group()
def resources() -> None:
    """Register the instances, load balancers and databases that alarms watch."""


@resources.command("add")
@click.argument("name")
@click.option("--type", "resource_type", required=True, type=click.Choice(RESOURCE_TYPES), help="The resource type.")
@_scoped_command
def resources_add(settings: Settings, account_id: str | None, region: str, name: str, resource_type: str) -> None:
    """Register the resource NAME and print it as JSON."""

    async def add(store: Store, scope: Scope) -> dict[str, Any]:
        return resource_rules.resource_to_json(
            await resource_rules.add_resource(store, scope, resource_type, name, time.time())
        )

    _print_json(_in_scope(settings, account_id, region, add))


@resources.command("list")
@click.option("--account-id", help="Only this account's resources (with --region).")
@click.option("--region", help="Only this region's resources (with --account-id).")
@settings_options(*STORE_SETTINGS)
def resources_list(config_file: Path | None, account_id: str | None, region: str | None, **flags: Any) -> None:
    """List monitored resources as JSON: every scope's, or one account's in one region."""
    if (account_id is None) != (region is None):
        raise click.UsageError("give both --account-id and --region, or neither")
    scope = Scope(account_id, region) if account_id and region else None

    async def listing(store: Store, box: SecretBox) -> list[dict[str, Any]]:
        return [resource_rules.resource_to_json(resource) for resource in await store.list_resources(scope)]

    _print_json({"resources": _run_with_store(_settings(config_file, flags), listing)})


@resources.command("delete")
@click.argument("name")
@_scoped_command
def resources_delete(settings: Settings, account_id: str | None, region: str, name: str) -> None:
    """Delete the resource NAME with its metric data and its alarms."""

    async def delete(store: Store, scope: Scope) -> int:
        return await resource_rules.delete_resource(store, scope, name)

    alarms = _in_scope(settings, account_id, region, delete)
    click.echo(f"deleted {name} and its {alarms} alarm(s)")


# -- metrics ----------------------------------------------------------------------------------------------------


@click.group()
def metrics() -> None:
    """Send metric datapoints of monitored resources."""


@metrics.command("put")
@click.option("--resource-type", required=True, type=click.Choice(RESOURCE_TYPES), help="Registered on first use.")
@click.option("--resource-name", required=True, help="The resource's name.")
@click.option("--metric", "metric_name", required=True, help="The metric, one of the resource type's.")
@click.option("--value", required=True, type=float, help="The measured value, in the metric's unit.")
@click.option("--timestamp", help="When it was measured: ISO 8601 or epoch seconds (default: now).")
@_scoped_command
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

    _print_json(_in_scope(settings, account_id, region, put))


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


# -- alarms -----------------------------------------------------------------------------------------------------


@click.group()
def alarms() -> None:
    """Inspect alarms (create and change them with the Lightsail API: PutAlarm and friends)."""


@alarms.command("history")
@click.argument("name")
@click.option("--limit", default=20, show_default=True, help="How many state changes, newest first.")
@_scoped_command
def alarms_history(settings: Settings, account_id: str | None, region: str, name: str, limit: int) -> None:
    """Print the alarm NAME's state changes with their reasons, newest first, as JSON."""

    async def history(store: Store, scope: Scope) -> list[dict[str, Any]]:
        return [
            {
                "changedAt": change.changed_at,
                "oldState": change.old_state,
                "newState": change.new_state,
                "reason": change.reason,
                "datapoints": [{"period": utc_minute(start), "value": value} for start, value in change.datapoints],
                "notified": [{"protocol": protocol, "destination": to} for protocol, to in change.notified],
            }
            for change in await store.list_alarm_history(scope, name, limit)
        ]

    _print_json({"alarmName": name, "stateChanges": _in_scope(settings, account_id, region, history)})


# -- evaluator --------------------------------------------------------------------------------------------------


@click.command()
@settings_options(*EVALUATOR_SETTINGS)
def evaluator(config_file: Path | None, **flags: Any) -> None:
    """Evaluate alarms every ALARM_EVALUATION_INTERVAL seconds until SIGTERM or Ctrl-C (apart from serve)."""
    settings = _settings(config_file, flags)
    _configure_logging(settings.log_level)

    async def run() -> None:
        store = create_store(settings)
        await store.open()
        try:
            await store.migrate()
            stopping = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, stopping.set)
            evaluation = AlarmEvaluator(
                store, system_clock, settings.alarm_evaluation_interval, settings.metric_retention
            )
            evaluation.start()
            await stopping.wait()
            await evaluation.stop()
            log.info("alarm evaluator stopped")
        finally:
            await store.close()

    try:
        asyncio.run(run())
    except StoreError as exc:  # postgres (issue 5): an unreachable database is one line, not a traceback
        raise click.ClickException(str(exc)) from None
