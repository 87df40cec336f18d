"""Tried as a user would: a suite of its own (tests/user_suite, and the README's example) run by pytest in another
process, with no server and no AWS.

It is copied to a fresh project directory, so nothing of lsnotify's own tests (conftest, rootdir) takes part, and
run with every AWS variable removed and an empty home directory (no ~/.aws). The fixtures come from the plugin's
entry point, or from ``-p lsnotify.pytest_plugin`` with or without plugin autoloading.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# Each case runs pytest in another process.
pytestmark = pytest.mark.process

ROOT = Path(__file__).resolve().parents[2]
USER_SUITE = ROOT / "tests" / "user_suite"
EXPECTED = {
    "test_notifications.py::test_new_address_is_pending_until_verified",
    "test_notifications.py::test_changing_the_address_replaces_the_contact_method",
    "test_notifications.py::test_with_the_fixtures",
    "test_notifications.py::test_as_a_context_manager",
    "test_notifications.py::TestEveryTestGetsAFreshLightsail::test_one",
    "test_notifications.py::TestEveryTestGetsAFreshLightsail::test_two",
    "test_alerts.py::test_subscribe_sends_a_verification_email",
    "test_alerts.py::test_with_the_pytest_fixtures",
}


FIXTURE_TEST = {"test_notifications.py::test_with_the_fixtures", "test_alerts.py::test_with_the_pytest_fixtures"}


def readme_example() -> str:
    """The README's example test file, exactly as printed there."""
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"<!-- testing:example -->\n```python\n(.*?)```", readme, re.S)
    assert match, "README has no block after <!-- testing:example -->"
    return match.group(1)


@pytest.mark.parametrize(
    ("pytest_args", "autoload", "expected"),
    [
        ((), True, EXPECTED),
        # Naming the plugin as well as having it by entry point must not register it twice.
        (("-p", "lsnotify.pytest_plugin", "-k", "fixtures"), True, FIXTURE_TEST),
        (("-p", "lsnotify.pytest_plugin", "-k", "fixtures"), False, FIXTURE_TEST),
    ],
    ids=["entry-point", "entry-point-and-p", "p-without-autoload"],
)
def test_a_users_suite_passes_with_no_server_and_no_aws_credentials(
    tmp_path: Path, pytest_args: tuple[str, ...], autoload: bool, expected: set[str]
) -> None:
    project = tmp_path / "project"
    shutil.copytree(USER_SUITE, project / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    (project / "tests" / "test_alerts.py").write_text(readme_example())
    home = tmp_path / "home"
    home.mkdir()
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "PYTEST_", "LSNOTIFY_")) and name != "PYTHONPATH"
    }
    env["HOME"] = str(home)
    if not autoload:
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", *pytest_args, "tests"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    passed = set(re.findall(r"^tests/(\S+) PASSED", result.stdout, re.MULTILINE))
    assert passed == expected, output
