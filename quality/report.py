"""The stewards' HTML summary: scorecards, each department's trend, anomalies, failed expectations.

One self-contained page (inline SVG charts, no scripts, no CDN: the hub runs offline) beside the
GX Data Docs that hold the expectation-level detail (``gx/index.html``).
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from pathlib import Path

from quality.anomalies import KINDS, Anomaly
from quality.scorecard import ScoreRow
from quality.scores import DIMENSIONS
from quality.validation import ExpectationOutcome

CHART_W, CHART_H, PAD = 260, 90, 14


def trend_svg(department: str, points: list[tuple[datetime, float]]) -> str:
    """A small line chart of a department's overall score, run by run (y axis 0.5–1)."""
    lo, hi = 0.5, 1.0
    n = len(points)

    def xy(i: int, score: float) -> tuple[float, float]:
        x = PAD + (CHART_W - 2 * PAD) * (i / (n - 1) if n > 1 else 0.5)
        clipped = min(hi, max(lo, score))
        y = CHART_H - PAD - (CHART_H - 2 * PAD) * (clipped - lo) / (hi - lo)
        return round(x, 1), round(y, 1)

    coords = [xy(i, s) for i, (_, s) in enumerate(points)]
    line = " ".join(f"{x},{y}" for x, y in coords)
    dots = "".join(
        f'<circle cx="{x}" cy="{y}" r="2.5"><title>{escape(t.isoformat(timespec="seconds"))}: '
        f"{s:.3f}</title></circle>"
        for (x, y), (t, s) in zip(coords, points, strict=True)
    )
    last = points[-1][1] if points else 0
    return (
        f'<svg class="trend" role="img" aria-label="trend of {escape(department)}" '
        f'width="{CHART_W}" height="{CHART_H}" viewBox="0 0 {CHART_W} {CHART_H}" '
        'xmlns="http://www.w3.org/2000/svg">'
        f'<rect width="{CHART_W}" height="{CHART_H}" fill="#fafafa" stroke="#ddd"/>'
        f'<line x1="{PAD}" x2="{CHART_W - PAD}" y1="{PAD}" y2="{PAD}" stroke="#eee"/>'
        f'<text x="2" y="{PAD + 4}" font-size="9" fill="#999">1.0</text>'
        f'<text x="2" y="{CHART_H - PAD + 4}" font-size="9" fill="#999">0.5</text>'
        f'<polyline points="{line}" fill="none" stroke="#2a6ebb" stroke-width="2"/>'
        f'<g fill="#2a6ebb">{dots}</g>'
        f'<text x="{CHART_W - PAD}" y="{CHART_H - 2}" font-size="10" text-anchor="end">'
        f"{escape(department)} {last:.3f}</text></svg>"
    )


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _scorecard_table(rows: list[ScoreRow]) -> str:
    head = "".join(f"<th>{d}</th>" for d in (*DIMENSIONS, "overall"))
    body = []
    for r in sorted(rows, key=lambda r: -(r.scores.get("overall") or 0)):
        cells = "".join(f"<td>{_pct(r.scores.get(d))}</td>" for d in (*DIMENSIONS, "overall"))
        what = escape(r.extract or "all extracts")
        body.append(
            f"<tr><td>{escape(r.department)}</td><td>{what}</td><td>{r.rows:,}</td>{cells}</tr>"
        )
    return (
        '<table class="scorecard"><tr><th>department</th><th>extract</th><th>rows</th>'
        f"{head}</tr>{''.join(body)}</table>"
    )


def _anomalies(found: list[Anomaly]) -> str:
    parts = []
    for k in KINDS:
        mine = [a for a in found if a.kind == k.kind]
        items = "".join(
            f"<li><code>{escape(a.master_id or a.details.get('std_address_code', ''))}</code> "
            f"{escape(str(a.details))}</li>"
            for a in mine[:50]
        )
        parts.append(
            f'<h3 id="{k.kind}">{escape(k.title)} — {len(mine)}</h3>'
            f"<p>table <code>quality.anomaly</code> where kind = '{k.kind}'; source rows in "
            f"<code>quality.anomaly_record</code></p><ul>{items}</ul>"
        )
    return "".join(parts)


def _failures(outcomes: list[ExpectationOutcome]) -> str:
    rows = "".join(
        f"<tr><td>{escape(o.table)}</td><td>{escape(o.rule)}</td><td>{escape(o.description)}</td>"
        f"<td>{'' if o.unexpected_count is None else o.unexpected_count}</td></tr>"
        for o in outcomes
        if not o.success
    )
    return (
        "<table><tr><th>table</th><th>rule</th><th>what it checks</th><th>rows failing</th></tr>"
        f"{rows}</table>"
    )


STYLE = """
body{font-family:sans-serif;margin:2em;color:#222} table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:right}
td:first-child,td:nth-child(2),th{text-align:left} .trends{display:flex;flex-wrap:wrap;gap:12px}
"""


def write_report(
    reports_dir: Path,
    run_at: datetime,
    scorecard: list[ScoreRow],
    history: dict[str, list[tuple[datetime, float]]],
    found: list[Anomaly],
    outcomes: list[ExpectationOutcome],
) -> Path:
    """Write ``quality.html`` (and keep the GX Data Docs in ``gx/``); return the page's path."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    departments = [r for r in scorecard if r.extract is None and r.delivery_id is None]
    extracts = [r for r in scorecard if r.extract is not None and r.delivery_id is None]
    charts = "".join(trend_svg(d, pts) for d, pts in sorted(history.items()))
    docs = "gx/index.html" if (reports_dir / "gx" / "index.html").exists() else None
    link = f'<p>Expectation detail: <a href="{docs}">GX Data Docs</a></p>' if docs else ""
    html = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Data quality report — {run_at:%Y-%m-%d %H:%M}</title>
<style>{STYLE}</style></head><body>
<h1>Data quality report (数据质量报告)</h1>
<p>Run at {escape(run_at.isoformat(timespec="seconds"))}. Scores are shares from 0 to 100 %;
how each is computed: docs/quality.md.</p>{link}
<h2>Department scorecards</h2>{_scorecard_table(departments)}
<h2>Trend of each department's overall score</h2><div class="trends">{charts}</div>
<h2>Scorecards by extract</h2>{_scorecard_table(extracts)}
<h2>Cross-department anomalies (跨部门异常)</h2>{_anomalies(found)}
<h2>Failed expectations</h2>{_failures(outcomes)}
</body></html>
"""
    path = reports_dir / "quality.html"
    path.write_text(html, encoding="utf-8")
    return path
