"""In-process Lightsail for users' own test suites: ``mock_lightsail`` (no network), ``ThreadedServer`` (a real
server in a thread), and pytest fixtures (``lsnotify.pytest_plugin``, registered as a pytest plugin).

Importing this module adds lsnotify's handlers to every botocore session created afterwards (they are idle while
no mock is active), so import it before creating clients.
"""

from __future__ import annotations

from lsnotify.testing.credentials import Credentials
from lsnotify.testing.mock import DEFAULT_ACCOUNT_ID, MockLightsail, current_mock, mock_lightsail
from lsnotify.testing.server import ThreadedServer

__all__ = ["DEFAULT_ACCOUNT_ID", "Credentials", "MockLightsail", "ThreadedServer", "current_mock", "mock_lightsail"]
