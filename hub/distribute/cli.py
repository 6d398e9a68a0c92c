"""``hub push``, ``hub sync``, ``hub feedback export`` and ``hub county CODE …`` (thin: the work is
in push, sync, corrections and feedback)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from hub.settings import get_settings

console = Console()
err = Console(stderr=True)
EXIT_USAGE = 2
EXIT_DATABASE = 4

county_app = typer.Typer(help="A county's sub-store: tasks, corrections, the station's review.")
feedback_app = typer.Typer(help="Feedback to departments (反哺).")

CountyOption = Annotated[
    list[str] | None, typer.Option("--county", "-c", help="County code (repeatable); all if unset.")
]


def _city() -> str:
    from hub.cli import _database

    return _database()


def _counties(codes: list[str] | None) -> list[str]:
    from hub.distribute.substore import CountyUnknownError, check_county, city_counties

    try:
        return [check_county(c) for c in codes] if codes else sorted(city_counties())
    except CountyUnknownError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(EXIT_USAGE) from exc


def push(
    county: CountyOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the reports as JSON.")] = False,
) -> None:
    """下发: push each county the records of its shard that changed, and its verification tasks."""
    import psycopg

    from hub.distribute.push import CountyUnreachableError, push_county
    from hub.distribute.shard import refresh_record_versions

    settings, city = get_settings(), _city()
    with psycopg.connect(city) as conn:
        refresh_record_versions(conn)
    reports, offline = [], []
    for code in _counties(county):
        try:
            reports.append(push_county(settings, city, code).to_dict())
        except CountyUnreachableError as exc:
            offline.append(code)
            reports.append({"county": code, "status": "unreachable", "error": str(exc)})
    if as_json:
        print(json.dumps(reports, ensure_ascii=False, default=str))
    else:
        table = Table("county", "status", "records moved", "tasks opened", "seconds")
        for r in reports:
            table.add_row(
                r["county"],
                r["status"],
                str(r.get("records_moved", "")),
                str(r.get("tasks_opened", "")),
                f"{r['seconds']:.2f}" if "seconds" in r else r.get("error", ""),
            )
        console.print(table)
    if offline:
        err.print(f"[yellow]unreachable, retried on the next push:[/yellow] {', '.join(offline)}")
        raise typer.Exit(EXIT_DATABASE)


def sync(
    county: CountyOption = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """上报: bring approved corrections from the counties to the city, exactly once."""
    import psycopg

    from hub.distribute.sync import sync_county

    settings, city = get_settings(), _city()
    reports, offline = [], []
    for code in _counties(county):
        try:
            reports.append(sync_county(settings, city, code).to_dict())
        except psycopg.OperationalError:
            offline.append(code)
    with psycopg.connect(city) as conn:
        conflicts = conn.execute(
            "select count(*) from distribute.correction_conflict where status = 'open'"
        ).fetchone()[0]
    if as_json:
        print(json.dumps({"counties": reports, "offline": offline, "open_conflicts": conflicts}))
    else:
        table = Table("county", "landed", "already there", "outcomes")
        for r in reports:
            table.add_row(
                r["county"], str(r["landed"]), str(r["already_landed"]), str(r["outcomes"])
            )
        console.print(table)
        if offline:
            err.print(
                f"[yellow]not reachable (their sub-store is missing or offline):[/yellow] {offline}"
            )
        console.print(
            f"open correction conflicts for a steward: {conflicts} (distribute.correction_conflict)"
        )


@feedback_app.command("export")
def feedback_export(
    department: Annotated[str, typer.Argument(help="Extract (gaj_rkxx) or department (police).")],
    out: Annotated[Path | None, typer.Option(help="Folder for the CSV files.")] = None,
) -> None:
    """Write the department's open feedback, in its own column names, one CSV per extract."""
    import psycopg

    from data_contracts import load_contracts
    from hub.distribute.feedback import export_feedback

    contracts = load_contracts()
    extracts = [e for e, c in contracts.items() if department in (e, c.department)]
    if not extracts:
        err.print(f"[red]unknown department {department!r}[/red]")
        raise typer.Exit(EXIT_USAGE)
    folder = out or get_settings().home_dir / "feedback"
    with psycopg.connect(_city()) as conn:
        for extract in sorted(extracts):
            path = folder / f"feedback_{extract}.csv"
            rows = export_feedback(conn, extract, path)
            console.print(f"{extract}: {rows} open item(s) → {path}")


@county_app.callback()
def county(ctx: typer.Context, code: Annotated[str, typer.Argument(help="County code.")]) -> None:
    """Work in county CODE's sub-store."""
    ctx.obj = _counties([code])[0]


