"""The alarm side of the ``lsnotify`` command: ``resources``, ``alarms`` and ``evaluator``.

They work on the store directly, like ``keys``: run them on the machine (or against the database) of the server.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

import click

from lsnotify.cli.common import (
    STORE_SETTINGS,
    command_settings,
    print_json,
    run_until_stopped,
    run_with_store,
    settings_options,
)
from lsnotify.cli.scope import in_scope, scoped_command
from lsnotify.clock import system_clock
from lsnotify.config import Settings
from lsnotify.domain import Scope
from lsnotify.domain.alarms import RESOURCE_TYPES, MonitoredResource
from lsnotify.domain.scrape import ScrapeTarget
from lsnotify.identity import SecretBox
from lsnotify.messages.formats import utc_minute
from lsnotify.service.alarms import resources as resource_rules
from lsnotify.service.alarms import scrape_targets
from lsnotify.service.alarms.evaluator import AlarmEvaluator
from lsnotify.service.alarms.metric_data import metric_points_retention
from lsnotify.storage.base import Store

log = logging.getLogger("lsnotify")

EVALUATOR_SETTINGS = (
    *STORE_SETTINGS,
    "alarm_evaluation_interval",
    "metric_retention",
    "minute_metric_retention",
    "five_minute_metric_retention",
    "hour_metric_retention",
)


# -- resources --------------------------------------------------------------------------------------------------


@click.group()
def resources() -> None:
    """Register the instances, load balancers and databases that alarms watch."""


@resources.command("add")
@click.argument("name")
@click.option("--type", "resource_type", required=True, type=click.Choice(RESOURCE_TYPES), help="The resource type.")
@click.option(
    "--scrape", "scrape_url", metavar="URL", help="An Instance's node_exporter, e.g. http://10.0.0.5:9100/metrics."
)
@scoped_command
def resources_add(
    settings: Settings, account_id: str | None, region: str, name: str, resource_type: str, scrape_url: str | None
) -> None:
    """Register the resource NAME and print it as JSON; with --scrape, watch it through its node_exporter."""

    async def add(store: Store, scope: Scope) -> dict[str, Any]:
        now = time.time()
        if scrape_url is not None:  # checked before anything is registered
            scrape_targets.check_scrape_url(scrape_url)
            scrape_targets.check_scrapable(resource_type, name)
        resource = await resource_rules.add_resource(store, scope, resource_type, name, now)
        target = None
        if scrape_url is not None:
            target = await scrape_targets.set_scrape_target(store, scope, name, scrape_url, now)
        return _resource_json(resource, target)

    print_json(in_scope(settings, account_id, region, add))


@resources.command("set-scrape")
@click.argument("name")
@click.option("--scrape", "url", metavar="URL", help="Scrape the node_exporter at URL from now on.")
@click.option("--no-scrape", is_flag=True, help="Stop scraping.")
@scoped_command
def resources_set_scrape(
    settings: Settings, account_id: str | None, region: str, name: str, url: str | None, no_scrape: bool
) -> None:
    """Watch the Instance NAME through the node_exporter at URL (--scrape URL), or stop (--no-scrape)."""
    if (url is None) != no_scrape:
        raise click.UsageError("give --scrape URL or --no-scrape")

    async def change(store: Store, scope: Scope) -> dict[str, Any]:
        if url is None:
            await scrape_targets.remove_scrape_target(store, scope, name)
            return {"name": name, "scrape": None}
        target = await scrape_targets.set_scrape_target(store, scope, name, url, time.time())
        return {"name": name, "scrape": scrape_targets.target_to_json(target)}

    print_json(in_scope(settings, account_id, region, change))


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
        targets = {(t.account_id, t.region, t.resource_name): t for t in await store.list_scrape_targets(scope)}
        return [
            _resource_json(resource, targets.get((resource.account_id, resource.region, resource.name)))
            for resource in await store.list_resources(scope)
        ]

    print_json({"resources": run_with_store(command_settings(config_file, flags), listing)})


@resources.command("delete")
@click.argument("name")
@scoped_command
def resources_delete(settings: Settings, account_id: str | None, region: str, name: str) -> None:
    """Delete the resource NAME with its metric data and its alarms."""

    async def delete(store: Store, scope: Scope) -> int:
        return await resource_rules.delete_resource(store, scope, name)

    alarms = in_scope(settings, account_id, region, delete)
    click.echo(f"deleted {name} and its {alarms} alarm(s)")


def _resource_json(resource: MonitoredResource, target: ScrapeTarget | None) -> dict[str, Any]:
    """A resource as the ``resources`` commands print it: with its scrape target, if any."""
    scrape = None if target is None else scrape_targets.target_to_json(target)
    return {**resource_rules.resource_to_json(resource), "scrape": scrape}


# -- alarms -----------------------------------------------------------------------------------------------------


@click.group()
def alarms() -> None:
    """Inspect alarms (create and change them with the Lightsail API: PutAlarm and friends)."""


@alarms.command("history")
@click.argument("name")
@click.option("--limit", default=20, show_default=True, help="How many state changes, newest first.")
@scoped_command
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

    print_json({"alarmName": name, "stateChanges": in_scope(settings, account_id, region, history)})


# -- evaluator --------------------------------------------------------------------------------------------------


@click.command()
@settings_options(*EVALUATOR_SETTINGS)
def evaluator(config_file: Path | None, **flags: Any) -> None:
    """Evaluate alarms every ALARM_EVALUATION_INTERVAL seconds until SIGTERM or Ctrl-C (apart from serve)."""
    settings = command_settings(config_file, flags)

    async def evaluate(store: Store, stop: asyncio.Event) -> None:
        evaluation = AlarmEvaluator(
            store,
            system_clock,
            settings.alarm_evaluation_interval,
            settings.metric_retention,
            metric_points_retention(settings),
        )
        evaluation.start()
        await stop.wait()
        await evaluation.stop()
        log.info("alarm evaluator stopped")

    run_until_stopped(settings, evaluate)
