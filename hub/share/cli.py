"""The share service's commands: ``hub serve``, ``hub grant issue|revoke|list|check``, ``hub audit``.

Registered on the main ``hub`` app by :func:`register`; heavy imports stay inside the commands so
that ``hub --help`` stays fast.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

console = Console()
err = Console(stderr=True)

grant_app = typer.Typer(help="Issue, revoke and list departments' API keys; check the grants file.")

_DURATION = re.compile(r"^(\d+)([dh])$")


def parse_expiry(text: str | None, now: dt.datetime | None = None) -> dt.datetime | None:
    """``90d``, ``12h``, an ISO date or datetime (UTC if no zone), or ``never``/None."""
    if not text or text == "never":
        return None
    now = now or dt.datetime.now(dt.UTC)
    if match := _DURATION.match(text):
        n, unit = int(match[1]), match[2]
        return now + (dt.timedelta(days=n) if unit == "d" else dt.timedelta(hours=n))
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r}: use 90d, 12h, 2027-01-31 or never") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def parse_since(text: str | None, now: dt.datetime | None = None) -> dt.datetime | None:
    """``24h``/``7d`` ago, or an ISO date or datetime."""
    if not text:
        return None
    now = now or dt.datetime.now(dt.UTC)
    if _DURATION.match(text):
        return now - (parse_expiry(text, now) - now)
    return parse_expiry(text, now)


def _owner_connection():
    """The owner's connection, with the service's role, schemas and privileges in place."""
    import psycopg

    from hub.cli import _database
    from hub.share.database import ensure_share_database
    from hub.share.settings import get_share_settings

    conn = psycopg.connect(_database(), autocommit=True)
    ensure_share_database(conn, get_share_settings())
    return conn


def _grants():
    from hub.share.grants import GrantsError, load_grants
    from hub.share.settings import get_share_settings

    path = get_share_settings().grants_file
    try:
        return load_grants(path)
    except GrantsError as exc:
        err.print(f"[red]grants:[/red] {exc}", soft_wrap=True)
        raise typer.Exit(2) from exc


@grant_app.command("issue")
def grant_issue(
    department: Annotated[str, typer.Argument(help="Department code from the grants file.")],
    purpose: Annotated[
        list[str] | None,
        typer.Option(help="Restrict the key to these granted purposes (repeatable)."),
    ] = None,
    expires: Annotated[str, typer.Option(help="90d, 12h, an ISO date, or never.")] = "365d",
    label: Annotated[str | None, typer.Option(help="Who holds the key (free text).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Issue an API key for DEPARTMENT; the key is printed once and stored only hashed."""
    from hub.share.keys import issue_key

    grants = _grants()
    dept = grants.departments.get(department)
    if dept is None:
        err.print(f"[red]no department {department!r} in the grants file[/red]")
        raise typer.Exit(2)
    stray = [p for p in purpose or () if p not in dept.purposes]
    if stray:
        err.print(f"[red]purposes not granted to {department}:[/red] {', '.join(stray)}")
        raise typer.Exit(2)
    with _owner_connection() as conn:
        issued = issue_key(
            conn,
            department,
            purposes=tuple(purpose or ()),
            expires_at=parse_expiry(expires),
            label=label,
        )
    if as_json:
        print(
            json.dumps(
                {
                    "key_id": issued.key_id,
                    "department": department,
                    "key": issued.key,
                    "expires_at": issued.expires_at and issued.expires_at.isoformat(),
                }
            )
        )
        return
    console.print(
        f"key id [bold]{issued.key_id}[/bold] for {department} ({dept.name}), "
        f"expires {issued.expires_at or 'never'}"
    )
    console.print("The key (shown once, store it now):")
    print(issued.key)


@grant_app.command("revoke")
def grant_revoke(key_id: Annotated[str, typer.Argument(help="The key id (not the key).")]) -> None:
    """Revoke a key at once; it stays listed, and in the audit trail."""
    from hub.share.keys import revoke_key

    with _owner_connection() as conn:
        if not revoke_key(conn, key_id):
            err.print(f"[red]no live key {key_id!r}[/red]")
            raise typer.Exit(2)
    console.print(f"key {key_id} revoked")


