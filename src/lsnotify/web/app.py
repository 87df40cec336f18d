"""The application factory: composes the store, identity, service and pages into one ASGI app.

``FrontDoor`` sends API calls (a POST with ``X-Amz-Target``, or any POST to ``/``) straight to the pure-ASGI API
endpoint, keeping the hot path free of routing and middleware, and everything else to a small Starlette app of
pages, which also runs the lifespan: open the store, migrate (SQLite), first-start set-up, and close on shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from lsnotify.awsjson.model import lightsail_model, lightsail_regions, operation_names, target_prefix
from lsnotify.awsjson.serialize import ResponseSerializer
from lsnotify.awsjson.sigv4 import SigV4Verifier
from lsnotify.awsjson.validate import InputValidator
from lsnotify.clock import Clock, system_clock
from lsnotify.config import Settings
from lsnotify.delivery.providers import build_worker
from lsnotify.delivery.worker import Worker
from lsnotify.identity import (
    Authenticator,
    SecretBox,
    check_secret_key,
    issue_access_key,
    load_secret_key,
    write_credentials,
)
from lsnotify.service.alarms.evaluator import AlarmEvaluator
from lsnotify.service.deps import Rules, Services
from lsnotify.service.dispatch import OPERATIONS
from lsnotify.service.limits import Limits
from lsnotify.storage.base import Store
from lsnotify.storage.factory import create_store
from lsnotify.web.api import ApiEndpoint, ApiService
from lsnotify.web.inbox import AdminGuard, inbox_routes
from lsnotify.web.lsnotify_api import lsnotify_api_service
from lsnotify.web.metrics import Metrics
from lsnotify.web.throttle import TokenBuckets
from lsnotify.web.verify import verify_routes

log = logging.getLogger("lsnotify")

FIRST_START_REGION = "us-east-1"


class FrontDoor:
    def __init__(self, api: ASGIApp, pages: ASGIApp) -> None:
        self.api = api
        self.pages = pages

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._is_api_call(scope):
            await self.api(scope, receive, send)
        else:
            await self.pages(scope, receive, send)

    @staticmethod
    def _is_api_call(scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] != "POST":
            return False
        return scope["path"] == "/" or any(name == b"x-amz-target" for name, _ in scope["headers"])


def lightsail_api_service() -> ApiService:
    model = lightsail_model()
    served = list(OPERATIONS)
    return ApiService(
        prefix=target_prefix(),
        handlers=OPERATIONS,
        validator=InputValidator(model, served),
        serializer=ResponseSerializer((name, model.operation_model(name).output_shape) for name in served),
        modeled_operations=operation_names(),
    )


@dataclass
class Components:
    """What ``build_app`` assembled, for the embedding process and tests."""

    settings: Settings
    store: Store
    services: Services
    app: FrontDoor
    worker: Worker | None = None
    """The outbox worker, running inside the app's lifespan when ``settings.run_worker``."""
    metrics: Metrics | None = None
    evaluator: AlarmEvaluator | None = None
    """The alarm evaluator, running inside the app's lifespan when ``settings.evaluate_alarms``."""


def build_app(settings: Settings, *, store: Store | None = None, clock: Clock = system_clock) -> Components:
    store = store or create_store(settings)
    box = SecretBox(load_secret_key(settings.data_dir, settings.secret_key or None))
    rules = Rules(
        sms_regions=settings.sms_regions,
        sms_countries=settings.sms_countries,
        verification_ttl=settings.verification_ttl,
        metric_retention=settings.metric_retention,
        limits=Limits(
            verification_interval=settings.verification_interval,
            verifications_per_day=settings.verifications_per_day,
            test_alarm_interval=settings.test_alarm_interval,
            max_resources=settings.max_resources,
            max_alarms=settings.max_alarms,
        ),
    )
    services = Services(store=store, clock=clock, rules=rules, box=box)
    verifier = SigV4Verifier(
        service="lightsail", regions=lightsail_regions(), max_skew_seconds=settings.signature_max_skew
    )
    authenticator = Authenticator(store, box, verifier, clock, settings.key_cache_ttl)
    # -- delivery (issue 3): metrics, the outbox worker --
    metrics = Metrics(operation_names(), {settings.email_provider, settings.sms_provider})
    worker = build_worker(settings, store, box, clock, metrics.observe_delivery)
    api = ApiEndpoint(
        services=[lightsail_api_service(), lsnotify_api_service()],
        authenticator=authenticator,
        deps=services,
        max_body_bytes=settings.max_body_bytes,
        access_log=settings.access_log,
        observe=metrics.observe_request,
        throttle=TokenBuckets(settings.api_rate, settings.api_burst) if settings.api_rate else None,
    )

    # -- alarms (issue 4): the evaluator runs inside serve unless --no-evaluate-alarms
    evaluator = AlarmEvaluator(store, clock, settings.alarm_evaluation_interval, settings.metric_retention)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await store.open()
        try:
            await prepare_store(settings, store, box, clock)
            if settings.evaluate_alarms:
                evaluator.start()
            log.info("lsnotify is serving the Lightsail notifications API")
            async with _delivering(worker, settings.run_worker):
                yield
        finally:
            await evaluator.stop()
            await store.close()

    async def healthz(_: Request) -> JSONResponse:
        try:
            await store.ping()
        except Exception as exc:
            return JSONResponse({"status": "unavailable", "store": str(exc)}, status_code=503)
        return JSONResponse({"status": "ok"})

    routes = [
        Route("/healthz", healthz),
        # -- delivery (issue 3): verification pages, the dev inbox, metrics --
        *verify_routes(services),
        *inbox_routes(store, AdminGuard(settings.admin_token, settings.host)),
        metrics.route(store),
    ]
    pages = Starlette(routes=routes, lifespan=lifespan)
    return Components(settings, store, services, FrontDoor(api, pages), worker, metrics, evaluator)


@contextlib.asynccontextmanager
async def _delivering(worker: Worker, run: bool) -> AsyncIterator[None]:
    """Run ``worker`` for the duration (when ``run``), then let it finish its sends and close its connections."""
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop), name="lsnotify-outbox-worker") if run else None
    try:
        yield
    finally:
        stop.set()
        if task is not None:
            await task
        await worker.close()


async def prepare_store(settings: Settings, store: Store, box: SecretBox, clock: Clock) -> None:
    """Make an open store ready to serve: migrate it (on PostgreSQL under an advisory lock, so of several nodes
    starting together one applies each migration), give a new database its first account and key, and check that
    this process's secret key opens the secrets stored (every node must hold the same one). Running it again changes
    nothing: `serve` runs it before starting the server, to fail with one line, and the lifespan runs it again."""
    applied = await store.migrate()
    if applied and not await store.list_access_keys():
        await _first_start(settings, store, box, clock)
    await check_secret_key(store, box)  # postgres (issue 5)


async def _first_start(settings: Settings, store: Store, box: SecretBox, clock: Clock) -> None:
    """A new data directory gets one account and key, written as the ``[lsnotify]`` profile."""
    issued = await issue_access_key(store, box, None, clock())
    path = write_credentials(settings.data_dir, issued, FIRST_START_REGION)
    log.info(
        "first start: created account %s with access key %s; credentials in %s (profile [lsnotify])",
        issued.key.account_id,
        issued.key.access_key_id,
        path,
    )
