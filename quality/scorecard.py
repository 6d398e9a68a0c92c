"""Department scorecards (部门数据质量评分): count each delivery's problems in SQL, score, keep history.

Counts come from the same contract rules GX runs (:mod:`quality.rules`) plus what ingest already
recorded (the quarantine and its reasons), so a row refused at the door still counts against its
department. Every run appends to ``quality.scorecard`` with its timestamp: trends are history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg

from data_contracts.model import Contract
from quality.rules import contract_rules
from quality.scores import DIMENSIONS, DeliveryCounts, roll_up, score_delivery

# A field the department fills in at least this share of its rows is expected to be filled
# (structurally empty columns — a building's room number — do not count against completeness).
NORMALLY_FILLED = 0.9
# Quarantine reasons by dimension; any other reason is a validity problem.
DUPLICATE_REASONS = ("duplicate_row",)
MISSING_REASONS = ("missing_required",)
# Attributes that legitimately differ between departments — where someone is registered versus
# where they live, a work versus a home phone — are not scored for consistency.
NOT_COMPARED = (
    "current_address_code",
    "registration_address",
    "registration_address_code",
    "registered_address",
    "phone",
)


@dataclass(frozen=True)
class ScoreRow:
    """One line of the scorecard: a delivery, or a department's roll-up (delivery_id None)."""

    department: str
    extract: str | None
    delivery_id: int | None
    file_name: str | None
    rows: int
    scores: dict[str, float | None]


def _expected_fields(conn: psycopg.Connection, contract: Contract) -> list[str]:
    """Required fields and the fields the department normally fills."""
    names = [f.name for f in contract.fields]
    filled = ", ".join(f"avg((nullif(btrim({n}_raw), '') is not null)::int)" for n in names)
    row = conn.execute(f"select {filled} from staging.{contract.extract}").fetchone()
    return [
        f.name
        for f, share in zip(contract.fields, row, strict=True)
        if f.required or (share is not None and share >= NORMALLY_FILLED)
    ]


def _scored_delivery(contract: Contract) -> str:
    """SQL for the delivery a staged row counts under: its own; for a snapshot extract, the
    current snapshot. A snapshot is staged as its change set (hub/ingest/changes.py), so a row
    it repeated unchanged stays staged under the earlier delivery that first brought it — but
    it is part of what the current snapshot delivered, and is scored with it."""
    if contract.mode != "snapshot":
        return "delivery_id"
    return (
        "(select max(delivery_id) from staging.delivery "
        f"where extract = '{contract.extract}' and status = 'loaded')"
    )


def _staged_counts(conn: psycopg.Connection, contract: Contract) -> dict[int, tuple]:
    rules = contract_rules(contract)
    expected = _expected_fields(conn, contract)
    incomplete = " or ".join(f"nullif(btrim({n}_raw), '') is null" for n in expected) or "false"
    invalid = " or ".join(f"({r.failing})" for r in rules if r.dimension == "validity") or "false"
    key = ", ".join(contract.key)
    rank = "1"
    if key:  # a row without its key is incomplete, not a duplicate
        filled = " and ".join(f"{k} is not null" for k in contract.key)
        rank = (
            f"case when {filled} then row_number() over "
            f"(partition by scored_delivery, {key}, ({filled}) "
            "order by delivery_id, source_row) else 1 end"
        )
    sql = f"""
        with scored as (
            select *, {_scored_delivery(contract)} as scored_delivery
            from staging.{contract.extract}
        ),
        numbered as (select *, {rank} as key_rank from scored)
        select scored_delivery,
            count(*) filter (where {incomplete}),
            count(*) filter (where {invalid}),
            count(*) filter (where key_rank > 1)
        from numbered
        group by scored_delivery
    """
    return {r[0]: r[1:] for r in conn.execute(sql)}


def _quarantine_counts(conn: psycopg.Connection, extract: str) -> dict[int, tuple]:
    sql = """
        select delivery_id,
            count(*) filter (where not reason_codes && %(dup)s and reason_codes <@ %(missing)s),
            count(*) filter (where not reason_codes && %(dup)s and not reason_codes <@ %(missing)s),
            count(*) filter (where reason_codes && %(dup)s)
        from staging.quarantine
        where extract = %(extract)s
        group by delivery_id
    """
    params = {"dup": list(DUPLICATE_REASONS), "missing": list(MISSING_REASONS), "extract": extract}
    return {r[0]: r[1:] for r in conn.execute(sql, params)}


