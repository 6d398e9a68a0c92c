"""The hub's closed vocabularies, documented in one place (see docs/vocabulary.md).

Stewards filter on these codes and departments receive them in feedback, so each is an enum
whose values never change meaning; new codes may be added, old ones are never reused.
"""

from __future__ import annotations

from enum import StrEnum


class DeliveryStatus(StrEnum):
    """What became of a delivered file (``staging.delivery.status``)."""

    LOADED = "loaded"  # its rows are staged (or quarantined) and current
    REJECTED = "rejected"  # refused whole: nothing of it was loaded; the reason is in ``error``
    SUPERSEDED = "superseded"  # a later full snapshot of the same extract replaced it


class QuarantineReason(StrEnum):
    """Why a row was kept out of staging (``staging.quarantine.reason_codes``)."""

    MISSING_REQUIRED = "missing_required"  # a field the contract requires is empty
    INVALID_IDENTIFIER = "invalid_identifier"  # the extract's own key fails its validator
    INVALID_DATE = "invalid_date"  # a date that cannot be parsed or does not exist (2023-02-30)
    INVALID_VALUE = "invalid_value"  # a value the contract says must be valid is not
    TRUNCATED_ROW = "truncated_row"  # fewer fields than the header: the row (file) was cut off
    MALFORMED_ROW = "malformed_row"  # more fields than the header, or a line that does not parse
    DUPLICATE_ROW = "duplicate_row"  # an exact copy of an earlier row of the same delivery
    NO_RECORDS = "no_records"  # a container (a gridworker visit) that holds no records


class DeliveryWarning(StrEnum):
    """Things about a delivered file a steward should know but that do not stop it."""

    RENAMED_COLUMN = "renamed_column"  # a column arrived under a known alias
    EXTRA_COLUMN = "extra_column"  # an unannounced column; its values are kept in ``extra``
    MISSING_OPTIONAL_COLUMN = "missing_optional_column"  # an optional column is absent
    MISSING_BOM = "missing_bom"  # a UTF-8-BOM extract arrived without its byte-order mark
    DUPLICATE_KEY = "duplicate_key"  # rows sharing the extract's key (flagged, not quarantined)
