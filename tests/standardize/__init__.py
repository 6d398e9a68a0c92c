"""Tests of hub.standardize."""
