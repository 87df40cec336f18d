"""``mock_lightsail``: the Lightsail notifications API served in-process to every botocore client, as moto does.

While a mock is active, every botocore Lightsail client (boto3's included, with or without ``endpoint_url``) is
answered by a real lsnotify app — SigV4 verification, validation, business rules, store — running on its own event
loop in a background thread, with a fresh SQLite store in a temporary directory. No socket is opened. Fake
credentials are set in the environment while it is active and the previous values restored afterwards.
``boto3.DEFAULT_SESSION`` is set aside while it is active, so ``boto3.client(...)`` picks up both, and put back after.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
import tempfile
import threading
import unittest
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, Self, TypeVar, overload

from lsnotify.clock import Clock, system_clock
from lsnotify.config import Settings, without_limits
from lsnotify.domain import Scope
from lsnotify.service.alarms.metrics import ingest
from lsnotify.storage.base import MessageFilter
from lsnotify.testing import intercept
from lsnotify.testing.app_thread import AppThread
from lsnotify.testing.asgi import asgi_request
from lsnotify.testing.credentials import Credentials
from lsnotify.testing.host import AppHost
from lsnotify.web.app import Components
from lsnotify.web.inbox import message_to_json

T = TypeVar("T")

DEFAULT_ACCOUNT_ID = "123456789012"
"""The account every key a mock accepts belongs to (moto's default account)."""
DEFAULT_REGION = "us-east-1"
"""Set as ``AWS_DEFAULT_REGION`` while a mock is active, unless that variable is already set."""
REQUEST_TIMEOUT = 60.0

# Variables that would make clients sign differently from the mock's credentials, or fail to find a profile.
_CLEARED_ENV = ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE")
_ATTRIBUTE = "_lsnotify_mock"


class MockLightsail(AppHost):
    """One in-process Lightsail: ``start()``/``stop()``, a context manager, or a decorator of functions and classes.

    ``settings`` chooses business rules (SMS regions, verification lifetime…); its data directory and database are
    always replaced by a fresh temporary SQLite store. ``clock`` moves the app's time (``lsnotify.clock``).
    ``credentials`` is the key set in the environment while the mock is active.
    The server's limits (verification resends, hourly caps, TestAlarm's pace, SMS countries, resource and alarm
    caps, API rate) are off, so a test suite may send as it likes; ``limits=True`` keeps those of ``settings``.
    """

    noun = "mock"

    def __init__(
        self,
        *,
        settings: Settings | None = None,
        clock: Clock = system_clock,
        account_id: str = DEFAULT_ACCOUNT_ID,
        limits: bool = False,
    ) -> None:
        super().__init__()
        self._config: dict[str, Any] = {
            "settings": settings,
            "clock": clock,
            "account_id": account_id,
            "limits": limits,
        }
        self.account_id = account_id
        self._data_dir: tempfile.TemporaryDirectory[str] | None = None
        self._saved_env: dict[str, str | None] = {}
        self._saved_session: Any = None
        self._known_keys: dict[str, str] = {}
        self._keys_lock = threading.Lock()

    # -- lifecycle ------------------------------------------------------------------------------------------------
    def start(self) -> Self:
        if self._app is not None:
            raise RuntimeError("this mock_lightsail is already started")
        data_dir = tempfile.TemporaryDirectory(prefix="lsnotify-mock-")
        base: Settings = self._config["settings"] or Settings(access_log=False)
        if not self._config["limits"]:
            base = without_limits(base)
        # A mock never sends real mail or SMS; it delivers when a test reads its messages and evaluates alarms when
        # a test asks (see ``messages`` and ``evaluate_alarms``), so nothing happens behind a test's back.
        settings = replace(
            base,
            data_dir=Path(data_dir.name),
            database_url="",
            email_provider="capture",
            sms_provider="capture",
            run_worker=False,
            evaluate_alarms=False,
            run_scraper=False,
        )
        try:
            app = AppThread(settings, clock=self._config["clock"], name="lsnotify-mock")
            app.start()
            try:
                self._credentials = app.run(app.issue_key(self.account_id), timeout=REQUEST_TIMEOUT)
            except BaseException:
                app.stop()
                raise
        except BaseException:
            data_dir.cleanup()
            raise
        self._app, self._data_dir = app, data_dir
        self._known_keys = {self._credentials.access_key_id: self._credentials.secret_access_key}
        self._set_env(self._credentials)
        self._saved_session = _swap_boto3_session(None)
        intercept.activate(self)
        return self

    def stop(self) -> None:
        app, data_dir = self._app, self._data_dir
        if app is None or data_dir is None:
            return
        intercept.deactivate(self)
        self._restore_env()
        _swap_boto3_session(self._saved_session)
        self._saved_session = None
        self._app = self._data_dir = None
        try:
            app.stop()
        finally:
            data_dir.cleanup()

    # -- what a test reads ----------------------------------------------------------------------------------------
    def messages(self) -> list[dict[str, Any]]:
        """Every message the API has sent (verification emails, notifications), oldest first, as the dev inbox
        shows them. The mock runs no background worker: reading first delivers everything queued, so a test sees
        its messages at once and never waits for a poll."""
        app = self._running_app()
        return app.run(_deliver_then_read(app.components), timeout=REQUEST_TIMEOUT)

    def put_metric_data(
        self,
        resource_type: str,
        resource_name: str,
        metric_name: str,
        value: float,
        *,
        timestamp: float | None = None,
        region: str = DEFAULT_REGION,
    ) -> None:
        """Record one datapoint for the mock's account, as ``lsnotify metrics put`` does (the resource is registered
        on first use)."""
        app = self._running_app()
        services = app.components.services
        now = services.clock()
        scope = Scope(self.account_id, region)
        points = [(now if timestamp is None else timestamp, value)]
        app.run(
            ingest(services.store, scope, resource_type, resource_name, metric_name, points, now,
                   services.rules.metric_retention),
            timeout=REQUEST_TIMEOUT,
        )  # fmt: skip

    def evaluate_alarms(self) -> int:
        """Evaluate every alarm now, as the evaluator does every period; return how many changed state."""
        app = self._running_app()
        evaluator = app.components.evaluator
        assert evaluator is not None
        changed: int = app.run(evaluator.run_once(app.components.services.clock()), timeout=REQUEST_TIMEOUT)
        return changed

    # -- what intercept calls -------------------------------------------------------------------------------------
    def handle(self, method: str, url: str, headers: list[tuple[bytes, bytes]], body: bytes) -> intercept.Answer:
        app = self._running_app()
        return app.run(asgi_request(app.components.app, method, url, headers, body), timeout=REQUEST_TIMEOUT)

    def accept_credentials(self, access_key_id: str, secret_access_key: str) -> None:
        """Make the client's key pair a key of the mock's account, the first time it is seen."""
        with self._keys_lock:
            if access_key_id in self._known_keys:
                return  # a different secret for a known key id is left to fail verification, as it should
            app = self._running_app()
            app.run(app.issue_key(self.account_id, access_key_id, secret_access_key), timeout=REQUEST_TIMEOUT)
            self._known_keys[access_key_id] = secret_access_key

    # -- decorating -----------------------------------------------------------------------------------------------
    def __call__(self, target: T) -> T:
        """Decorate a function (each call runs in a fresh mock) or a class (each test does)."""
        if inspect.isclass(target):
            return _decorate_class(target, self._fresh)  # type: ignore[return-value]
        if not callable(target):
            raise TypeError(f"mock_lightsail decorates functions and classes, not {target!r}")
        return _decorate_function(target, self._fresh)  # type: ignore[return-value]

    def _fresh(self) -> MockLightsail:
        return MockLightsail(**self._config)

    def _set_env(self, credentials: Credentials) -> None:
        changes: dict[str, str | None] = {**credentials.env(), **dict.fromkeys(_CLEARED_ENV)}
        if not os.environ.get("AWS_DEFAULT_REGION"):
            changes["AWS_DEFAULT_REGION"] = DEFAULT_REGION
        self._saved_env = {name: os.environ.get(name) for name in changes}
        _apply_env(changes)

    def _restore_env(self) -> None:
        _apply_env(self._saved_env)
        self._saved_env = {}


@overload
def mock_lightsail(target: T, /) -> T: ...


@overload
def mock_lightsail(
    *,
    settings: Settings | None = None,
    clock: Clock = system_clock,
    account_id: str = DEFAULT_ACCOUNT_ID,
    limits: bool = False,
) -> MockLightsail: ...


def mock_lightsail(target: Any = None, /, **config: Any) -> Any:
    """Use as ``@mock_lightsail``, ``@mock_lightsail(...)``, ``with mock_lightsail() as mock:`` or ``.start()``."""
    mock = MockLightsail(**config)
    return mock if target is None else mock(target)


def current_mock() -> MockLightsail:
    """The innermost active mock: what a decorated test calls to read ``messages()``."""
    target = intercept.current()
    if not isinstance(target, MockLightsail):
        raise RuntimeError("no mock_lightsail is active")
    return target


def _apply_env(values: dict[str, str | None]) -> None:
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def _swap_boto3_session(session: Any) -> Any:
    """Make ``session`` boto3's default session (None: the next ``boto3.client`` makes one); return the previous."""
    boto3: Any = sys.modules.get("boto3")  # not imported yet: its first session will have the handlers anyway
    if boto3 is None:
        return None
    previous = boto3.DEFAULT_SESSION
    boto3.DEFAULT_SESSION = session
    return previous


def _decorate_function(func: Callable[..., Any], fresh: Callable[[], MockLightsail]) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def run_async(*args: Any, **kwargs: Any) -> Any:
            with fresh():
                return await func(*args, **kwargs)

        return run_async

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        with fresh():
            return func(*args, **kwargs)

    return run


def _decorate_class(cls: type[Any], fresh: Callable[[], MockLightsail]) -> type[Any]:
    """Each test gets a fresh mock, active from its set-up to its tear-down.

    unittest: the mock starts before ``setUp`` and stops in a cleanup (after ``tearDown``). pytest classes: before
    ``setup_method`` and after ``teardown_method`` (both added when the class has none).
    """
    if issubclass(cls, unittest.TestCase):
        original_set_up = cls.setUp

        @functools.wraps(original_set_up)
        def set_up(self: unittest.TestCase) -> None:
            mock = fresh().start()
            self.addCleanup(mock.stop)
            original_set_up(self)

        cls.setUp = set_up  # type: ignore[method-assign]
        return cls

    original_setup = getattr(cls, "setup_method", None)
    original_teardown = getattr(cls, "teardown_method", None)

    def setup_method(self: Any, method: Any = None) -> None:
        mock = fresh().start()
        setattr(self, _ATTRIBUTE, mock)
        try:
            if original_setup is not None:
                _call_optional(original_setup, self, method)
        except BaseException:
            mock.stop()
            raise

    def teardown_method(self: Any, method: Any = None) -> None:
        try:
            if original_teardown is not None:
                _call_optional(original_teardown, self, method)
        finally:
            mock = getattr(self, _ATTRIBUTE, None)
            if mock is not None:
                mock.stop()

    cls.setup_method = setup_method
    cls.teardown_method = teardown_method
    return cls


def _call_optional(func: Callable[..., Any], self: Any, method: Any) -> None:
    """Call an xunit-style method as pytest does: with the test method only if it takes an argument."""
    if len(inspect.signature(func).parameters) > 1:
        func(self, method)
    else:
        func(self)


async def _deliver_then_read(components: Components) -> list[dict[str, Any]]:
    if components.worker is not None:
        while await components.worker.run_once():
            pass
    return [message_to_json(m) for m in await components.store.list_captured_messages(MessageFilter())]
