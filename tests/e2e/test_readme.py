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


# -- alarms ---------------------------------------------------------------------------------------------


def test_alarms_section(tmp_path: Path) -> None:
    """The quickstart, then the "Alarms" section, with a 1-second evaluation interval."""
    workdir = tmp_path / "checkout"
    workdir.mkdir()
    (workdir / ".venv").symlink_to(Path(sys.prefix))
    server = ServerProcess(workdir / ".lsnotify", env={"LSNOTIFY_ALARM_EVALUATION_INTERVAL": "1"}).start()
    try:
        # postgres: the section's `lsnotify` commands reach the server's store, whichever backend it is
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("AWS_")}, **server.env}
        blocks = (block("quickstart:cli"), block("alarms:cli"), block("alarms:inbox"), block("alarms:api"))
        script = "set -euo pipefail\n" + "\n".join(blocks)
        script = script.replace("127.0.0.1:8080", f"127.0.0.1:{server.port}")
        result = subprocess.run(
            ["timeout", "300", "bash", "-c", script], cwd=workdir, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr
        out = result.stdout
        assert '"arn": "arn:aws:lightsail:us-east-1:' in out and ":Instance/" in out
        assert "|  web-1-cpu |  ALARM |  Average |  80.0 |  Percent  |" in out
        assert '"newState": "ALARM"' in out and '"newState": "OK"' in out
        assert '"protocol": "SMS"' in out and '"destination": "+14255550100"' in out
        assert 'ALARM: "web-1-cpu" in us-east-1: web-1 CPUUtilization 97 >= 80 (INSUFFICIENT_DATA->ALARM)\n' in out
        # 97 then 3: their 5-minute average is 50, unless the two puts fell on either side of a period boundary,
        # when the newest period holds the 3 alone. Either is right; the test must not depend on the clock.
        ok_sms = 'OK: "web-1-cpu" in us-east-1: web-1 CPUUtilization {} >= 80 (ALARM->OK)\n'
        assert ok_sms.format(50) in out or ok_sms.format(3) in out, out
        assert '"datapointsAccepted": 1' in out and out.rstrip().endswith("1")
        assert "INSUFFICIENT_DATA -> ALARM" in server.log() and "ALARM -> OK" in server.log()
    finally:
        server.stop()