def _consistency(conn: psycopg.Connection) -> dict[int, tuple[int, int]]:
    """Per delivery: values compared with the golden value owned by another department, agreeing."""
    have = conn.execute(
        "select to_regclass('intermediate.int_person_attribute_candidates') is not null"
    ).fetchone()[0]
    if not have:
        return {}
    parts = []
    for subject in ("person", "entity"):
        cand, gold = f"int_{subject}_attribute_candidates", f"int_{subject}_golden_attributes"
        if not conn.execute(f"select to_regclass('intermediate.{cand}') is not null").fetchone()[0]:
            continue
        parts.append(f"""
            select c.delivery_id, (c.value = g.value) as agrees
            from intermediate.{cand} as c
            join intermediate.{gold} as g using (master_id, attribute)
            where g.extract <> c.extract and g.rank = 1
                and c.attribute not in ({", ".join(f"'{a}'" for a in NOT_COMPARED)})""")
    # a snapshot's rows count under its current delivery (see ``_scored_delivery``)
    sql = (
        "select coalesce(s.current_delivery, compared.delivery_id), count(*), "
        "count(*) filter (where agrees) from ("
        + " union all ".join(parts)
        + """) as compared
        left join (
            select d.delivery_id, max(d.delivery_id) filter (where d.status = 'loaded')
                over (partition by d.extract) as current_delivery
            from staging.delivery as d
            where d.mode = 'snapshot' and d.status in ('loaded', 'superseded')
        ) as s using (delivery_id)
        group by 1"""
    )
    return {r[0]: (r[1], r[2]) for r in conn.execute(sql)}


def _deliveries(conn: psycopg.Connection, extract: str, now: datetime) -> list[tuple]:
    """Current deliveries with their age and the gap since the same stream's previous one.

    A stream is the file name without its date (``wgy_cj_420583_…``: one county's gridworkers);
    the date in the name is the extraction date, else the time received.
    """
    sql = """
        with dated as (
            select delivery_id, file_name, rows_read, received_at, status,
                regexp_replace(file_name, '_?[0-9]{8}.*$', '') as stream,
                coalesce(to_date(substring(file_name from '([0-9]{8})'), 'YYYYMMDD'),
                         received_at::date) as extracted
            from staging.delivery
            where extract = %(extract)s and status in ('loaded', 'superseded')
        ),
        ordered as (
            select *,
                extracted - lag(extracted) over (partition by stream order by extracted, delivery_id)
                    as gap_days,
                row_number() over (partition by stream order by extracted desc, delivery_id desc)
                    as newest
            from dated
        )
        select delivery_id, file_name, rows_read, gap_days,
            case when newest = 1 then extract(epoch from %(now)s - received_at) / 86400 end
        from ordered
        where status = 'loaded'
        order by delivery_id
    """
    return conn.execute(sql, {"extract": extract, "now": now}).fetchall()


def compute_scorecard(
    conn: psycopg.Connection, contracts: dict[str, Contract], now: datetime
) -> list[ScoreRow]:
    """Score every current delivery, then roll each department up (weighted by rows read)."""
    consistency = _consistency(conn)
    rows: list[ScoreRow] = []
    for contract in contracts.values():
        staged = _staged_counts(conn, contract)
        quarantined = _quarantine_counts(conn, contract.extract)
        for delivery_id, file_name, rows_read, gap, age in _deliveries(conn, contract.extract, now):
            s = staged.get(delivery_id, (0, 0, 0))
            q = quarantined.get(delivery_id, (0, 0, 0))
            compared, agreeing = consistency.get(delivery_id, (0, 0))
            counts = DeliveryCounts(
                rows_read=rows_read,
                incomplete=s[0] + q[0],
                invalid=s[1] + q[1],
                duplicate=s[2] + q[2],
                compared=compared,
                agreeing=agreeing,
                age_days=float(age) if age is not None else None,
                gap_days=float(gap) if gap is not None else None,
            )
            rows.append(
                ScoreRow(
                    contract.department, contract.extract, delivery_id, file_name, rows_read,
                    score_delivery(counts, contract.cadence),
                )
            )  # fmt: skip
    for level in ("extract", "department"):
        groups: dict[tuple, list[ScoreRow]] = {}
        for r in rows:
            if r.delivery_id is not None:
                key = (r.department, r.extract if level == "extract" else None)
                groups.setdefault(key, []).append(r)
        for (department, extract), members in groups.items():
            rolled = roll_up([(m.rows, m.scores) for m in members])
            total = sum(m.rows for m in members)
            rows.append(ScoreRow(department, extract, None, None, total, rolled))
    return rows


def store_scorecard(conn: psycopg.Connection, run_at: datetime, rows: list[ScoreRow]) -> None:
    """Append this run's lines to ``quality.scorecard`` (history is never overwritten)."""
    columns = ["run_at", "department", "extract", "delivery_id", "file_name", "rows", *DIMENSIONS]
    columns.append("overall")
    with (
        conn.cursor() as cur,
        cur.copy(f"copy quality.scorecard ({', '.join(columns)}) from stdin") as copy,
    ):
        for r in rows:
            copy.write_row(
                [run_at, r.department, r.extract, r.delivery_id, r.file_name, r.rows]
                + [r.scores.get(d) for d in (*DIMENSIONS, "overall")]
            )


def department_history(conn: psycopg.Connection) -> dict[str, list[tuple[datetime, float]]]:
    """Each department's overall score run by run (for the trend charts)."""
    sql = """
        select department, run_at, overall from quality.scorecard
        where extract is null and delivery_id is null and overall is not null
        order by department, run_at
    """
    out: dict[str, list[tuple[datetime, float]]] = {}
    for department, run_at, score in conn.execute(sql):
        out.setdefault(department, []).append((run_at, float(score)))
    return out
