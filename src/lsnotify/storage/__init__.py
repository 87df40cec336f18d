"""Durable state behind one interface (``base.Store``): SQLite embedded by default, PostgreSQL to share."""
