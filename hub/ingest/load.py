"""Load one delivered file into staging, in one transaction, accounting for every row.

The whole delivery is one PostgreSQL transaction: a crash or kill part-way leaves the database
as it was, and running the same command again completes the load. The same file (same content
hash) never loads twice. A full snapshot replaces the extract's staged rows and marks the
delivery it replaces ``superseded``; an incremental delivery appends. Rows go in with COPY.
Every delivered file is archived under ``$HUB_HOME/archive`` first, so even a rejected or
superseded delivery can be read again exactly as it arrived.
"""

from __future__ import annotations

import hashlib
import io
import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psycopg
import pyarrow.csv as pacsv
from psycopg import sql
from psycopg.types.json import Jsonb

from data_contracts.loader import load_contract
from data_contracts.model import Contract
from hub.database.schema import ensure_core_schema, ensure_staging_table
from hub.ingest.errors import DeliveryRejected
from hub.ingest.mapping import map_columns
from hub.ingest.readers import open_delivery
from hub.ingest.validate import ChunkValidator, QuarantinedRow, RenderedChunk, ValidatedChunk
from hub.ingest.workers import checked_in_parallel, worker_count
from hub.settings import HubSettings, get_settings
from hub.vocabulary import DeliveryStatus, DeliveryWarning

# Files smaller than this are checked in the loading process: a pool would not pay for itself.
PARALLEL_MIN_BYTES = 4 << 20


@dataclass
class DeliveryResult:
    """What happened to one delivered file (printed by ``hub ingest``, ``--json`` for scripts)."""

    extract: str
    file_name: str
    status: str  # loaded / rejected / duplicate (already loaded: nothing done)
    delivery_id: int | None = None
    rows_read: int = 0
    rows_staged: int = 0
    rows_quarantined: int = 0
    warnings: list[dict] = field(default_factory=list)
    error: str | None = None
    duplicate_of: int | None = None
    superseded: list[int] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


def ingest_file(
    path: Path,
    extract: str,
    conninfo: str,
    settings: HubSettings | None = None,
    contract: Contract | None = None,
    workers: int | None = None,
) -> DeliveryResult:
    """Load ``path`` as a delivery of ``extract`` into the database at ``conninfo``.

    ``workers``: processes that check chunks in parallel (0: all in this process); by default
    one per core for a file big enough to be worth it. The result is the same either way.
    """
    settings = settings or get_settings()
    contract = contract or load_contract(extract)
    path = Path(path)
    started = time.perf_counter()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DeliveryRejected(f"{path.name}: cannot read the file: {exc.strerror}") from exc
    content_hash = hashlib.sha256(data).hexdigest()
    if workers is None:
        workers = worker_count() if len(data) >= PARALLEL_MIN_BYTES else 0
    archived = _archive(path, data, content_hash, contract, settings)
    del data

    with psycopg.connect(conninfo) as conn:
        ensure_core_schema(conn)
        conn.commit()
        try:
            result = _load(
                conn, path, contract, content_hash, archived, settings.ingest_chunk_rows, workers
            )
        except DeliveryRejected as exc:
            conn.rollback()
            result = _record_rejection(conn, path, contract, content_hash, archived, str(exc))
        except BaseException:
            conn.rollback()
            raise
    result.seconds = round(time.perf_counter() - started, 3)
    return result


def _archive(
    path: Path, data: bytes, content_hash: str, contract: Contract, settings: HubSettings
) -> Path:
    folder = settings.archive_dir / contract.extract
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{content_hash[:16]}__{path.name}"
    if not target.exists():
        partial = target.with_suffix(target.suffix + ".partial")
        partial.write_bytes(data)
        partial.replace(target)
    return target


