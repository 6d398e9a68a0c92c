"""Which PostgreSQL the hub talks to, and how to open a connection to it."""

from __future__ import annotations

import re

import psycopg
import sqlalchemy

from hub.database.embedded import EmbeddedPostgres
from hub.settings import HubSettings, get_settings

_DRIVER = re.compile(r"^postgres(?:ql)?(?:\+\w+)?://")


def database_url(settings: HubSettings | None = None) -> str:
    """The SQLAlchemy URL in use: ``HUB_DATABASE_URL`` or the embedded cluster's."""
    settings = settings or get_settings()
    if settings.database_url:
        return to_sqlalchemy_url(settings.database_url)
    return EmbeddedPostgres(settings).url()


def to_sqlalchemy_url(url: str) -> str:
    """Name the driver explicitly: SQLAlchemy 2.1 reads a bare postgresql:// as psycopg 3."""
    if not _DRIVER.match(url):
        raise ValueError(f"Not a PostgreSQL URL: {url!r}")
    return _DRIVER.sub("postgresql+psycopg://", url, count=1)


def to_libpq(url: str) -> str:
    """The libpq form (no driver) that psql, psycopg and pg_dump understand."""
    if not _DRIVER.match(url):
        raise ValueError(f"Not a PostgreSQL URL: {url!r}")
    return _DRIVER.sub("postgresql://", url, count=1)


def connect(url: str | None = None, **kwargs) -> psycopg.Connection:
    """A psycopg 3 connection to the hub's database."""
    return psycopg.connect(to_libpq(url or database_url()), **kwargs)


def engine(url: str | None = None) -> sqlalchemy.Engine:
    """A SQLAlchemy engine on the hub's database (psycopg 3 driver)."""
    return sqlalchemy.create_engine(to_sqlalchemy_url(url or database_url()))
