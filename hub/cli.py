"""``hub``: the command line of the hub. Verbs follow the pipeline (up, ingest, demo, ui …).

Exit codes: 0 done; 1 an unexpected failure; 2 wrong usage; 3 a delivery was rejected;
4 the database could not be reached or started.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from hub.settings import get_settings

app = typer.Typer(
    help="The hub: a city's population and legal-entity master data hub.", no_args_is_help=True
)
console = Console()
err = Console(stderr=True)

EXIT_REJECTED = 3
EXIT_DATABASE = 4


def _database(start: bool = True) -> str:
    """The libpq URL of the hub's database, starting the embedded one when that is in use."""
    from hub.database.connection import database_url, to_libpq
    from hub.database.embedded import EmbeddedDatabaseError, EmbeddedPostgres

    settings = get_settings()
    if not settings.database_url and start:
        try:
            EmbeddedPostgres(settings).start()
        except EmbeddedDatabaseError as exc:
            err.print(f"[red]Embedded database:[/red] {exc}")
            raise typer.Exit(EXIT_DATABASE) from exc
    return to_libpq(database_url(settings))


@app.command()
def up() -> None:
    """Start the embedded PostgreSQL (idempotent) and create the hub's tables."""
    import psycopg

    from hub.database.schema import ensure_core_schema
    from hub.ingest.inbox import ensure_inbox

    settings = get_settings()
    url = _database()
    try:
        with psycopg.connect(url) as conn:
            ensure_core_schema(conn)
    except psycopg.OperationalError as exc:
        err.print(f"[red]Cannot reach the database[/red] {url}: {exc}")
        raise typer.Exit(EXIT_DATABASE) from exc
    ensure_inbox(settings)
    where = "external" if settings.database_url else f"embedded, {settings.pgdata_dir}"
    console.print(
        f"[green]hub is up[/green] ({where})\ndatabase: {url}\ninbox:    {settings.inbox_dir}"
    )


@app.command()
def down() -> None:
    """Stop the embedded PostgreSQL."""
    from hub.database.embedded import EmbeddedPostgres

    settings = get_settings()
    if settings.database_url:
        console.print("HUB_DATABASE_URL is set: the hub does not run that server; nothing to stop.")
        return
    stopped = EmbeddedPostgres(settings).stop()
    console.print("embedded database stopped" if stopped else "embedded database was not running")


@app.command("db-url")
def db_url(
    sqlalchemy_form: Annotated[
        bool, typer.Option("--sqlalchemy", help="With the driver named.")
    ] = False,
) -> None:
    """Print the database URL in use (for psql or any client)."""
    from hub.database.connection import database_url, to_libpq

    url = database_url(get_settings())
    print(url if sqlalchemy_form else to_libpq(url))


@app.command()
def contracts() -> None:
    """List the data contracts: one per department extract."""
    from data_contracts import load_contracts

    table = Table("extract", "department", "title", "format", "mode", "key")
    for c in load_contracts().values():
        table.add_row(
            c.extract,
            c.department_name,
            c.title,
            f"{c.format} {c.encoding or ''}",
            c.mode,
            ", ".join(c.key),
        )
    console.print(table)


