"""The next step a steward takes for a failure, so ``hub status`` and notifications say what to do.

The ingest's rejection messages already name the file, the problem and what the contract
expected; this adds who acts and how the fixed file comes back in, which the loader cannot know.
"""

from __future__ import annotations

# (words in the reason, the next step); first match wins.
_REJECTION_STEPS: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("encoded", "encoding", "byte-order mark", "not valid utf-8", "not valid gb18030"),
        "ask the department to re-export the file in the contract's encoding",
    ),
    (
        ("missing required column",),
        "ask the department for the missing column(s), or add the column's new name to the "
        "contract's aliases if it was only renamed",
    ),
    (
        ("fail the contract", "too broken"),
        "look at the quarantined reasons of a sample, then ask the department for a corrected "
        "export (or correct the contract)",
    ),
    (
        ("holds no data rows", "is empty", "no json lines"),
        "ask the department for the complete export; the file arrived empty",
    ),
    (
        ("workbook", "sheet", "not readable", "cannot read"),
        "ask the department for a readable export in the contract's format",
    ),
)

REDELIVER = (
    "then drop the new file into $HUB_HOME/inbox/{extract}/ (or `hub ingest {extract} FILE`)"
)


def rejection_next_step(error: str | None, extract: str) -> str:
    """What to do about a delivery refused whole, given its ``staging.delivery.error``."""
    text = (error or "").lower()
    step = next(
        (step for words, step in _REJECTION_STEPS if any(w in text for w in words)),
        "read the reason, ask the department for a corrected file",
    )
    return f"{step}; {REDELIVER.format(extract=extract)}"


def failed_run_next_step(job_name: str) -> str:
    """What to do about a failed Dagster run."""
    return (
        f"open the run in `hub ui` to see the failing step; once fixed, re-execute job "
        f"{job_name!r} from the failed step (re-runs are safe: loads are idempotent, builds "
        "are deterministic)"
    )


def failed_check_next_step(check: str) -> str:
    """What to do about a failed asset check."""
    if "on_time" in check:
        return "ask the department for the overdue delivery"
    if "accepted" in check:
        return "ask the department for a corrected file (see the rejection reason)"
    return "open the check in `hub ui` for the failing rows; fix at the source or in the contract"
