"""One quality run: GX suites, scorecards, anomalies, stored with one timestamp, and the report.

``hub quality`` and the benchmark call :func:`run_quality`; each stage is timed so that the
cost of checking can be compared with the cost of building.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from data_contracts import load_contracts
from hub.database.connection import connect, database_url, to_libpq, to_sqlalchemy_url
from hub.settings import HubSettings, get_settings
from quality.anomalies import Anomaly, find_anomalies, store_anomalies
from quality.report import write_report
from quality.scorecard import ScoreRow, compute_scorecard, department_history, store_scorecard
from quality.store import ensure_schema, store_outcomes
from quality.suites import all_suites
from quality.validation import ExpectationOutcome, run_suites


@dataclass
class QualityRun:
    run_at: datetime
    scorecard: list[ScoreRow]
    anomalies: list[Anomaly]
    outcomes: list[ExpectationOutcome]
    report: Path | None
    seconds: dict[str, float] = field(default_factory=dict)


def reports_dir(settings: HubSettings) -> Path:
    return settings.home_dir / "reports"


def run_quality(settings: HubSettings | None = None, *, report: bool = True) -> QualityRun:
    """Run every check on the hub's database, append the results, write the report."""
    settings = settings or get_settings()
    url = database_url(settings)
    contracts = load_contracts()
    run_at = datetime.now(UTC)
    seconds: dict[str, float] = {}
    out = reports_dir(settings)

    start = time.perf_counter()
    outcomes = run_suites(
        to_sqlalchemy_url(url), all_suites(contracts), out / "gx" if report else None
    )
    seconds["expectations"] = time.perf_counter() - start
    with connect(to_libpq(url)) as conn:
        ensure_schema(conn)
        start = time.perf_counter()
        scorecard = compute_scorecard(conn, contracts, run_at)
        store_scorecard(conn, run_at, scorecard)
        seconds["scorecards"] = time.perf_counter() - start
        start = time.perf_counter()
        found = find_anomalies(conn)
        store_anomalies(conn, run_at, found)
        seconds["anomalies"] = time.perf_counter() - start
        store_outcomes(conn, run_at, outcomes)
        conn.commit()
        history = department_history(conn)
    path = None
    if report:
        start = time.perf_counter()
        path = write_report(out, run_at, scorecard, history, found, outcomes)
        seconds["report"] = time.perf_counter() - start
    return QualityRun(run_at, scorecard, found, outcomes, path, seconds)
