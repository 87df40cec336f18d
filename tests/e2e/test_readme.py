"""The README's quickstart, run as written against a fresh server (only the port differs)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from harness import ServerProcess
from readme import block


def test_quickstart(tmp_path: Path) -> None:
    workdir = tmp_path / "checkout"
    workdir.mkdir()
    (workdir / ".venv").symlink_to(Path(sys.prefix))
    server = ServerProcess(workdir / ".lsnotify").start()
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        shell = block("quickstart:cli").replace("127.0.0.1:8080", f"127.0.0.1:{server.port}")
        script = (
            "set -euo pipefail\n"
            + shell
            + "\n"
            + "python - <<'PY'\n"
            + block("quickstart:boto3").replace("127.0.0.1:8080", f"127.0.0.1:{server.port}")
            + "PY\n"
        )
        result = subprocess.run(
            ["bash", "-c", script], cwd=workdir, env=env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
        out = result.stdout
        assert "me@example.com" in out and "PendingVerification" in out
        assert "+14255550100" in out and "CreateContactMethod" in out and "DeleteContactMethod" in out
        assert "SMS +14255550111 Valid" in out
        assert "as expected: protocol: there is no SMS contact method in us-east-1." in out
    finally:
        server.stop()
