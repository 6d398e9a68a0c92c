"""Orchestration: the hub's Dagster definitions (the stewards' UI)."""
