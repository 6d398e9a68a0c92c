"""Request and response bodies (pydantic): unknown fields in a request are refused (422)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from hub.share.vocabulary import Check


class BatchCheckRequest(BaseModel):
    """Up to ``HUB_SHARE_MAX_BATCH`` citizen IDs; ``checks`` narrows the answers (default: all
    the grant allows)."""

    model_config = ConfigDict(extra="forbid")

    citizen_ids: list[str] = Field(min_length=1)
    checks: list[Check] | None = None


class BatchCheckResponse(BaseModel):
    purpose: str
    checks: list[Check]
    results: list[dict[str, Any]]


class RelationsResponse(BaseModel):
    person: dict[str, Any]
    household: list[dict[str, Any]] | None = None
    houses: list[dict[str, Any]] | None = None
    entities: list[dict[str, Any]] | None = None
    employer: list[dict[str, Any]] | None = None
