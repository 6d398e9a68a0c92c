"""The closed vocabularies of distribution: task kinds and states, correction actions, outcomes.

One place, so the sub-store's check constraints, the CLI and the docs say the same words.
"""

from __future__ import annotations

from enum import StrEnum


class TaskKind(StrEnum):
    """Why a record needs a gridworker's look (核查任务)."""

    CONFLICT = "conflict"  # departments disagree on an attribute (hub.conflict)
    REVIEW_PAIR = "review_pair"  # a doubtful link waiting in link.review_queue
    ANOMALY = "anomaly"  # a cross-department anomaly (quality.anomaly)
    UNVERIFIED = "unverified"  # no gridworker has seen the person for a year
    NEWBORN_WITHOUT_ID = "newborn_without_id"  # birth certificate, no citizen ID yet


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"  # a gridworker answered it with a correction or a confirmation
    RESOLVED = "resolved"  # the reason went away at the city (e.g. the conflict was fixed)


class CorrectionAction(StrEnum):
    """What a gridworker reports about a record."""

    CONFIRM = "confirm"  # the record is right as shown
    CORRECT = "correct"  # one attribute has another value
    MOVED_AWAY = "moved_away"  # 已迁出: no longer lives at the address
    DECEASED = "deceased"  # 已死亡
    UNKNOWN_AT_ADDRESS = "unknown_at_address"  # 查无此人


FLAGS = (
    CorrectionAction.MOVED_AWAY,
    CorrectionAction.DECEASED,
    CorrectionAction.UNKNOWN_AT_ADDRESS,
)


class ReviewStatus(StrEnum):
    """初核: a professional at the station reviews each correction before it leaves the county."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Outcome(StrEnum):
    """What a synced correction became at the city."""

    VERIFIED = "verified"  # a confirmation: the record counts as verified today
    CANDIDATE = "candidate"  # a gridworker-owned attribute: a top-ranked value on the next build
    FEEDBACK = "feedback"  # a department-owned attribute: feedback to that department (反哺)
    CONFLICT = "conflict"  # based on a version that changed meanwhile: a steward decides
    FLAGGED = "flagged"  # moved away / unknown at address: listed for the steward


class FeedbackStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # a later delivery of the department carries the corrected value


class PushStatus(StrEnum):
    DELIVERED = "delivered"
    UNREACHABLE = "unreachable"  # retried on the next push, from the county's last version


# The extract name under which approved gridworker corrections enter survivorship (authority.csv).
CORRECTION_EXTRACT = "wgy_jz"
# The gridworkers' own extract: attributes it owns (rank 1) are corrected directly.
GRIDWORKER_EXTRACT = "wgy_cj"


def values(enum: type[StrEnum]) -> str:
    """``'a', 'b'`` for a SQL check constraint."""
    return ", ".join(f"'{member.value}'" for member in enum)
