"""``AppHost``: what ``MockLightsail`` and ``ThreadedServer`` share — an ``AppThread`` they start and stop (a ``with``
block does both) and the access key a test signs with while it runs."""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType
from typing import ClassVar, Self

from lsnotify.testing.app_thread import AppThread
from lsnotify.testing.credentials import Credentials


class AppHost(ABC):
    noun: ClassVar[str]
    """What the host's errors call it: ``mock``, ``server``."""

    def __init__(self) -> None:
        self._app: AppThread | None = None
        self._credentials: Credentials | None = None

    @abstractmethod
    def start(self) -> Self:
        """Start the app (and whatever the host adds around it); return the host."""

    @abstractmethod
    def stop(self) -> None:
        """Stop what ``start`` started; safe to call when stopped."""

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def credentials(self) -> Credentials:
        """The access key the host set up when it started (each host says whose)."""
        if self._credentials is None:
            raise RuntimeError(f"start the {self.noun} first")
        return self._credentials

    def _running_app(self) -> AppThread:
        if self._app is None:
            raise RuntimeError(f"this {self.noun} is not running")
        return self._app
