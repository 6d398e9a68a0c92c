"""When a department's next delivery is due, from the ``cadence`` its data contract declares.

Pure functions (no database), so ``hub status`` and the Dagster freshness checks agree on what
"late" means: a delivery is overdue once its age passes the cadence's period plus a grace that
absorbs the ordinary jitter of a department's export job (a daily file that arrives at 09:30
instead of 08:00 is not late).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# period: how often a delivery is expected; grace: how much later still counts as on time.
CADENCES: dict[str, tuple[timedelta, timedelta]] = {
    "daily": (timedelta(days=1), timedelta(hours=12)),
    "weekly": (timedelta(days=7), timedelta(days=2)),
    "monthly": (timedelta(days=31), timedelta(days=5)),
    "quarterly": (timedelta(days=92), timedelta(days=10)),
}


@dataclass(frozen=True)
class Timeliness:
    """How a department's last delivery stands against its cadence."""

    cadence: str
    age: timedelta | None  # None: nothing ever delivered
    due_within: timedelta | None  # None: no rhythm is expected (on_event)
    overdue: bool

    @property
    def state(self) -> str:
        if self.age is None:
            return "never delivered"
        return "overdue" if self.overdue else "on time"

    def explain(self) -> str:
        """One sentence a steward can act on."""
        if self.age is None:
            return f"nothing delivered yet (expected {self.cadence})"
        if self.due_within is None:
            return f"last delivery {format_age(self.age)} ago (delivered on event, no rhythm)"
        if self.overdue:
            return f"{self.lateness()}: ask the department for the missing delivery"
        return f"last delivery {format_age(self.age)} ago, expected {self.cadence}"

    def lateness(self) -> str:
        """How late, without the action (for lists that show the next step apart)."""
        return (
            f"last delivery {format_age(self.age)} ago, expected {self.cadence} "
            f"(due within {format_age(self.due_within)})"
        )


def due_within(cadence: str) -> timedelta | None:
    """The age after which a delivery of this cadence is overdue (None for ``on_event``)."""
    if cadence not in CADENCES:
        return None
    period, grace = CADENCES[cadence]
    return period + grace


def timeliness(cadence: str, last_received: datetime | None, now: datetime) -> Timeliness:
    """Compare the last *accepted* delivery (loaded or since superseded) with the cadence.

    A rejected file does not count: the data the hub holds is as old as the last file it could
    load, whatever arrived since. A department that never delivered counts as overdue when it has a rhythm: the hub expects
    its data and has none.
    """
    limit = due_within(cadence)
    if last_received is None:
        return Timeliness(cadence, None, limit, overdue=limit is not None)
    age = max(now - last_received, timedelta(0))
    return Timeliness(cadence, age, limit, overdue=limit is not None and age > limit)


def format_age(age: timedelta) -> str:
    """``3d 4h``, ``5h 12m``, ``40s``: short enough for a table column."""
    seconds = int(age.total_seconds())
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    if minutes:
        return f"{minutes}m"
    return f"{seconds}s"