def _substore(ctx: typer.Context):
    import psycopg

    from hub.distribute.substore import connect_substore, substore_conninfo

    _city()  # starts the embedded server when it hosts the sub-stores
    try:
        return connect_substore(substore_conninfo(get_settings(), ctx.obj))
    except psycopg.OperationalError as exc:
        err.print(f"[red]county {ctx.obj}'s sub-store cannot be reached:[/red] {exc}")
        raise typer.Exit(EXIT_DATABASE) from exc


@county_app.command()
def tasks(
    ctx: typer.Context,
    grid: Annotated[str | None, typer.Option(help="Only this grid's tasks.")] = None,
    limit: int = 50,
) -> None:
    """Open verification tasks (核查任务), oldest first."""
    from hub.distribute.corrections import open_tasks

    with _substore(ctx) as conn:
        rows = open_tasks(conn, grid=grid, limit=limit)
    table = Table("task", "kind", "subject", "record", "grid", "detail")
    for r in rows:
        detail = json.dumps(r["detail"], ensure_ascii=False)
        table.add_row(
            str(r["task_id"]),
            r["kind"],
            r["subject"],
            r["record_id"],
            r["grid_code"] or "-",
            detail[:60],
        )
    console.print(table)


@county_app.command()
def correct(
    ctx: typer.Context,
    subject: Annotated[str, typer.Argument(help="person, legal_entity, house, place …")],
    record_id: Annotated[str, typer.Argument(help="Master id of the record.")],
    gridworker: Annotated[str, typer.Option(help="Who reports it.")],
    set_: Annotated[str | None, typer.Option("--set", help="attribute=value to correct.")] = None,
    confirm: Annotated[bool, typer.Option(help="The record is right as shown.")] = False,
    flag: Annotated[
        str | None, typer.Option(help="moved_away, deceased or unknown_at_address.")
    ] = None,
    note: str | None = None,
) -> None:
    """A gridworker confirms, corrects one attribute, or flags a record."""
    from hub.distribute.corrections import CorrectionError, record_correction

    chosen = [x for x in (set_, confirm or None, flag) if x]
    if len(chosen) != 1:
        err.print("[red]give exactly one of --set attribute=value, --confirm, --flag[/red]")
        raise typer.Exit(EXIT_USAGE)
    attribute = value = None
    action = "confirm" if confirm else flag or "correct"
    if set_:
        attribute, _, value = set_.partition("=")
    with _substore(ctx) as conn:
        try:
            c = record_correction(
                conn,
                ctx.obj,
                subject=subject,
                record_id=record_id,
                action=action,
                gridworker=gridworker,
                attribute=attribute,
                value=value,
                note=note,
            )
        except (CorrectionError, ValueError) as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(EXIT_USAGE) from exc
    console.print(
        f"recorded {c.correction_id} (based on version {c.base_version}); "
        "waiting for the station's review"
    )


@county_app.command()
def review(
    ctx: typer.Context,
    correction_id: Annotated[str | None, typer.Argument(help="Omit to list pending.")] = None,
    reviewer: Annotated[str | None, typer.Option()] = None,
    approve: Annotated[bool, typer.Option("--approve/--reject")] = True,
    note: str | None = None,
) -> None:
    """初核: list pending corrections, or approve / reject one."""
    from hub.distribute.corrections import (
        CorrectionError,
        pending_corrections,
        review_correction,
    )

    with _substore(ctx) as conn:
        if correction_id is None:
            table = Table("correction", "record", "action", "attribute", "shown", "new", "by")
            for r in pending_corrections(conn):
                table.add_row(
                    r["correction_id"],
                    f"{r['subject']} {r['record_id']}",
                    r["action"],
                    r["attribute"] or "",
                    r["seen_value"] or "",
                    r["new_value"] or "",
                    r["gridworker"],
                )
            console.print(table)
            return
        if not reviewer:
            err.print("[red]--reviewer is required to decide[/red]")
            raise typer.Exit(EXIT_USAGE)
        try:
            decision = review_correction(
                conn, correction_id, reviewer=reviewer, approve=approve, note=note
            )
        except CorrectionError as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(EXIT_USAGE) from exc
    console.print(f"{correction_id}: {decision}")


def register(app: typer.Typer) -> None:
    app.command(help="下发: push each county its changed records and verification tasks.")(push)
    app.command(help="上报: sync approved corrections from the counties, exactly once.")(sync)
    app.add_typer(feedback_app, name="feedback")
    app.add_typer(county_app, name="county")
