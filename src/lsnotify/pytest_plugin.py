"""The pytest plugin (entry point ``lsnotify``): fixtures serving Lightsail in-process for a user's own tests.

``lightsail_mock`` is an active ``mock_lightsail`` for the test; ``lightsail_client`` a boto3 Lightsail client served
by it; ``lightsail_messages`` a function returning the messages it captured. Loaded by every pytest run where
lsnotify is installed, so it imports lsnotify.testing (and botocore) only when a fixture is used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from lsnotify.testing import MockLightsail


@pytest.fixture
def lightsail_mock() -> Iterator[MockLightsail]:
    """A fresh in-process Lightsail, active for the test (override this fixture to pass settings or a clock)."""
    from lsnotify.testing import mock_lightsail

    with mock_lightsail() as mock:
        yield mock


@pytest.fixture
def lightsail_client(lightsail_mock: MockLightsail) -> Any:
    """``boto3.client("lightsail")``, served by ``lightsail_mock`` (region: ``AWS_DEFAULT_REGION``, else us-east-1)."""
    import boto3

    return boto3.client("lightsail")


@pytest.fixture
def lightsail_messages(lightsail_mock: MockLightsail) -> Callable[[], list[dict[str, Any]]]:
    """Call it to get the messages sent so far (verification emails…), oldest first, in the dev inbox's shape."""
    return lightsail_mock.messages
