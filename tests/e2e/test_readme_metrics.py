"""The README's "Metrics from agents" section, run as written against a fresh server started with its
configuration file (only the port differs): the AWS CLI, the translated Telegraf name, the OTLP example."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from alarm_helpers import stored_metric
from harness import Account, ServerProcess
from readme import block


def test_metrics_from_agents_section(tmp_path: Path) -> None:
    workdir = tmp_path / "checkout"
    workdir.mkdir()
    (workdir / ".venv").symlink_to(Path(sys.prefix))
    config = workdir / "lsnotify.toml"
    config.write_text(block("metrics:config"))
    server = ServerProcess(workdir / ".lsnotify", extra_args=("--config", str(config))).start()
    try:
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("AWS_")}, **server.env}
        python = "python - <<'PY'\n" + block("metrics:otlp") + "PY\n"
        blocks = (block("quickstart:cli"), block("metrics:cloudwatch"), python, block("metrics:get"))
        script = "set -euo pipefail\n" + "\n".join(blocks)
        script = script.replace("127.0.0.1:8080", f"127.0.0.1:{server.port}")
        result = subprocess.run(
            ["timeout", "300", "bash", "-c", script], cwd=workdir, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert '"name": "web-2"' in result.stdout and '"resourceType": "Instance"' in result.stdout
        (row,) = [line for line in result.stdout.splitlines() if "Percent" in line]
        assert [cell.strip() for cell in row.strip("|").split("|")][:3] == ["64.0", "90.0", "3.0"], result.stdout
        credentials = (server.data_dir / "credentials").read_text()
        account_id = re.search(r"# account (\d{12})", credentials)
        assert account_id is not None
        account = Account(account_id.group(1), server.first_start_credentials()["aws_access_key_id"], "")
        cpu = stored_metric(server, account, "web-2", "CPUUtilization")
        assert sum(p.sample_count for p in cpu) == 3 and sum(p.sum for p in cpu) == 192.0
        (otel,) = stored_metric(server, account, "web-3", "CPUUtilization")
        assert (otel.sample_count, round(otel.sum, 6)) == (1, 60.0)
    finally:
        server.stop()


def test_the_telegraf_example_is_a_cloudwatch_output_for_lsnotify() -> None:
    telegraf = tomllib.loads(block("metrics:telegraf"))
    (output,) = telegraf["outputs"]["cloudwatch"]
    assert output["endpoint_url"] == "http://127.0.0.1:8080" and output["region"] == "us-east-1"
    assert telegraf["global_tags"]["InstanceName"] == "web-2"
    (cpu,) = telegraf["inputs"]["cpu"]
    # cloudwatch output names a metric <measurement>_<field>: the name the [metric_names] example translates.
    assert f"cpu_{cpu['fieldinclude'][0]}" in tomllib.loads(block("metrics:config"))["metric_names"]
