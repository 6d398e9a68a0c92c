"""What ``hub quality`` prints: the department scorecard (rich), anomaly counts, the report's path."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table

from quality.anomalies import KINDS
from quality.run import run_quality
from quality.scores import DIMENSIONS


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}"


def print_quality(console: Console, *, as_json: bool = False) -> None:
    with console.status("checking quality (GX suites, scorecards, anomalies) …"):
        run = run_quality()
    departments = [r for r in run.scorecard if r.extract is None and r.delivery_id is None]
    departments.sort(key=lambda r: -(r.scores.get("overall") or 0))
    if as_json:
        print(
            json.dumps(
                {
                    "run_at": run.run_at.isoformat(),
                    "departments": [
                        {"department": r.department, "rows": r.rows, **r.scores}
                        for r in departments
                    ],
                    "anomalies": {
                        k.kind: sum(a.kind == k.kind for a in run.anomalies) for k in KINDS
                    },
                    "report": str(run.report),
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    table = Table(title=f"department scorecards (%) — {run.run_at:%Y-%m-%d %H:%M} UTC")
    table.add_column("department")
    table.add_column("rows", justify="right")
    for dim in (*DIMENSIONS, "overall"):
        table.add_column(dim, justify="right")
    for r in departments:
        cells = [_pct(r.scores.get(d)) for d in (*DIMENSIONS, "overall")]
        table.add_row(r.department, f"{r.rows:,}", *cells)
    console.print(table)
    anomalies = Table(title="cross-department anomalies (quality.anomaly)")
    anomalies.add_column("kind")
    anomalies.add_column("found", justify="right")
    for k in KINDS:
        anomalies.add_row(k.title, str(sum(a.kind == k.kind for a in run.anomalies)))
    console.print(anomalies)
    failed = sum(not o.success for o in run.outcomes)
    console.print(
        f"{len(run.outcomes)} expectations, {failed} failed. Report: {run.report}\n"
        f"GX Data Docs: {run.report.parent / 'gx' / 'index.html' if run.report else '–'}",
        soft_wrap=True,
    )
