"""Fixtures: one embedded PostgreSQL per test session, a fresh database per test.

Tests run against the real server the hub runs on — never a stand-in — in a throwaway hub home
so that nothing touches a developer's own ``.hub``.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import uuid
from pathlib import Path

import psycopg
import pytest

from hub.database.embedded import EmbeddedPostgres
from hub.settings import HubSettings, get_settings

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "extracts" / "samples"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def hub_home():
    home = Path(tempfile.mkdtemp(prefix="hub-test-"))
    home.chmod(0o755)  # the embedded server may run as another OS user (we may be root)
    yield home
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def embedded_pg(hub_home):
    external = os.environ.get("HUB_TEST_DATABASE_URL")
    if external:
        yield None
        return
    settings = HubSettings(home=hub_home, pg_port=_free_port())
    server = EmbeddedPostgres(settings)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def database(embedded_pg, hub_home, tmp_path, monkeypatch):
    """A fresh, empty database for one test; yields its libpq URL. Env points the hub at it."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = embedded_pg.conninfo("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    url = embedded_pg.conninfo(name)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HUB_HOME", str(home))
    monkeypatch.setenv("HUB_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture
def settings(database) -> HubSettings:
    return get_settings()


@pytest.fixture
def samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip(f"sample extracts not found at {SAMPLES}")
    return SAMPLES


class BuiltCity:
    """A demo city generated, ingested and built into the subject libraries, once per session.

    Read-only for the tests that share it: a test that changes data makes its own database.
    """

    def __init__(self, url: str, home: Path, manifest, results):
        self.url = url
        self.home = home
        self.manifest = manifest
        self.results = results

    @property
    def truth(self) -> Path:
        return self.manifest.truth_dir

    def query(self, sql: str, params=None) -> list[tuple]:
        with psycopg.connect(self.url) as conn:
            return conn.execute(sql, params).fetchall()


def new_city_database(embedded_pg, hub_home: Path, prefix: str) -> tuple[str, Path]:
    """A fresh database on the session's server and a hub home beside it, for a demo city
    that lives longer than one test (module or session fixtures)."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(embedded_pg.conninfo("postgres"), autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    home = hub_home / name
    home.mkdir()
    return embedded_pg.conninfo(name), home


@pytest.fixture(scope="session")
def built_city(embedded_pg, hub_home) -> BuiltCity:
    """A 2,000-person demo city, built (≈40 s, once per session)."""
    from hub.demo.load import load_demo_city

    url, home = new_city_database(embedded_pg, hub_home, "city")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HUB_HOME", str(home))
        patch.setenv("HUB_DATABASE_URL", url)
        get_settings.cache_clear()
        manifest, results = load_demo_city(get_settings(), url, persons=2000, build=True)
    get_settings.cache_clear()
    return BuiltCity(url, home, manifest, results)


@pytest.fixture
def city_env(built_city, monkeypatch) -> BuiltCity:
    """Point the hub's settings (HUB_HOME, HUB_DATABASE_URL) at the built city for one test."""
    monkeypatch.setenv("HUB_HOME", str(built_city.home))
    monkeypatch.setenv("HUB_DATABASE_URL", built_city.url)
    get_settings.cache_clear()
    yield built_city
    get_settings.cache_clear()
