"""lsnotify: a self-hostable, wire-compatible Amazon Lightsail notifications API."""

from __future__ import annotations

__version__ = "0.1.0"
