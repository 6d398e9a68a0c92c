"""The terminal screen of ``hub status`` (rich): one table per concern, failures last and loud."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from hub.operate.status import StatusReport

STATE_STYLE = {"on time": "green", "overdue": "red", "never delivered": "yellow"}


def _when(value) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else "—"


def render_status(report: StatusReport, console: Console) -> None:
    deliveries = Table(title="Deliveries (归集) per department", title_justify="left")
    for column in ("department", "extract", "cadence", "last file", "last accepted", "age"):
        deliveries.add_column(column)
    deliveries.add_column("state")
    deliveries.add_column("staged", justify="right")
    deliveries.add_column("quarantined", justify="right")
    deliveries.add_column("quality", justify="right")
    for e in report.extracts:
        style = STATE_STYLE.get(e.state, "white")
        last = e.last_file or "—"
        if e.last_status == "rejected":
            last = f"[red]{last} (rejected)[/red]"
        deliveries.add_row(
            e.department_name,
            e.extract,
            e.cadence,
            last,
            _when(e.last_loaded_at),
            e.age or "—",
            f"[{style}]{e.state}[/{style}]",
            f"{e.rows_staged:,}",
            f"{e.rows_quarantined:,}",
            f"{e.quality_score:.2f}" if e.quality_score is not None else "—",
        )
    console.print(deliveries)

    queue = report.review_queue
    queue_text = (
        "not built yet"
        if queue is None
        else f"{sum(queue.values())} open"
        + (f" ({', '.join(f'{k} {v}' for k, v in sorted(queue.items()))})" if queue else "")
    )
    conflicts = "not built yet" if report.conflicts is None else f"{report.conflicts:,}"
    console.print(f"[bold]Review queue:[/bold] {queue_text}   (hub review)")
    console.print(f"[bold]Conflicts between departments:[/bold] {conflicts}")
    if report.correction_conflicts is not None:
        console.print(
            f"[bold]County corrections waiting for a steward:[/bold] {report.correction_conflicts}"
        )

    if report.counties is None:
        console.print("[bold]Counties (下发/上报):[/bold] not set up")
    else:
        counties = Table("county", "last push", "push status", "last sync", title="Counties")
        for c in report.counties:
            counties.add_row(
                c.county, _when(c.last_push_at), c.last_push_status or "—", _when(c.last_sync_at)
            )
        console.print(counties)

    if not report.failures:
        console.print("[green]Nothing failing.[/green]")
    else:
        console.print(f"[bold red]Failing ({len(report.failures)}):[/bold red]")
        for f in report.failures:
            console.print(
                f"[red]✗ {f.kind}[/red] [bold]{f.what}[/bold] ({_when(f.when)})\n"
                f"    why:  {f.reason}\n    next: {f.next_step}",
                soft_wrap=True,
                highlight=False,
            )
    for note in report.notes:
        console.print(f"[dim]{note}[/dim]")
