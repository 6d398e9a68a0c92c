"""One demo city for the distribution tests (module-scoped: building it takes ≈1 minute)."""

from __future__ import annotations

import psycopg
import pytest

from hub.settings import HubSettings, get_settings
from tests.conftest import new_city_database


class DistributeCity:
    """A built 300-person city whose county sub-stores live on the test server."""

    def __init__(self, url: str, settings: HubSettings, manifest):
        self.url = url
        self.settings = settings
        self.manifest = manifest

    def query(self, sql: str, params=None) -> list[tuple]:
        with psycopg.connect(self.url) as conn:
            return conn.execute(sql, params).fetchall()

    def execute(self, sql: str, params=None) -> None:
        with psycopg.connect(self.url) as conn:
            conn.execute(sql, params)


@pytest.fixture(scope="module")
def city(embedded_pg, hub_home):
    from hub.demo.load import load_demo_city

    url, home = new_city_database(embedded_pg, hub_home, "dist")
    name = home.name
    admin = embedded_pg.conninfo("postgres")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HUB_HOME", str(home))
        patch.setenv("HUB_DATABASE_URL", url)
        get_settings.cache_clear()
        settings = get_settings()
        manifest, _ = load_demo_city(settings, url, persons=300, seed=7, build=True)
        yield DistributeCity(url, settings, manifest)
    get_settings.cache_clear()
    with psycopg.connect(admin, autocommit=True) as conn:
        names = conn.execute(
            "select datname from pg_database where datname like %s", [f"{name}%"]
        ).fetchall()
        for (db,) in names:
            conn.execute(f'drop database if exists "{db}" with (force)')