def _load(
    conn: psycopg.Connection,
    path: Path,
    contract: Contract,
    content_hash: str,
    archived: Path,
    chunk_rows: int,
    workers: int = 0,
) -> DeliveryResult:
    # One loader per extract at a time: snapshots replace each other, so order matters.
    conn.execute("select pg_advisory_xact_lock(hashtext(%s))", [f"hub.ingest.{contract.extract}"])
    earlier = conn.execute(
        "select delivery_id from staging.delivery where extract = %s and content_hash = %s "
        "and status in ('loaded', 'superseded') order by delivery_id limit 1",
        [contract.extract, content_hash],
    ).fetchone()
    if earlier:
        conn.rollback()
        return DeliveryResult(contract.extract, path.name, "duplicate", duplicate_of=earlier[0])

    reader = open_delivery(path, contract)
    mapping = map_columns(reader.columns, contract, path.name)
    warnings = [
        {"code": str(code), "message": msg} for code, msg in reader.warnings + mapping.warnings
    ]

    delivery_id = _insert_delivery(conn, path, contract, content_hash, archived, "loaded")
    copy_columns = ensure_staging_table(conn, contract)
    table = sql.Identifier("staging", contract.extract)

    superseded: list[int] = []
    if contract.mode == "snapshot":
        superseded = [
            row[0]
            for row in conn.execute(
                "update staging.delivery set status = 'superseded', superseded_by = %s "
                "where extract = %s and status = 'loaded' and delivery_id <> %s returning delivery_id",
                [delivery_id, contract.extract, delivery_id],
            ).fetchall()
        ]
        conn.execute(sql.SQL("truncate {}").format(table))

    validator = ChunkValidator(contract, mapping, reader.columns, copy_columns, delivery_id)
    staged = quarantined = duplicate_keys = 0
    copy_sql = sql.SQL("copy {} ({}) from stdin with (format csv)").format(
        table, sql.SQL(", ").join(map(sql.Identifier, copy_columns))
    )

    # Chunks rendered by a worker come as COPY text with ``flags`` last (``render_columns``).
    copy_rendered_sql = sql.SQL("copy {} ({}) from stdin with (format csv)").format(
        table, sql.SQL(", ").join(map(sql.Identifier, validator.render_columns))
    )

    def write(checked: ValidatedChunk | RenderedChunk) -> None:
        if isinstance(checked, RenderedChunk):
            if checked.rows_staged:
                with conn.cursor().copy(copy_rendered_sql) as copy:
                    for piece in checked.copy_text:
                        copy.write(piece)
        elif checked.staged.num_rows:
            buffer = io.BytesIO()
            pacsv.write_csv(checked.staged, buffer, pacsv.WriteOptions(include_header=False))
            with conn.cursor().copy(copy_sql) as copy:
                copy.write(buffer.getvalue())
        _copy_quarantine(conn, delivery_id, contract.extract, checked.quarantined)

    chunks = reader.chunks(chunk_rows)
    if workers > 0:
        checked_chunks = checked_in_parallel(validator, chunks, workers)
    else:
        checked_chunks = ((chunk, None) for chunk in chunks)
    skipping_triggers = _skip_row_triggers(conn)
    # COPY of one chunk runs in a thread while the next chunks are checked (by worker
    # processes for a big file), so the server parses rows while Python checks the next ones.
    # Only the COPY thread touches the connection until the last chunk is written; rows go in
    # in file order, in this one transaction.
    with (
        closing(checked_chunks),
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="copy") as pool,
    ):
        pending: Future | None = None
        for chunk, checked_alone in checked_chunks:
            if checked_alone is None:
                checked = validator.validate(chunk)
            elif checked_alone.copy_text is not None:
                checked = validator.resolve_rendered(chunk, checked_alone)
            else:
                checked = validator.resolve(chunk, checked_alone)
            if pending is not None:
                pending.result()
            pending = pool.submit(write, checked)
            staged += (
                checked.rows_staged
                if isinstance(checked, RenderedChunk)
                else checked.staged.num_rows
            )
            quarantined += len(checked.quarantined)
            duplicate_keys += checked.duplicate_keys
        if pending is not None:
            pending.result()
    if skipping_triggers:
        conn.execute("set local session_replication_role = default")

    rows_read = staged + quarantined
    if duplicate_keys:
        warnings.append(
            {
                "code": str(DeliveryWarning.DUPLICATE_KEY),
                "message": f"{duplicate_keys} staged rows repeat the key ({', '.join(contract.key)}) "
                "of an earlier row; flagged duplicate_key",
            }
        )
    if rows_read == 0:
        raise DeliveryRejected(f"{path.name}: the file holds no data rows.")
    if contract.mode == "snapshot" and quarantined > contract.max_quarantine_ratio * rows_read:
        raise DeliveryRejected(
            f"{path.name}: {quarantined} of {rows_read} rows fail the contract (more than "
            f"{contract.max_quarantine_ratio:.0%}); a snapshot this broken would replace good "
            "data, so the whole file is refused. Check the file, or the contract."
        )
    conn.execute(
        "update staging.delivery set rows_read = %s, rows_staged = %s, rows_quarantined = %s, "
        "warnings = %s, loaded_at = now() where delivery_id = %s",
        [rows_read, staged, quarantined, Jsonb(warnings), delivery_id],
    )
    conn.commit()
    return DeliveryResult(
        contract.extract,
        path.name,
        DeliveryStatus.LOADED.value,
        delivery_id=delivery_id,
        rows_read=rows_read,
        rows_staged=staged,
        rows_quarantined=quarantined,
        warnings=warnings,
        superseded=superseded,
    )


