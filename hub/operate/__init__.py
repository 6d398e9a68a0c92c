"""Running the hub day to day (运维): status, freshness, notifications, backup and restore."""
