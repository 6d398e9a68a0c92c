"""``hub status``: what arrived, what is late, what failed — gathered from the hub's database.

One read-only pass over ``staging.delivery`` and whatever else exists: the review queue, the
conflicts, the quality scorecards and the county pushes are built by other stages, so each is
read only when its table is there (``to_regclass``) and reported as "not set up" otherwise.
Failures recorded by Dagster (failed runs, failed asset checks) come from
:mod:`hub.operate.dagster_state`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import psycopg

from data_contracts.model import Contract
from hub.operate.cadence import format_age, timeliness
from hub.operate.explain import rejection_next_step


@dataclass
class Rejection:
    """The newest file of an extract refused whole, newer than its last accepted file."""

    file_name: str
    received_at: datetime
    reason: str
    next_step: str


@dataclass
class ExtractStatus:
    """One department extract: its last delivery against the contract, and what is staged."""

    extract: str
    department: str
    department_name: str
    cadence: str
    last_file: str | None = None
    last_status: str | None = None
    last_received_at: datetime | None = None
    last_loaded_at: datetime | None = None
    age: str | None = None  # of the last accepted delivery
    state: str = "never delivered"  # on time | overdue | never delivered
    overdue: bool = False
    timeliness: str = ""
    lateness: str = ""  # set when overdue: how late, without the action
    rows_staged: int = 0  # currently in staging.<extract>
    rows_quarantined: int = 0  # of the current deliveries
    rejection: Rejection | None = None
    quality_score: float | None = None


@dataclass
class Failure:
    """Anything failing: a failed run, a failed asset check, a rejected file."""

    kind: str  # run | check | delivery
    what: str
    when: datetime | None
    reason: str
    next_step: str


@dataclass
class CountyStatus:
    county: str
    last_push_at: datetime | None
    last_push_status: str | None
    last_sync_at: datetime | None


@dataclass
class StatusReport:
    generated_at: datetime
    extracts: list[ExtractStatus]
    review_queue: dict[str, int] | None  # open pairs per subject; None: linkage never ran
    conflicts: int | None  # hub.conflict rows; None: libraries not built
    correction_conflicts: int | None  # county corrections waiting for a steward
    counties: list[CountyStatus] | None  # None: distribution not set up
    failures: list[Failure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return _jsonable(asdict(self))


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _exists(conn: psycopg.Connection, table: str) -> bool:
    return conn.execute("select to_regclass(%s) is not null", (table,)).fetchone()[0]


def extract_statuses(
    conn: psycopg.Connection, contracts: dict[str, Contract], now: datetime
) -> list[ExtractStatus]:
    """Per extract: last delivery, age against cadence, staged/quarantined rows, open rejection."""
    rows: dict[str, dict] = {}
    if _exists(conn, "staging.delivery"):
        for r in conn.execute(QUERY_DELIVERIES).fetchall():
            rows[r[0]] = dict(zip(DELIVERY_COLUMNS, r, strict=True))
    scores = quality_scores(conn)
    out = []
    for c in contracts.values():
        d = rows.get(c.extract, {})
        t = timeliness(c.cadence, d.get("last_accepted_at"), now)
        status = ExtractStatus(
            extract=c.extract,
            department=c.department,
            department_name=c.department_name,
            cadence=c.cadence,
            last_file=d.get("last_file"),
            last_status=d.get("last_status"),
            last_received_at=d.get("last_received_at"),
            last_loaded_at=d.get("last_accepted_at"),
            age=format_age(t.age) if t.age is not None else None,
            state=t.state,
            overdue=t.overdue,
            timeliness=t.explain(),
            lateness=t.lateness() if t.overdue and t.age is not None else "",
            rows_staged=d.get("rows_staged") or 0,
            rows_quarantined=d.get("rows_quarantined") or 0,
            quality_score=scores.get(c.extract, scores.get(c.department)),
        )
        if d.get("rejected_file"):
            status.rejection = Rejection(
                file_name=d["rejected_file"],
                received_at=d["rejected_at"],
                reason=d["rejected_error"] or "",
                next_step=rejection_next_step(d["rejected_error"], c.extract),
            )
        out.append(status)
    return out


DELIVERY_COLUMNS = (
    "extract",
    "last_file",
    "last_status",
    "last_received_at",
    "last_accepted_at",
    "rows_staged",
    "rows_quarantined",
    "rejected_file",
    "rejected_at",
    "rejected_error",
)

# The open rejection is the newest rejected file received after the last accepted one: once the
# department's corrected file loads, the rejection is history, not a thing to act on.
QUERY_DELIVERIES = """
with last_delivery as (
    select distinct on (extract) extract, file_name, status, received_at
    from staging.delivery
    order by extract, received_at desc, delivery_id desc
),
accepted as (
    select extract,
           max(received_at) as last_accepted_at,
           (sum(rows_staged) filter (where status = 'loaded'))::bigint as rows_staged,
           (sum(rows_quarantined) filter (where status = 'loaded'))::bigint as rows_quarantined
    from staging.delivery
    where status in ('loaded', 'superseded')
    group by extract
),
open_rejection as (
    select distinct on (d.extract) d.extract, d.file_name, d.received_at, d.error
    from staging.delivery as d
    left join accepted as a on a.extract = d.extract
    where d.status = 'rejected'
      and (a.last_accepted_at is null or d.received_at > a.last_accepted_at)
    order by d.extract, d.received_at desc, d.delivery_id desc
)
select l.extract, l.file_name, l.status, l.received_at, a.last_accepted_at,
       a.rows_staged, a.rows_quarantined, r.file_name, r.received_at, r.error
