"""The README's "Running several nodes" example, run as written: two `serve` nodes and a worker on one PostgreSQL.

Only the database URL (a fresh database on the test server instead of the example's) and the ports differ.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness import free_port
from postgres_server import create_database, drop_database, fresh_name, run_sync, server_url
from readme import block

EXAMPLE_URL = "postgresql://lsnotify:change-me@127.0.0.1:5432/lsnotify"


@pytest.fixture
def database() -> Iterator[str]:
    server_url()
    name = fresh_name("readme")
    yield run_sync(create_database(name))
    run_sync(drop_database(name))


def test_running_several_nodes(database: str, tmp_path: Path) -> None:
    script = block("several-nodes:cluster")
    assert EXAMPLE_URL in script and "8081" in script and "8082" in script
    script = script.replace(EXAMPLE_URL, f"'{database}'")
    script = script.replace("8081", str(free_port())).replace("8082", str(free_port()))
    workdir = tmp_path / "checkout"
    workdir.mkdir()
    (workdir / ".venv").symlink_to(Path(sys.prefix))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LSNOTIFY_"))}
    result = subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + script],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines.count('{"status":"ok"}') == 2  # both nodes answer, on one database
    assert "Email\tops@example.com\tPendingVerification" in lines  # created on node 1, listed by node 2
    assert any('"destination": "ops@example.com"' in line for line in lines)  # delivered by the worker
    assert "applied 0001_initial" in lines
    assert "Traceback" not in result.stderr