def _skip_row_triggers(conn: psycopg.Connection) -> bool:
    """Skip the per-row foreign-key check of ``delivery_id`` while this delivery's rows go in.

    Every staged and quarantined row carries the delivery inserted by this very transaction,
    so the check (a lookup per row, half the server's COPY time) cannot fail. As pg_restore
    does for bulk loads, ``session_replication_role = replica`` skips it, for this transaction
    only (``set local``); the constraints stay as they are. Only a superuser may do this; for
    any other role the rows are checked as usual.
    """
    if conn.execute("select current_setting('is_superuser')").fetchone()[0] != "on":
        return False
    conn.execute("set local session_replication_role = replica")
    return True


def _insert_delivery(
    conn: psycopg.Connection,
    path: Path,
    contract: Contract,
    content_hash: str,
    archived: Path,
    status: str,
    error: str | None = None,
) -> int:
    """The delivery's row in staging.delivery; its number."""
    return conn.execute(
        "insert into staging.delivery (extract, department, file_name, content_hash, file_size, "
        "status, mode, error, archived_path, source_path) "
        "values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) returning delivery_id",
        [
            contract.extract,
            contract.department,
            path.name,
            content_hash,
            path.stat().st_size,
            status,
            contract.mode,
            error,
            str(archived),
            str(path.resolve()),
        ],
    ).fetchone()[0]


def _copy_quarantine(
    conn: psycopg.Connection, delivery_id: int, extract: str, rows: list[QuarantinedRow]
) -> None:
    if not rows:
        return
    with conn.cursor().copy(
        "copy staging.quarantine (delivery_id, extract, source_row, raw, reasons, reason_codes) "
        "from stdin"
    ) as copy:
        for row in rows:
            codes = list(dict.fromkeys(r["code"] for r in row.reasons))
            copy.write_row(
                [delivery_id, extract, row.source_row, Jsonb(row.raw), Jsonb(row.reasons), codes]
            )


def _record_rejection(
    conn, path: Path, contract: Contract, content_hash: str, archived: Path, error: str
) -> DeliveryResult:
    delivery_id = _insert_delivery(conn, path, contract, content_hash, archived, "rejected", error)
    conn.commit()
    return DeliveryResult(
        contract.extract,
        path.name,
        DeliveryStatus.REJECTED.value,
        delivery_id=delivery_id,
        error=error,
    )
