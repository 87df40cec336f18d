"""The README's code blocks, found by the HTML comment that marks each one (``<!-- name -->`` before the fence)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def block(marker: str) -> str:
    readme = (ROOT / "README.md").read_text()
    match = re.search(rf"<!-- {marker} -->\n```\w+\n(.*?)```", readme, re.S)
    assert match, f"README has no block after <!-- {marker} -->"
    return match.group(1)