@app.command()
def ingest(
    extract: Annotated[str, typer.Argument(help="Extract name from the spec, e.g. gaj_rkxx.")],
    files: Annotated[
        list[Path], typer.Argument(help="Delivered file(s), loaded in the order given.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the accounting as JSON.")] = False,
) -> None:
    """Load delivered file(s) of EXTRACT into staging; bad rows go to quarantine with reasons."""
    from data_contracts import ContractError, load_contract
    from hub.ingest.load import ingest_file

    try:
        contract = load_contract(extract)
    except ContractError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    url = _database()
    results = [ingest_file(path, extract, url, get_settings(), contract) for path in files]
    if as_json:
        print(
            json.dumps(
                [r.to_dict() for r in results] if len(results) > 1 else results[0].to_dict(),
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print_results(results)
    if any(r.status == "rejected" for r in results):
        raise typer.Exit(EXIT_REJECTED)


def print_results(results) -> None:
    """One row per file; warnings and rejection reasons in full below the table."""
    table = Table("delivery", "extract", "file", "status", "read", "staged", "quarantined")
    for r in results:
        style = {"loaded": "green", "rejected": "red", "duplicate": "yellow"}[r.status]
        table.add_row(
            str(r.delivery_id or r.duplicate_of or ""),
            r.extract,
            r.file_name,
            f"[{style}]{r.status}[/{style}]",
            str(r.rows_read),
            str(r.rows_staged),
            str(r.rows_quarantined),
        )
    console.print(table)
    print_notes(results)


def print_notes(results) -> None:
    for r in results:
        if r.status == "rejected":
            console.print(f"[red]rejected[/red] {r.file_name}: {r.error}", soft_wrap=True)
        elif r.status == "duplicate":
            console.print(
                f"[yellow]already loaded[/yellow] {r.file_name}: same content as delivery {r.duplicate_of}; nothing loaded",
                soft_wrap=True,
            )
        if r.superseded:
            console.print(
                f"{r.file_name} supersedes delivery {', '.join(map(str, r.superseded))}: "
                f"{r.rows_new:,} rows new or changed, {r.rows_unchanged:,} unchanged (they keep "
                f"the delivery that brought them), {r.rows_removed:,} no longer listed",
                soft_wrap=True,
            )
        for w in r.warnings:
            console.print(
                f"[yellow]{w['code']}[/yellow] {r.file_name}: {w['message']}", soft_wrap=True
            )


def print_summary(results) -> None:
    """Per extract: files and rows, for a delivery run of many files (the demo)."""
    table = Table(
        "extract",
        "files",
        "loaded",
        "rejected",
        "already loaded",
        "rows read",
        "staged",
        "quarantined",
    )
    by_extract: dict[str, list] = {}
    for r in results:
        by_extract.setdefault(r.extract, []).append(r)
    for extract, rs in by_extract.items():
        table.add_row(
            extract,
            str(len(rs)),
            str(sum(r.status == "loaded" for r in rs)),
            str(sum(r.status == "rejected" for r in rs)),
            str(sum(r.status == "duplicate" for r in rs)),
            f"{sum(r.rows_read for r in rs):,}",
            f"{sum(r.rows_staged for r in rs):,}",
            f"{sum(r.rows_quarantined for r in rs):,}",
        )
    console.print(table)
    print_notes([r for r in results if r.status != "duplicate"])


@app.command()
def demo(
    persons: Annotated[int, typer.Option(help="Size of the synthetic city (persons).")] = 2000,
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed gives the same city.")
    ] = 20261123,
    as_json: Annotated[bool, typer.Option("--json", help="Print the accounting as JSON.")] = False,
    build_libraries: Annotated[
        bool, typer.Option("--build/--no-build", help="Build the subject libraries afterwards.")
    ] = True,
) -> None:
    """Generate a synthetic city (all nine extracts, with realistic defects), ingest it and
    build the subject libraries."""
    from hub.demo import generate_city
    from hub.ingest.load import ingest_file

    settings = get_settings()
    url = _database()
    out = settings.demo_dir / f"city_{persons}_{seed}"
    with console.status(f"generating a city of {persons:,} persons in {out} …"):
        manifest = generate_city(out, persons, seed=seed)
    results = []
    with console.status("ingesting …") as status:
        for extract, path in manifest.files:
            status.update(f"ingesting {path.name} …")
            results.append(ingest_file(path, extract, url, settings))
    if as_json:
        print(json.dumps([r.to_dict() for r in results], ensure_ascii=False, indent=2))
        if build_libraries:
            _build(quiet=True)
        return
    print_summary(results)
    read = sum(r.rows_read for r in results)
    staged = sum(r.rows_staged for r in results)
    quarantined = sum(r.rows_quarantined for r in results)
    console.print(
        f"\n[bold]{len(results)} deliveries[/bold]: {read:,} rows read = {staged:,} staged + "
        f"{quarantined:,} quarantined.\nLook at them:\n  psql {url} -c 'select * from staging.delivery'\n"
        f"  psql {url} -c 'select extract, source_row, reason_codes, raw from staging.quarantine'\n"
        "  .venv/bin/hub ui    (the Dagster UI)",
        soft_wrap=True,
    )
    if build_libraries:
        console.print()
        _build()


def _build(quiet: bool = False) -> None:
    """Materialize standardize → link → libraries → history; print what the marts hold."""
    from hub.libraries.build import build_libraries, library_counts

    settings = get_settings()
    url = _database()
    with console.status("building the subject libraries (dbt + linkage) …"):
        try:
            build_libraries(settings=settings)
        except Exception as exc:  # the failing step and its message, not a traceback
            console.print(f"[red]build failed:[/red] {exc}", soft_wrap=True)
            raise typer.Exit(1) from exc
    if quiet:
        return
    table = Table(title="subject libraries (schema hub)")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in library_counts(url).items():
        table.add_row(f"hub.{name}", f"{rows:,}")
    console.print(table)
    console.print(
        f"  psql {url} -c 'select * from hub.person limit 10'\n"
        f"  psql {url} -c 'select * from hub.conflict limit 10'",
        soft_wrap=True,
    )


@app.command("evaluate-linkage")
def evaluate_linkage(
    dataset: Annotated[
        str, typer.Option(help="febrl3 or febrl4 (labelled public benchmarks), or demo")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    persons: Annotated[int, typer.Option(help="demo: persons in the generated city.")] = 2000,
    database_url: Annotated[
        str | None, typer.Option(help="demo: an already built city instead of a new one.")
    ] = None,
    truth: Annotated[
        Path | None, typer.Option(help="demo: that city's truth folder (with --database-url).")
    ] = None,
) -> None:
    """Link a labelled dataset with its settings file; print pairwise precision, recall, F1."""
    from matching.datasets import DATASETS
    from matching.evaluate import evaluate_dataset

    if dataset == "demo":
        _evaluate_demo(persons, database_url, truth, as_json)
        return
    if dataset not in DATASETS:
        console.print(f"[red]unknown dataset {dataset!r}; known: {', '.join(DATASETS)}[/red]")
        raise typer.Exit(2)
    figures, _ = evaluate_dataset(dataset)
    if as_json:
        print(json.dumps(figures.as_dict(), indent=2))
        return
    table = Table(title=f"Linkage of {dataset}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in figures.as_dict().items():
        table.add_row(key, f"{value:.4f}" if isinstance(value, float) else str(value))
    console.print(table)


def _evaluate_demo(persons: int, database_url: str | None, truth: Path | None, as_json: bool):
    from hub.linkage.evaluate_demo import evaluate_demo

    figures = evaluate_demo(persons, database_url, truth)
    if as_json:
        print(json.dumps([f.as_dict() for f in figures], indent=2))
        return
    table = Table(title=f"Linkage of the demo city against its truth ({persons:,} persons)")
    table.add_column("measure")
    for f in figures:
        table.add_column(f.subject, justify="right")
    for key in figures[0].as_dict():
        if key == "subject":
            continue
        cells = []
        for f in figures:
            value = f.as_dict()[key]
            if isinstance(value, dict):
                value = ", ".join(f"{k} {v}" for k, v in value.items())
            cells.append(f"{value:.4f}" if isinstance(value, float) else str(value))
        table.add_row(key, *cells)
    console.print(table)


review_app = typer.Typer(
    help="The linkage review queue: doubtful pairs a steward accepts or rejects.",
    invoke_without_command=True,
)
app.add_typer(review_app, name="review")


@review_app.callback()
def review(
    ctx: typer.Context,
    subject: Annotated[str | None, typer.Option(help="person or legal_entity")] = None,
    limit: Annotated[int, typer.Option(help="How many pairs to show.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print the pairs as JSON.")] = False,
) -> None:
    """List open pairs, both records side by side, most likely first."""
    if ctx.invoked_subcommand is not None:
        return
    from hub.database.connection import connect
    from hub.linkage.review import open_items

    with connect(_database()) as conn:
        items = open_items(conn, subject, limit)
    if as_json:
        print(json.dumps([i.__dict__ for i in items], ensure_ascii=False, indent=2, default=str))
        return
    if not items:
        console.print("The review queue is empty.")
        return
    for item in items:
        table = Table(title=f"#{item.review_id} {item.subject}  score {item.score:.2f}")
        table.add_column("field")
        table.add_column(f"mention {item.mention_id}")
        table.add_column(f"candidate {item.candidate}")
        mention = item.mention_record or {}
        candidate = item.candidate_record or {}
        for field in (
            "name",
            "citizen_id_as_read",
            "citizen_id",
            "sex",
            "birth_date",
            "phone",
            "address_text",
            "registration_address",
            "credit_code",
            "organization_code",
        ):
            if field in mention or field in candidate:
                table.add_row(field, str(mention.get(field, "")), str(candidate.get(field, "")))
        table.add_row("evidence", json.dumps(item.evidence, ensure_ascii=False), "")
        console.print(table)
    console.print("Decide with: hub review accept ID  /  hub review reject ID")


def _decide(review_id: int, accept: bool, steward: str) -> None:
    from hub.database.connection import connect
    from hub.linkage.review import decide

    with connect(_database()) as conn:
        try:
            item = decide(conn, review_id, accept, steward)
        except LookupError as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from exc
    console.print(
        f"#{item.review_id} {item.status}: {item.mention_id} ↔ {item.candidate} "
        "(applied on the next hub build)"
    )


@review_app.command("accept")
def review_accept(
    review_id: int,
    by: Annotated[str, typer.Option(help="Who decides.")] = os.environ.get("USER", "steward"),
) -> None:
    """Accept a pair: the mention is that subject (method `steward`)."""
    _decide(review_id, True, by)


@review_app.command("reject")
def review_reject(
    review_id: int,
    by: Annotated[str, typer.Option(help="Who decides.")] = os.environ.get("USER", "steward"),
) -> None:
    """Reject a pair: they are not the same; the pair does not come back."""
    _decide(review_id, False, by)


@app.command()
def build() -> None:
    """Build the subject libraries from what is staged: standardize, link, golden records, history."""
    _build()


@app.command()
def docs(
    serve: Annotated[
        bool, typer.Option("--serve", help="Serve the site after generating it.")
    ] = False,
    port: Annotated[int, typer.Option(help="Port to serve it on.")] = 8080,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
) -> None:
    """Generate the dbt documentation of the subject libraries (models, columns, lineage,
    catalog); --serve to browse it."""
    from hub.libraries.docs import DocsFailed, generate_docs, serve_docs

    settings = get_settings()
    _database()
    try:
        page = generate_docs(settings)
    except DocsFailed as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"dbt docs: {page} (one file, opens in a browser); site in {page.parent}")
    if serve:
        console.print(f"serving on http://{host}:{port}")
        raise typer.Exit(serve_docs(settings, port, host))


@app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """One screen: deliveries against their cadence, rejections, review queue, conflicts,
    counties, and anything failing (with the reason and the next step)."""
    from hub.operate.report import status_report
    from hub.operate.status_view import render_status

    report = status_report(get_settings(), _database())
    if as_json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        render_status(report, console)


@app.command("backup")
def backup_command(
    file: Annotated[Path, typer.Argument(help="Where to write the archive (pg_dump format).")],
) -> None:
    """Back up the hub's database (staging, link registry, review decisions, libraries, history)."""
    from hub.operate.backup import BackupError, backup

    try:
        path = backup(get_settings(), _database(), file)
    except BackupError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"backed up to {path} ({path.stat().st_size:,} bytes)")


@app.command("restore")
def restore_command(
    file: Annotated[Path, typer.Argument(help="An archive written by `hub backup`.")],
) -> None:
    """Restore the hub's database from a backup, replacing what it holds (one transaction)."""
    from hub.operate.backup import BackupError, restore

    try:
        restore(get_settings(), _database(), file)
    except BackupError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"restored from {file}; run `hub build` to rebuild the libraries from it")


