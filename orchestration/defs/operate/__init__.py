"""Operating the hub: delivery freshness checks, the daily build schedule, failure notifications."""
