"""The PostgreSQL store: an asyncpg pool shared by any number of nodes."""
