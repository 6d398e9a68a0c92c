"""How a delivery's counts become the scorecard's scores (pure functions, no database).

Every score is a share between 0 (all wrong) and 1 (all right) so that departments of any size
compare; the formulas are the ones ``docs/quality.md`` explains to the departments scored on them.
"""

from __future__ import annotations

from dataclasses import dataclass

# Days a department may take between deliveries, by the contract's cadence (交付频率).
CADENCE_DAYS = {"daily": 1, "weekly": 7, "monthly": 31, "quarterly": 92}
# Weights of the overall score; a dimension without evidence (None) drops out and the rest are
# re-weighted. Validity weighs most: it is what the department can fix at the source.
WEIGHTS = {
    "completeness": 0.20,
    "validity": 0.30,
    "uniqueness": 0.15,
    "consistency": 0.20,
    "timeliness": 0.15,
}
DIMENSIONS = tuple(WEIGHTS)


@dataclass(frozen=True)
class DeliveryCounts:
    """What was counted for one delivery (rows read = rows staged + rows quarantined)."""

    rows_read: int
    incomplete: int  # rows missing a required or normally-filled field (staged or quarantined)
    invalid: int  # rows with an invalid or non-standard value (staged or quarantined)
    duplicate: int  # repeated rows and repeated keys within the delivery
    compared: int  # person/entity values compared with the owning department's golden value
    agreeing: int  # … of which equal to it
    age_days: float | None  # now − received, for the newest delivery of its stream only
    gap_days: float | None  # days since the stream's previous delivery (None: first one)


def on_time(days: float | None, period: int | None) -> float | None:
    """1 within the cadence period, falling linearly to 0 at four periods late."""
    if days is None or period is None:
        return None
    late = max(0.0, days - period)
    return max(0.0, 1.0 - late / (3 * period))


def share_good(bad: int, total: int) -> float | None:
    return None if total <= 0 else max(0.0, 1.0 - bad / total)


def overall(scores: dict[str, float | None]) -> float | None:
    """Weighted mean of the dimensions that have a score."""
    present = {d: s for d, s in scores.items() if s is not None and d in WEIGHTS}
    weight = sum(WEIGHTS[d] for d in present)
    if not weight:
        return None
    return sum(WEIGHTS[d] * s for d, s in present.items()) / weight


def score_delivery(counts: DeliveryCounts, cadence: str) -> dict[str, float | None]:
    """The five dimensions and the overall score of one delivery."""
    period = CADENCE_DAYS.get(cadence)
    timely = [
        s
        for s in (on_time(counts.age_days, period), on_time(counts.gap_days, period))
        if s is not None
    ]
    scores: dict[str, float | None] = {
        "completeness": share_good(counts.incomplete, counts.rows_read),
        "validity": share_good(counts.invalid, counts.rows_read),
        "uniqueness": share_good(counts.duplicate, counts.rows_read),
        "consistency": share_good(counts.compared - counts.agreeing, counts.compared),
        "timeliness": sum(timely) / len(timely) if timely else (1.0 if period else None),
    }
    scores["overall"] = overall(scores)
    return scores


def roll_up(rows: list[tuple[int, dict[str, float | None]]]) -> dict[str, float | None]:
    """Row-weighted mean of delivery scores (weights: rows read), dimension by dimension."""
    out: dict[str, float | None] = {}
    for dim in DIMENSIONS:
        pairs = [(w, s[dim]) for w, s in rows if s.get(dim) is not None and w > 0]
        total = sum(w for w, _ in pairs)
        out[dim] = sum(w * v for w, v in pairs) / total if total else None
    out["overall"] = overall(out)
    return out
