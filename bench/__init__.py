"""``make bench``: lsnotify measured against its floor, side by side in one run; see docs/performance.md."""
