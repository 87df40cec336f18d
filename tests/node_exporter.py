"""A real Prometheus node_exporter for tests: Debian's ``prometheus-node-exporter`` on a free loopback port, with only
the CPU and network-device collectors (the ones lsnotify reads; the others are slow or noisy on a shared machine).

Without the program the tests that need it skip, except under ``CI=true``, where that is a failure
(``scripts/system-deps`` installs it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest

from harness import free_port, wait_until

PROGRAM = "prometheus-node-exporter"


def program() -> str:
    """The node_exporter binary; skip (fail under CI) when it is not installed."""
    found = shutil.which(PROGRAM) or ("/usr/bin/" + PROGRAM if Path("/usr/bin/" + PROGRAM).exists() else None)
    if found is None:
        message = f"{PROGRAM} is not installed (apt-get install {PROGRAM}; scripts/system-deps does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


class NodeExporter:
    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.log_path = log_dir / f"node-exporter-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/metrics"

    def start(self) -> NodeExporter:
        command = [
            program(),
            f"--web.listen-address=127.0.0.1:{self.port}",
            "--collector.disable-defaults",
            "--collector.cpu",
            "--collector.netdev",
        ]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        wait_until(self._answers, timeout=15, what=f"node_exporter on {self.url} ({self.log_path})")
        return self

    def _answers(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"node_exporter exited with {self.process.returncode}: {self.log_path.read_text()}")
        try:
            with urllib.request.urlopen(self.url, timeout=1) as response:
                return bool(response.status == 200 and b"node_cpu_seconds_total" in response.read())
        except OSError:
            return False

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
