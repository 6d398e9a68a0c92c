"""Resources: how Dagster assets reach the hub (configured from the HUB_* environment)."""

from __future__ import annotations

import dagster as dg

from hub.database.connection import database_url, to_libpq
from hub.settings import HubSettings


class HubResource(dg.ConfigurableResource):
    """The hub's settings and database; empty fields fall back to the HUB_* environment."""

    home: str = ""
    database_url: str = ""

    def settings(self) -> HubSettings:
        overrides = {}
        if self.home:
            overrides["home"] = self.home
        if self.database_url:
            overrides["database_url"] = self.database_url
        return HubSettings(**overrides)

    def conninfo(self) -> str:
        from hub.database.embedded import EmbeddedPostgres

        settings = self.settings()
        if not settings.database_url:
            EmbeddedPostgres(settings).start()
        return to_libpq(database_url(settings))
