"""Distribute (下发) and correct (上报): county shards, gridworker verification, corrections upstream.

See docs/distribute.md. The city pushes each county its shard of the subject libraries into the
county's sub-store (区县分库); gridworkers verify it and correct it there; a reviewer at the
station approves each correction (初核); approved corrections sync back to the city.
"""
