"""The hub's one settings object, read from ``HUB_*`` environment variables.

Every other module asks :func:`get_settings` instead of reading ``os.environ``, so that what
the hub can be configured with is written down in one place (and in ``docs/operations.md``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class HubSettings(BaseSettings):
    """Where the hub keeps its files and which PostgreSQL it talks to."""

    model_config = SettingsConfigDict(env_prefix="HUB_", extra="ignore")

    home: Path = Field(
        default=Path(".hub"),
        description="The hub's home folder: embedded database, inbox, archive, reports.",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL of an external PostgreSQL (driver named, e.g. "
            "postgresql+psycopg://user@host:5432/hub). Unset: the embedded cluster is used."
        ),
    )
    pg_port: int = Field(default=54329, description="TCP port of the embedded PostgreSQL.")
    pg_bindir: Path | None = Field(
        default=None,
        description="Folder holding initdb/pg_ctl; found with pg_config or on PATH when unset.",
    )
    pg_os_user: str = Field(
        default="postgres",
        description="OS account that runs the embedded server when the hub runs as root.",
    )
    database_name: str = Field(default="hub", description="Database name in the embedded cluster.")
    county_urls: dict[str, str] = Field(
        default_factory=dict,
        description=(
            "County sub-stores on servers of their own: JSON {county code: PostgreSQL URL}. "
            "A county not listed gets a database <database>_county_<code> on the city's server."
        ),
    )
    ingest_chunk_rows: int = Field(
        default=200_000,
        description="Rows parsed, validated and copied per chunk (bounds memory on big files).",
    )
    notify_webhook: str | None = Field(
        default=None,
        description="URL that receives a JSON POST when a Dagster run fails (on-call steward).",
    )
    notify_command: str | None = Field(
        default=None,
        description="Command run when a Dagster run fails; the event as JSON on its stdin.",
    )
    build_cron: str = Field(
        default="0 7 * * *",
        description="When the daily build runs (cron), after the morning deliveries.",
    )
    timezone: str = Field(
        default="Asia/Shanghai", description="Time zone of the schedules' cron expressions."
    )

    @property
    def home_dir(self) -> Path:
        return self.home.expanduser().resolve()

    @property
    def inbox_dir(self) -> Path:
        return self.home_dir / "inbox"

    @property
    def archive_dir(self) -> Path:
        return self.home_dir / "archive"

    @property
    def pgdata_dir(self) -> Path:
        return self.home_dir / "pg" / "data"

    @property
    def demo_dir(self) -> Path:
        return self.home_dir / "demo"

    @property
    def dagster_home(self) -> Path:
        return self.home_dir / "dagster"


@lru_cache(maxsize=1)
def get_settings() -> HubSettings:
    """The settings of this process (cached; tests call ``get_settings.cache_clear()``)."""
    return HubSettings()
