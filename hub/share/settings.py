"""The share service's settings, read from ``HUB_SHARE_*`` environment variables.

Kept beside the service rather than in :mod:`hub.settings` because only ``hub serve``,
``hub grant`` and ``hub audit`` read them; the database itself still comes from ``HUB_*``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_GRANTS = Path(__file__).resolve().with_name("grants.yaml")


class ShareSettings(BaseSettings):
    """Where the grants are declared, which role the service runs as, and its limits."""

    model_config = SettingsConfigDict(env_prefix="HUB_SHARE_", extra="ignore")

    grants_file: Path = Field(
        default=DEFAULT_GRANTS, description="YAML file declaring each department's grants."
    )
    host: str = Field(default="127.0.0.1", description="Address `hub serve` listens on.")
    port: int = Field(default=8080, description="Port `hub serve` listens on.")
    workers: int = Field(default=1, description="Uvicorn worker processes.")
    service_role: str = Field(
        default="hub_share",
        description="PostgreSQL role the service connects as (no UPDATE/DELETE on the audit log).",
    )
    service_password: str | None = Field(
        default=None,
        description="Password of the service role on an external PostgreSQL (trust on embedded).",
    )
    pool_size: int = Field(default=8, description="Database connections the service keeps open.")
    max_body_bytes: int = Field(
        default=1_048_576, description="Largest request body accepted (413 above)."
    )
    max_batch: int = Field(default=10_000, description="Most citizen IDs in one batch check.")
    search_limit: int = Field(default=20, description="Most persons a name search returns.")
    rate_per_second: float = Field(
        default=50.0, description="Default per-department request rate (token bucket refill)."
    )
    rate_burst: int = Field(default=100, description="Default per-department burst allowance.")
    lookup_lane: bool = Field(
        default=True,
        description="Serve GET /v1/persons/{citizen_id} by the lean lookup lane (same answers).",
    )


@lru_cache(maxsize=1)
def get_share_settings() -> ShareSettings:
    """The share settings of this process (tests call ``get_share_settings.cache_clear()``)."""
    return ShareSettings()
