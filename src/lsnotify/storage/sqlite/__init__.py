"""The embedded SQLite store: WAL, a group-commit writer thread, reads on the event loop."""
