"""The hub's PostgreSQL: the embedded cluster, connections, and the hub's own tables."""
