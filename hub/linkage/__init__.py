"""The link stage against the database: read mentions, decide links, keep master ids stable.

The scoring engine itself is the general, database-free package ``matching``; this package is
the hub's use of it — which mentions, which anchors, the master-id registry, the review queue.
"""
