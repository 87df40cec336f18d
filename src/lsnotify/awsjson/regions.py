"""Region display names (``us-east-1`` → ``US East (N. Virginia)``), from botocore's endpoint data."""

from __future__ import annotations

from functools import cache

import botocore.loaders


@cache
def _descriptions() -> dict[str, str]:
    data = botocore.loaders.create_loader().load_data("endpoints")
    return {
        region: str(info.get("description", region))
        for partition in data.get("partitions", [])
        for region, info in partition.get("regions", {}).items()
    }


def region_description(region: str) -> str:
    """The region's display name, or the code itself when botocore does not know it."""
    return _descriptions().get(region, region)
