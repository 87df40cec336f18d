"""Two nodes on one PostgreSQL scraping one node_exporter every second: each scrape is made by exactly one of them,
and when the node that scraped stops, the other continues the series from its counters (they live in the database,
not in a node)."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from harness import ServerProcess, cli_json, wait_until
from lsnotify.domain import Scope
from lsnotify.domain.alarms import MetricAggregate
from lsnotify.identity import SecretBox
from lsnotify.storage.base import Store
from node_exporter import NodeExporter
from postgres_server import create_database, drop_database, fresh_name, run_sync, server_url

pytestmark = pytest.mark.slow

REGION = "us-east-1"


def test_each_scrape_is_made_by_one_node_and_the_series_carries_across_nodes(tmp_path: Path) -> None:
    server_url()  # skip, or fail under CI, without a PostgreSQL server
    name = fresh_name("scrape")
    database = run_sync(create_database(name))
    exporter = NodeExporter(tmp_path).start()
    common = {
        "LSNOTIFY_DATABASE_URL": database,
        "LSNOTIFY_SECRET_KEY": Fernet.generate_key().decode(),
        "LSNOTIFY_ACCESS_LOG": "false",
        "LSNOTIFY_SCRAPE_INTERVAL": "1",
    }
    nodes = [ServerProcess(tmp_path / f"node-{i}", extra_args=("--log-level", "debug")) for i in (0, 1)]
    try:
        for node in nodes:
            node.env = {**node.env, **common}
            node.launch()
        for node in nodes:
            node.wait_ready()
        account = nodes[0].new_account()
        scope = Scope(account.account_id, REGION)
        registered = time.time()
        cli_json(nodes[1].cli("resources", "add", "web-1", "--type", "Instance", "--scrape", exporter.url,
                              "--account-id", account.account_id, "--region", REGION))  # fmt: skip

        def stored(metric: str) -> list[MetricAggregate]:
            async def read(store: Store, box: SecretBox) -> list[MetricAggregate]:
                return await store.get_metric_data(scope, "web-1", metric, 0, 2**40)

            result: list[MetricAggregate] = nodes[0].run_store(read)
            return result

        def scrapes() -> int:
            return sum(p.sample_count for p in stored("StatusCheckFailed"))

        # Whichever node claims the target first each second scrapes it; stop that one, and the other goes on.
        wait_until(lambda: scrapes() >= 4, timeout=60, what="4 scrapes")
        (first,) = [node for node in nodes if "scraped web-1" in node.log()][:1]
        first.stop()
        (other,) = [node for node in nodes if node is not first]
        seen = scrapes()
        wait_until(lambda: scrapes() >= seen + 4, timeout=60, what="4 scrapes more")
        other.stop()
        elapsed = time.time() - registered
        assert "scraped web-1" in other.log()

        status = stored("StatusCheckFailed")
        made = sum(p.sample_count for p in status)
        # One scrape a second of the grid at most: two uncoordinated nodes would make about two.
        assert 8 <= made <= math.ceil(elapsed) + 1, (made, elapsed)
        assert max(p.maximum for p in status) == 0.0
        # Every scrape after the first took its differences from the one before, whichever node had made it.
        cpu = stored("CPUUtilization")
        assert sum(p.sample_count for p in cpu) == made - 1
        assert all(0.0 <= p.minimum <= p.maximum <= 100.0 for p in cpu)
        assert sum(p.sample_count for p in stored("NetworkOut")) == made - 1
    finally:
        for node in nodes:
            if node.process is not None and node.process.poll() is None:
                node.kill()
        exporter.kill()
        run_sync(drop_database(name))