@grant_app.command("list")
def grant_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every key issued: department, purposes, issued, expires, state (never the secret)."""
    from hub.share.keys import list_keys

    with _owner_connection() as conn:
        keys = list_keys(conn)
    if as_json:
        print(json.dumps(keys, default=str, ensure_ascii=False, indent=2))
        return
    table = Table("key id", "department", "label", "purposes", "issued", "expires", "state")
    for k in keys:
        table.add_row(
            k["key_id"],
            k["department"],
            k["label"] or "",
            ", ".join(k["purposes"]) or "(all granted)",
            f"{k['issued_at']:%Y-%m-%d %H:%M}",
            f"{k['expires_at']:%Y-%m-%d %H:%M}" if k["expires_at"] else "never",
            k["state"],
        )
    console.print(table)


@grant_app.command("check")
def grant_check() -> None:
    """Validate the grants file (and its fields against the serving tables, if refreshed)."""
    from hub.share.grants import GrantsError, check_fields
    from hub.share.serving import is_refreshed, serving_columns
    from hub.share.settings import get_share_settings

    grants = _grants()
    with _owner_connection() as conn:
        if is_refreshed(conn):
            try:
                check_fields(grants, serving_columns(conn), get_share_settings().grants_file)
            except GrantsError as exc:
                err.print(f"[red]grants:[/red] {exc}", soft_wrap=True)
                raise typer.Exit(2) from exc
    console.print(
        f"grants ok: {len(grants.departments)} departments, {len(grants.purposes)} purposes"
    )


def serve(
    host: Annotated[str | None, typer.Option(help="Default HUB_SHARE_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Default HUB_SHARE_PORT.")] = None,
    refresh: Annotated[
        bool, typer.Option("--refresh/--no-refresh", help="Rebuild the serving tables first.")
    ] = True,
    workers: Annotated[int | None, typer.Option(help="Default HUB_SHARE_WORKERS.")] = None,
) -> None:
    """Run the share service (OpenAPI docs at /docs) against the hub's database."""
    import uvicorn

    from hub.share.serving import is_refreshed, refresh_serving_tables
    from hub.share.settings import get_share_settings

    settings = get_share_settings()
    _grants()
    with _owner_connection() as conn:
        if refresh or not is_refreshed(conn):
            with console.status("refreshing the serving tables (schema share) …"):
                counts = refresh_serving_tables(conn)
            console.print(f"serving tables refreshed: {counts['person']:,} persons")
    host, port = host or settings.host, port or settings.port
    console.print(f"share service on http://{host}:{port} (docs: /docs)")
    uvicorn.run(
        "hub.share.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers or settings.workers,
        log_level="warning",
    )


def audit(
    department: Annotated[str | None, typer.Option(help="Only this department.")] = None,
    since: Annotated[str | None, typer.Option(help="ISO date/time, or 24h, 7d ago.")] = None,
    identifier: Annotated[str | None, typer.Option(help="Requests that asked for it.")] = None,
    limit: Annotated[int, typer.Option(help="Most rows, newest first.")] = 50,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Read the share service's audit trail (audit.request_log), newest first."""
    from hub.share.audit import query_audit

    moment = parse_since(since)
    with _owner_connection() as conn:
        rows = query_audit(
            conn, department=department, since=moment, identifier=identifier, limit=limit
        )
    if as_json:
        print(json.dumps(rows, default=str, ensure_ascii=False, indent=2))
        return
    table = Table(
        "id", "at", "department", "key", "endpoint", "purpose", "asked", "returned", "status"
    )
    for r in rows:
        asked = ", ".join(r["first_identifiers"])
        if r["identifiers_asked"] > 5:
            asked += f" … ({r['identifiers_asked']:,})"
        style = "green" if r["status"] < 400 else "red"
        table.add_row(
            str(r["id"]),
            f"{r['at']:%Y-%m-%d %H:%M:%S}",
            r["department"] or "",
            r["key_id"] or "",
            f"{r['method']} {r['endpoint']}",
            r["purpose"] or "",
            asked,
            str(r["records_returned"]),
            f"[{style}]{r['status']}[/{style}]",
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add ``serve``, ``grant`` and ``audit`` to the ``hub`` command."""
    app.command()(serve)
    app.command()(audit)
    app.add_typer(grant_app, name="grant")