@app.command()
def quality(
    as_json: Annotated[bool, typer.Option("--json", help="Print the scorecard as JSON.")] = False,
) -> None:
    """Check data quality: GX suites, department scorecards, cross-department anomalies, report."""
    from quality.cli import print_quality

    _database()
    print_quality(console, as_json=as_json)


@app.command()
def ui(
    port: Annotated[int, typer.Option(help="Port of the Dagster UI.")] = 3000,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
) -> None:
    """Open the Dagster UI (the stewards' view) on the hub's database."""
    from orchestration.instance import prepare_dagster_home

    settings = get_settings()
    _database()
    home = prepare_dagster_home(settings)
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    console.print(f"Dagster UI on http://{host}:{port} (DAGSTER_HOME={home})")
    cmd = [
        sys.executable,
        "-m",
        "dagster",
        "dev",
        "-m",
        "orchestration.definitions",
        "-h",
        host,
        "-p",
        str(port),
    ]
    raise typer.Exit(subprocess.call(cmd, env=env))


def _register_share() -> None:
    """``hub serve``, ``hub grant …`` and ``hub audit``: the share service (hub/share/cli.py)."""
    from hub.share.cli import register

    register(app)


_register_share()


def _register_distribute() -> None:
    """``hub push``, ``hub sync``, ``hub feedback export``, ``hub county CODE …`` (hub/distribute)."""
    from hub.distribute.cli import register

    register(app)


_register_distribute()


if __name__ == "__main__":
    app()