from last_delivery as l
left join accepted as a on a.extract = l.extract
left join open_rejection as r on r.extract = l.extract
"""


def quality_scores(conn: psycopg.Connection) -> dict[str, float]:
    """The latest overall score per extract and per department (quality.scorecard, if built)."""
    if not _exists(conn, "quality.scorecard"):
        return {}
    rows = conn.execute(
        """
        with latest as (select max(run_at) as run_at from quality.scorecard)
        select coalesce(s.extract, s.department), s.overall
        from quality.scorecard as s
        join latest as l on s.run_at = l.run_at
        where s.delivery_id is null and s.overall is not null
        """
    ).fetchall()
    return {key: round(float(score), 3) for key, score in rows}


def review_queue_size(conn: psycopg.Connection) -> dict[str, int] | None:
    if not _exists(conn, "link.review_queue"):
        return None
    rows = conn.execute(
        "select subject, count(*) from link.review_queue where status = 'open' group by subject"
    ).fetchall()
    return {subject: n for subject, n in rows}


def conflict_counts(conn: psycopg.Connection) -> tuple[int | None, int | None]:
    """Department conflicts in the libraries, and county corrections waiting for a steward."""
    conflicts = (
        conn.execute("select count(*) from hub.conflict").fetchone()[0]
        if _exists(conn, "hub.conflict")
        else None
    )
    corrections = (
        conn.execute(
            "select count(*) from distribute.correction_conflict where status = 'open'"
        ).fetchone()[0]
        if _exists(conn, "distribute.correction_conflict")
        else None
    )
    return conflicts, corrections


def county_statuses(conn: psycopg.Connection) -> list[CountyStatus] | None:
    """Per county the last push (下发) and the last sync of corrections (上报), if distributing."""
    if not _exists(conn, "distribute.county_push"):
        return None
    synced = "distribute.correction" if _exists(conn, "distribute.correction") else None
    sync_sql = (
        "select county, max(received_at) from distribute.correction group by county"
        if synced
        else "select null::text, null::timestamptz where false"
    )
    rows = conn.execute(
        f"""
        with last_push as (
            select distinct on (county) county, finished_at, status
            from distribute.county_push order by county, push_id desc
        ),
        last_sync as ({sync_sql})
        select coalesce(p.county, s.county), p.finished_at, p.status, s.max
        from last_push as p full join last_sync as s(county, max) on s.county = p.county
        order by 1
        """
    ).fetchall()
    return [CountyStatus(*r) for r in rows]


def gather_status(
    conninfo: str,
    contracts: dict[str, Contract],
    *,
    now: datetime | None = None,
    failures: list[Failure] | None = None,
) -> StatusReport:
    """The whole report; ``failures`` from Dagster are added to the rejected deliveries."""
    now = now or datetime.now(UTC)
    with psycopg.connect(conninfo) as conn:
        extracts = extract_statuses(conn, contracts, now)
        queue = review_queue_size(conn)
        conflicts, corrections = conflict_counts(conn)
        counties = county_statuses(conn)
    found = [
        Failure(
            "delivery",
            f"{e.extract} {e.rejection.file_name}",
            e.rejection.received_at,
            e.rejection.reason,
            e.rejection.next_step,
        )
        for e in extracts
        if e.rejection
    ]
    found += [
        Failure(
            "delivery",
            f"{e.extract} overdue",
            e.last_loaded_at,
            e.lateness,
            f"ask {e.department_name} for the missing {e.extract} delivery; it loads from "
            f"$HUB_HOME/inbox/{e.extract}/ within a minute",
        )
        for e in extracts
        if e.overdue and e.last_loaded_at is not None
    ]
    return StatusReport(
        generated_at=now,
        extracts=extracts,
        review_queue=queue,
        conflicts=conflicts,
        correction_conflicts=corrections,
        counties=counties,
        failures=found + list(failures or []),
    )
