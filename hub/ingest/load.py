"""Load one delivered file into staging, in one transaction, accounting for every row.

The whole delivery is one PostgreSQL transaction: a crash or kill part-way leaves the database
as it was, and running the same command again completes the load. The same file (same content
hash) never loads twice. A full snapshot replaces the extract's staged rows and marks the
delivery it replaces ``superseded``, staging only its change set (``hub.ingest.changes``): a row
delivered again unchanged keeps its staged row and the delivery that first brought it. An
incremental delivery appends. Rows go in with COPY.
Every delivered file is archived under ``$HUB_HOME/archive`` first, so even a rejected or
superseded delivery can be read again exactly as it arrived.
"""

from __future__ import annotations

import hashlib
import io
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psycopg
import pyarrow.csv as pacsv
from psycopg import sql
from psycopg.types.json import Jsonb

from data_contracts.loader import load_contract
from data_contracts.model import Contract
from hub.database.schema import ensure_core_schema, ensure_staging_table, staging_columns
from hub.ingest.changes import ChangeSet, apply_change_set, create_incoming, has_staged_rows
from hub.ingest.errors import DeliveryRejected
from hub.ingest.mapping import map_columns
from hub.ingest.readers import DeliveryReader, RawChunk, open_delivery
from hub.ingest.segments import CsvPlan, QuarantineOrder, UndecodableSegment
from hub.ingest.validate import ChunkValidator, QuarantinedRow, RenderedChunk, ValidatedChunk
from hub.ingest.workers import checked_in_parallel, segments_in_parallel, worker_count
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
    # of the rows staged: new or changed (staged under this delivery) / identical to a row a
    # previous snapshot staged (which keeps its delivery); rows of earlier snapshots not listed
    rows_new: int = 0
    rows_unchanged: int = 0
    rows_removed: int = 0
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
    one per core for a file big enough to be worth it. With workers, a CSV file is decoded and
    parsed by them too, in segments (``hub.ingest.segments``). The result is the same either way.
    """
    settings = settings or get_settings()
    contract = contract or load_contract(extract)
    path = Path(path)
    started = time.perf_counter()
    # The staging columns load the standardizers' tables (a second on first use); while the
    # file is read, hashed, archived and scanned (which release the GIL), a thread loads them.
    warming = threading.Thread(target=_warm_up, args=(contract,), daemon=True)
    warming.start()
    try:
        result = _read_and_load(path, contract, conninfo, settings, workers, warming)
    finally:
        warming.join()  # a later load must not fork worker processes while it runs
    result.seconds = round(time.perf_counter() - started, 3)
    return result


def _read_and_load(
    path: Path,
    contract: Contract,
    conninfo: str,
    settings: HubSettings,
    workers: int | None,
    warming: threading.Thread,
) -> DeliveryResult:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DeliveryRejected(f"{path.name}: cannot read the file: {exc.strerror}") from exc
    content_hash = hashlib.sha256(data).hexdigest()
    if workers is None:
        workers = worker_count() if len(data) >= PARALLEL_MIN_BYTES else 0
    archived = _archive(path, data, content_hash, contract, settings)
    # Handed on to the reader (not read again), which keeps the bytes only as long as it needs.
    delivered = [data]
    del data

    with psycopg.connect(conninfo) as conn:
        ensure_core_schema(conn)
        conn.commit()
        try:
            result = _load(
                conn,
                path,
                contract,
                content_hash,
                archived,
                settings.ingest_chunk_rows,
                workers,
                delivered,
                warming,
            )
        except DeliveryRejected as exc:
            conn.rollback()
            result = _record_rejection(
                conn,
                path,
                contract,
                content_hash,
                archived,
                str(exc),
                getattr(exc, "delivery_id", None),
            )
        except BaseException:
            conn.rollback()
            raise
    return result


def _warm_up(contract: Contract) -> None:
    # Errors show later, where ``ensure_staging_table`` computes the same columns again.
    with suppress(Exception):
        staging_columns(contract)


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
    delivered: list[bytes] | None = None,
    warming: threading.Thread | None = None,
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

    data = delivered.pop() if delivered else None
    reader = open_delivery(path, contract, split=workers > 0, data=data)
    del data
    try:
        mapping = map_columns(reader.columns, contract, path.name)
    except DeliveryRejected:
        reader.refuse_undecodable()  # a file that does not decode is refused for that first
        raise
    warnings = [
        {"code": str(code), "message": msg} for code, msg in reader.warnings + mapping.warnings
    ]

    delivery_id = _insert_delivery(conn, path, contract, content_hash, archived, "loaded")
    if warming is not None:
        warming.join()  # before worker processes fork: no thread may hold a lock then
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
    # A snapshot replaces the extract's rows; when some are staged already, it goes into a
    # temporary table first and only its difference moves into staging (``hub.ingest.changes``).
    change_set = contract.mode == "snapshot" and has_staged_rows(conn, table)
    target = create_incoming(conn, table) if change_set else table

    validator = ChunkValidator(contract, mapping, reader.columns, copy_columns, delivery_id)
    staged = quarantined = duplicate_keys = 0
    copy_sql = sql.SQL("copy {} ({}) from stdin with (format csv)").format(
        target, sql.SQL(", ").join(map(sql.Identifier, copy_columns))
    )

    # Chunks rendered by a worker come as COPY text with ``flags`` last (``render_columns``).
    copy_rendered_sql = sql.SQL("copy {} ({}) from stdin with (format csv)").format(
        target, sql.SQL(", ").join(map(sql.Identifier, validator.render_columns))
    )

    def write(checked: ValidatedChunk | RenderedChunk | None, quarantine: list) -> None:
        if isinstance(checked, RenderedChunk):
            if checked.rows_staged:
                with conn.cursor().copy(copy_rendered_sql) as copy:
                    for piece in checked.copy_text:
                        copy.write(piece)
        elif checked is not None and checked.staged.num_rows:
            buffer = io.BytesIO()
            pacsv.write_csv(checked.staged, buffer, pacsv.WriteOptions(include_header=False))
            with conn.cursor().copy(copy_sql) as copy:
                copy.write(buffer.getvalue())
        _copy_quarantine(conn, delivery_id, contract.extract, quarantine)

    if reader.plan is not None:
        results = _segments_resolved(validator, reader.plan, workers, chunk_rows)
    else:
        results = _chunks_resolved(validator, reader, workers, chunk_rows)
    skipping_triggers = _skip_row_triggers(conn)
    # COPY of one chunk runs in a thread while the next chunks are checked (by worker
    # processes for a big file), so the server parses rows while Python checks the next ones.
    # Only the COPY thread touches the connection until the last chunk is written; rows go in
    # in file order, in this one transaction.
    with (
        closing(results),
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="copy") as pool,
    ):
        pending: Future | None = None
        try:
            for checked, quarantine in results:
                if pending is not None:
                    pending.result()
                pending = pool.submit(write, checked, quarantine)
                if checked is None:
                    continue
                staged += (
                    checked.rows_staged
                    if isinstance(checked, RenderedChunk)
                    else checked.staged.num_rows
                )
                quarantined += len(checked.quarantined)
                duplicate_keys += checked.duplicate_keys
        except UndecodableSegment as exc:
            exc.delivery_id = delivery_id  # refused as if before the load: the same number
            raise
        if pending is not None:
            pending.result()

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
    changes = (
        apply_change_set(conn, table, copy_columns, delivery_id, contract.extract)
        if change_set
        else ChangeSet(new=staged, unchanged=0, removed=0)
    )
    if skipping_triggers:
        conn.execute("set local session_replication_role = default")
    conn.execute(
        "update staging.delivery set rows_read = %s, rows_staged = %s, rows_quarantined = %s, "
        "rows_new = %s, rows_unchanged = %s, rows_removed = %s, "
        "warnings = %s, loaded_at = now() where delivery_id = %s",
        [
            rows_read,
            staged,
            quarantined,
            changes.new,
            changes.unchanged,
            changes.removed,
            Jsonb(warnings),
            delivery_id,
        ],
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
        rows_new=changes.new,
        rows_unchanged=changes.unchanged,
        rows_removed=changes.removed,
        warnings=warnings,
        superseded=superseded,
    )


Resolved = Iterator[tuple[ValidatedChunk | RenderedChunk | None, list[QuarantinedRow]]]


def _chunks_resolved(
    validator: ChunkValidator, reader: DeliveryReader, workers: int, chunk_rows: int
) -> Resolved:
    """Each chunk of the reader checked (by worker processes if ``workers``) and resolved in
    order, with its quarantined rows."""
    chunks = reader.chunks(chunk_rows)
    if workers > 0:
        checked_chunks = checked_in_parallel(validator, chunks, workers)
    else:
        checked_chunks = ((chunk, None) for chunk in chunks)
    with closing(checked_chunks):
        for chunk, checked_alone in checked_chunks:
            if checked_alone is None:
                checked = validator.validate(chunk)
            elif checked_alone.copy_text is not None:
                checked = validator.resolve_rendered(chunk, checked_alone)
            else:
                checked = validator.resolve(chunk, checked_alone)
            yield checked, checked.quarantined


def _segments_resolved(
    validator: ChunkValidator, plan: CsvPlan, workers: int, chunk_rows: int
) -> Resolved:
    """Each segment of a planned CSV file decoded, parsed and checked by worker processes and
    resolved in order; quarantined rows go on in the order the chunks of ``CsvReader`` would
    have given them (``QuarantineOrder``), the last ones after the last segment."""
    order = QuarantineOrder(chunk_rows)
    parsed_segments = segments_in_parallel(validator, plan, workers)
    with closing(parsed_segments):
        for parsed in parsed_segments:
            rows = parsed.source_rows
            chunk = RawChunk(
                None,
                rows,
                parsed.broken,
                reread=lambda positions, rows=rows: plan.raw_values(
                    [int(rows[i]) for i in positions]
                ),
            )
            if parsed.checked.copy_text is not None:
                checked = validator.resolve_rendered(chunk, parsed.checked)
            else:
                checked = validator.resolve(chunk, parsed.checked)
            yield checked, order.add(parsed, checked.quarantined, len(parsed.broken))
    yield None, order.rest()


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
    delivery_id: int | None = None,
) -> int:
    """The delivery's row in staging.delivery; its number (``delivery_id``: the number a
    rolled-back load of this file drew, for its rejection; else the next one)."""
    return conn.execute(
        "insert into staging.delivery (delivery_id, extract, department, file_name, "
        "content_hash, file_size, status, mode, error, archived_path, source_path) "
        "values (coalesce(%s, nextval(pg_get_serial_sequence('staging.delivery', "
        "'delivery_id'))), %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) returning delivery_id",
        [
            delivery_id,
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
    conn,
    path: Path,
    contract: Contract,
    content_hash: str,
    archived: Path,
    error: str,
    delivery_id: int | None = None,
) -> DeliveryResult:
    delivery_id = _insert_delivery(
        conn, path, contract, content_hash, archived, "rejected", error, delivery_id
    )
    conn.commit()
    return DeliveryResult(
        contract.extract,
        path.name,
        DeliveryStatus.REJECTED.value,
        delivery_id=delivery_id,
        error=error,
    )
