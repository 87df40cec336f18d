"""The AWS SDK for JavaScript v3 against a real server: runs ``node --test tests/js`` as a subprocess.

The session's `lsnotify serve` and a fresh account are handed to Node through the variables every AWS SDK reads
(``AWS_ENDPOINT_URL_LIGHTSAIL``, ``AWS_ACCESS_KEY_ID``, ...), so this file is the one place that starts the server
for the JavaScript tests. ``make test`` installs their npm packages first (``npm ci`` in tests/js).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from harness import Account, ServerProcess

JS_DIR = Path(__file__).resolve().parents[1] / "js"
NODE_TIMEOUT = 600


def node_environment(server: ServerProcess, account: Account) -> dict[str, str]:
    # Nothing of the developer's own AWS set-up may leak in: no profile, no config file, no other endpoint.
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID=account.access_key_id,
        AWS_SECRET_ACCESS_KEY=account.secret_access_key,
        AWS_REGION="us-east-1",
        AWS_ENDPOINT_URL_LIGHTSAIL=server.url,
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        LSNOTIFY_TEST_ACCOUNT_ID=account.account_id,
    )
    return env


@pytest.mark.slow
def test_javascript_sdk_suite(server: ServerProcess, account: Account) -> None:
    node = shutil.which("node")
    assert node is not None, "Node.js is needed for tests/js (.ci/run installs Debian's nodejs and npm)"
    assert (JS_DIR / "node_modules" / "@aws-sdk" / "client-lightsail").is_dir(), (
        "tests/js has no node_modules: run `make test`, or `npm ci` in tests/js"
    )
    result = subprocess.run(
        [node, "--test", "--test-reporter=spec", "."],
        cwd=JS_DIR,
        env=node_environment(server, account),
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT,
    )
    report = f"{result.stdout}\n{result.stderr}"
    assert result.returncode == 0, f"node --test failed:\n{report}\n--- server log ---\n{server.log()[-3000:]}"
    # The spec reporter's summary: every test found must have run and passed; none skipped or left to do.
    summary = {name: int(count) for name, count in re.findall(r"^ℹ (\w+) (\d+)$", result.stdout, re.MULTILINE)}
    assert summary.get("tests", 0) > 0 and summary.get("pass") == summary["tests"], report
    assert summary.get("skipped") == 0 and summary.get("todo") == 0, report
