"""The load generators, behind one call: wrk (the real benchmark) and ``bench.pyload`` (smoke runs, open loop).

Both replay a list of raw pre-signed requests in a cycle over keep-alive connections and report the same
``RunResult``. Each runs pinned to the load generator's CPUs (``taskset``), so it never takes the server's core.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

WRK_THREADS = 1


@dataclass(frozen=True)
class RunResult:
    requests: int
    """Responses received within the run."""
    seconds: float
    non_2xx: int
    """Responses whose status was not 2xx: a benchmark with any of these measured something else."""
    errors: int
    """Socket errors and timeouts."""
    latency_ms: dict[str, float]
    """p50, p90, p99 and max."""
    unsent: int = 0
    """Open loop only: requests that were due but found no free connection when the run ended."""

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def failures(self) -> int:
        return self.non_2xx + self.errors


@dataclass(frozen=True)
class Target:
    """A server under load, and how to reach it."""

    name: str
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


class LoadGenerator(Protocol):
    name: str

    def run(self, target: Target, requests: list[bytes], connections: int, duration: float) -> RunResult: ...


def pinned(cpus: str | None, command: list[str]) -> list[str]:
    return ["taskset", "-c", cpus, *command] if cpus and shutil.which("taskset") else command


class Wrk:
    """wrk (Debian's ``wrk`` package) with a Lua script that cycles through the requests, one thread by default."""

    name = "wrk"

    def __init__(self, cpus: str | None, threads: int = WRK_THREADS) -> None:
        self.cpus = cpus
        self.threads = threads
        self.version = _wrk_version()

    def run(self, target: Target, requests: list[bytes], connections: int, duration: float) -> RunResult:
        seconds = max(1, round(duration))
        with tempfile.TemporaryDirectory(prefix="lsnotify-bench-") as tmp:
            script = Path(tmp) / "requests.lua"
            script.write_text(_lua_script(requests))
            command = [
                "wrk",
                f"-t{min(self.threads, connections)}",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-s",
                str(script),
                target.url,
            ]
            done = subprocess.run(pinned(self.cpus, command), capture_output=True, text=True, timeout=seconds + 60)
        match = re.search(r"^BENCH-JSON (.*)$", done.stdout, re.MULTILINE)
        if done.returncode != 0 or match is None:
            raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout}{done.stderr}")
        data = json.loads(match.group(1))
        errors = data["errors"]
        return RunResult(
            requests=data["requests"],
            seconds=data["duration_us"] / 1e6,
            non_2xx=errors.pop("status"),
            errors=sum(errors.values()),
            latency_ms={name: value / 1000 for name, value in data["latency_us"].items()},
        )


def _wrk_version() -> str:
    if shutil.which("wrk") is None:
        raise RuntimeError(
            "wrk is not installed: `make bench` installs it with `apt-get install -y wrk` (Debian's package); "
            "or run `python -m bench --smoke`, which needs no wrk"
        )
    out = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
    match = re.search(r"wrk (\S+)", out)
    return match.group(1) if match else "unknown"


def _lua_string(raw: bytes) -> str:
    """A Lua string literal of ``raw``: printable ASCII as is, everything else as a decimal escape."""
    out = []
    for byte in raw:
        if 32 <= byte < 127 and byte not in (34, 92):
            out.append(chr(byte))
        else:
            out.append(f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


_LUA_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH-JSON {"requests":%d,"duration_us":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d}}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


def _lua_script(requests: list[bytes]) -> str:
    items = ",\n".join(_lua_string(raw) for raw in requests)
    return (
        f"local requests = {{\n{items}\n}}\n"
        "local count = #requests\n"
        "local index = 0\n"
        "local primed = false\n"
        "request = function()\n"
        # wrk 4.1 asks each thread for one request it never sends: give it the first, then start at the first.
        "  if not primed then\n"
        "    primed = true\n"
        "    return requests[1]\n"
        "  end\n"
        "  index = index % count + 1\n"
        "  return requests[index]\n"
        "end\n" + _LUA_DONE
    )


class PyLoad:
    """``bench.pyload`` in its own process: closed loop by default, open loop at ``rate`` requests a second."""

    name = "pyload"

    def __init__(self, cpus: str | None, rate: float | None = None) -> None:
        self.cpus = cpus
        self.rate = rate

    def at_rate(self, rate: float) -> PyLoad:
        return PyLoad(self.cpus, rate)

    def run(self, target: Target, requests: list[bytes], connections: int, duration: float) -> RunResult:
        spec = {
            "host": target.host,
            "port": target.port,
            "connections": connections,
            "duration": duration,
            "rate": self.rate,
            "requests": [base64.b64encode(raw).decode() for raw in requests],
        }
        with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="lsnotify-bench-") as file:
            json.dump(spec, file)
            file.flush()
            command = [sys.executable, "-m", "bench.pyload", file.name]
            done = subprocess.run(
                pinned(self.cpus, command), capture_output=True, text=True, timeout=duration + 60, cwd=_ROOT
            )
        if done.returncode != 0:
            raise RuntimeError(f"bench.pyload failed ({done.returncode}): {done.stderr}")
        data = json.loads(done.stdout)
        return RunResult(
            requests=data["requests"],
            seconds=data["seconds"],
            non_2xx=data["non_2xx"],
            errors=data["errors"],
            latency_ms=data["latency_ms"],
            unsent=data["unsent"],
        )


_ROOT = Path(__file__).resolve().parent.parent
