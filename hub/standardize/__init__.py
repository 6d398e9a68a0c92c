"""Standardization: every department's raw value to one canonical form (see ``registry``)."""
