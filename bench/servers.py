"""The servers a benchmark loads: lsnotify, the floor and moto's server, each a subprocess pinned to the server CPUs.

Every server runs with ``taskset -c SERVER_CPUS``, the load generator with ``taskset -c LOAD_CPUS``: on the 2-core
machine, one core each, identically for lsnotify, the floor and moto, so neither side of a ratio gets more CPU.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.loadgen import Target, pinned

START_TIMEOUT = 90.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    name: str
    command: list[str]
    log_path: Path
    port: int = field(default_factory=free_port)
    health_path: str = "/"
    cpus: str | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def target(self) -> Target:
        return Target(self.name, "127.0.0.1", self.port)

    def start(self) -> Server:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                pinned(self.cpus, self.command), stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env=_env()
            )
        deadline = time.monotonic() + START_TIMEOUT
        while not self._answers():
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {self.log_path}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not answer within {START_TIMEOUT:.0f}s; see {self.log_path}")
            time.sleep(0.1)
        return self

    def _answers(self) -> bool:
        try:
            status, _ = request(self.target, b"GET " + self.health_path.encode() + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        except OSError:
            return False
        return status < 500

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def rss_bytes(self) -> int:
        """The server's resident memory now (VmRSS)."""
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError(f"no VmRSS for {self.name}")


ROOT = Path(__file__).resolve().parent.parent


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONUNBUFFERED": "1"}


def lsnotify_server(
    data_dir: Path, logs: Path, cpus: str | None, extra_args: tuple[str, ...] = (), name: str = "lsnotify"
) -> Server:
    """``lsnotify serve`` with its defaults (access log on, log level info), but for the given extra flags."""
    port = free_port()
    command = [sys.executable, "-m", "lsnotify", "serve", "--port", str(port), "--data-dir", str(data_dir)]
    return Server(name, [*command, *extra_args], logs / f"{name}.log", port, "/healthz", cpus)


def floor_server(responses_file: Path, logs: Path, cpus: str | None, workers: int = 1, name: str = "floor") -> Server:
    port = free_port()
    command = [sys.executable, "-m", "bench.floor", "--port", str(port), "--responses", str(responses_file)]
    command += ["--workers", str(workers)]
    return Server(name, command, logs / f"{name}.log", port, "/", cpus)


def moto_server(logs: Path, cpus: str | None) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    return Server("moto", command, logs / "moto.log", port, "/moto-api/", cpus)


class SmtpSink(Server):
    """delivery: aiosmtpd discarding every message; it answers when it greets a connection with its 220 banner."""

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=2.0) as sock:
                return sock.recv(3) == b"220"
        except OSError:
            return False


def smtp_sink(logs: Path, cpus: str | None) -> SmtpSink:
    from bench.outbox_drain import sink_command

    port = free_port()
    return SmtpSink("smtp-sink", sink_command(port), logs / "smtp-sink.log", port, "", cpus)


def request(target: Target, raw: bytes, timeout: float = 30.0) -> tuple[int, bytes]:
    """Send one raw HTTP/1.1 request on a new connection; (status, body)."""
    with socket.create_connection((target.host, target.port), timeout=timeout) as sock:
        sock.sendall(raw)
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status, response.read()
