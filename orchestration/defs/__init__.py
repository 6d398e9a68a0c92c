"""Dagster definitions per pipeline stage (collect, build, link, quality, distribute, serve)."""
