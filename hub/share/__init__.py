"""Share (共享): the hub's query service for departments — grants, masking, batch checks, audit.

``hub serve`` runs :func:`hub.share.app.create_app`; ``hub grant …`` issues and revokes API keys;
``hub audit`` reads the append-only request log. See docs/share.md.
"""
