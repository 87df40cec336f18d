"""The application factory: composes the store, identity, service and pages into one ASGI app.

``FrontDoor`` sends API calls (a POST with ``X-Amz-Target``, or any POST to ``/``) straight to the pure-ASGI API
endpoint, keeping the hot path free of routing and middleware, metric ingestion (CloudWatch's PutMetricData, OTLP's
``/v1/metrics``: ``web/ingest.py`` says which requests) to its endpoints, and everything else to a small Starlette
app of pages (verification, dev inbox, metrics, and the web console at ``GET /``), which also runs the lifespan: open
the store, prepare it (migrations, first-start set-up, the secret-key check) unless ``serve`` already has, run the
alarm evaluator and the outbox worker, and close on shutdown.
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

from lsnotify.awsjson.model import lightsail_regions
from lsnotify.clock import Clock, system_clock
from lsnotify.config import ConfigError, Settings
from lsnotify.delivery.providers import build_worker
from lsnotify.delivery.worker import Worker
from lsnotify.files import secure_data_dir
from lsnotify.identity import (
    SecretBox,
    authenticator_of,
    check_secret_key,
    issue_access_key,
    secret_box,
    write_credentials,
)
from lsnotify.service import Rules, Services
from lsnotify.service.alarms.evaluator import AlarmEvaluator
from lsnotify.service.alarms.metric_data import metric_points_retention
from lsnotify.service.alarms.scraper import Scraper, scraper_of
from lsnotify.service.limits import Limits
from lsnotify.storage.base import Store
from lsnotify.storage.factory import SQLITE_FILE, create_store, open_store
from lsnotify.web.admin_token import admin_token
from lsnotify.web.api import ApiEndpoint, api_services, modeled_operations
from lsnotify.web.console.routes import console_routes
from lsnotify.web.inbox import AdminGuard, inbox_routes
from lsnotify.web.ingest import IngestRouter
from lsnotify.web.ingest_wiring import ingest_router
from lsnotify.web.loop_watch import LoopWatch
from lsnotify.web.metrics import Metrics
from lsnotify.web.throttle import TokenBuckets
from lsnotify.web.verify import verify_routes

log = logging.getLogger("lsnotify")

FIRST_START_REGION = "us-east-1"


class FrontDoor:
    def __init__(self, api: ASGIApp, pages: ASGIApp, ingest: IngestRouter | None = None) -> None:
        self.api = api
        self.pages = pages
        self.ingest = ingest

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.ingest is not None and (endpoint := self.ingest.route(scope)) is not None:
            await endpoint(scope, receive, send)
        elif self._is_api_call(scope):
            await self.api(scope, receive, send)
        else:
            await self.pages(scope, receive, send)

    @staticmethod
    def _is_api_call(scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] != "POST":
            return False
        return scope["path"] == "/" or any(name == b"x-amz-target" for name, _ in scope["headers"])


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
    scraper: Scraper | None = None
    """The node_exporter scraper, running inside the app's lifespan when ``settings.run_scraper``."""


def build_app(
    settings: Settings, *, store: Store | None = None, clock: Clock = system_clock, prepared: bool = False
) -> Components:
    """Compose the app. Its lifespan opens the store and, unless the caller has already made it ready with
    ``prepare_store`` (``prepared``: ``serve`` does, before the server starts, so that a failure is one line),
    prepares it."""
    box = secret_box(settings)
    # Before the store is opened: the data directory 0700, its files 0600, the SQLite file made 0600 before SQLite
    # creates it (its -wal and -shm files take its mode).
    secure_data_dir(settings.data_dir, create=() if settings.database_url or store else (SQLITE_FILE,))
    store = store or create_store(settings)
    # The region names come from the Lightsail model, which the settings (a leaf) do not load.
    if unknown := settings.sms_regions - lightsail_regions():
        raise ConfigError(f"sms_regions: {', '.join(sorted(unknown))} not Lightsail region(s)")
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
        metric_points=metric_points_retention(settings),
    )
    services = Services(store=store, clock=clock, rules=rules, box=box)
    authenticator = authenticator_of(settings, store, box, clock, "lightsail")
    # -- delivery: metrics, the outbox worker --
    served = api_services()
    metrics = Metrics(modeled_operations(served), {settings.email_provider, settings.sms_provider})
    worker = build_worker(settings, store, box, clock, metrics.observe_delivery)
    loop_watch = LoopWatch()
    metrics.registry.register(loop_watch)
    # One bucket per key whatever it calls: the Lightsail API and metric ingestion alike.
    throttle = TokenBuckets(settings.api_rate, settings.api_burst) if settings.api_rate else None
    api = ApiEndpoint(
        services=served,
        authenticator=authenticator,
        deps=services,
        max_body_bytes=settings.max_body_bytes,
        body_timeout=settings.body_timeout,
        access_log=settings.access_log,
        observe=metrics.observe_request,
        loop_watch=loop_watch,
        throttle=throttle,
    )

    # -- alarms: the evaluator runs inside serve unless --no-evaluate-alarms
    evaluator = AlarmEvaluator(
        store, clock, settings.alarm_evaluation_interval, settings.metric_retention, rules.metric_points
    )
    scraper = scraper_of(settings, store, clock)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with open_store(settings, migrate=False, store=store):
            try:
                if not prepared:
                    await prepare_store(settings, store, box, clock)
                if settings.evaluate_alarms:
                    evaluator.start()
                if settings.run_scraper:
                    scraper.start()
                log.info("lsnotify is serving the Lightsail notifications API")
                async with loop_watch.watching(), _delivering(worker, settings.run_worker):
                    yield
            finally:
                await evaluator.stop()
                await scraper.stop()

    async def healthz(_: Request) -> JSONResponse:
        try:
            await store.ping()
        except Exception as exc:  # its text may name hosts, users and paths: for the log, not for every caller
            log.warning("/healthz: the store does not answer: %s", exc)
            return JSONResponse({"status": "unavailable", "failed": "store"}, status_code=503)
        return JSONResponse({"status": "ok"})

    routes = [
        Route("/healthz", healthz),
        # -- delivery: verification pages, the dev inbox, metrics --
        *verify_routes(services),
        *inbox_routes(store, AdminGuard(admin_token(settings), settings.host, settings.effective_public_url)),
        metrics.route(store),
        *console_routes(services, secure_cookie=settings.effective_public_url.startswith("https://")),
    ]
    pages = Starlette(routes=routes, lifespan=lifespan)
    ingest = ingest_router(settings, services, box, clock, metrics.registry, throttle)
    return Components(settings, store, services, FrontDoor(api, pages, ingest), worker, metrics, evaluator, scraper)


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
    nothing."""
    applied = await store.migrate()
    if applied and not await store.list_access_keys():
        await _first_start(settings, store, box, clock)
    await check_secret_key(store, box)


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
