"""Cross-department anomalies (跨部门异常): facts that are each fine alone and wrong together.

Each kind is one SQL query over the subject libraries returning the flagged subject, everyone
involved and the details a steward needs; the source rows behind it come from ``hub.xref``.
Results are appended to ``quality.anomaly`` / ``quality.anomaly_record`` per run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg

from quality.store import to_json

DEREGISTERED = ("注销", "吊销")


@dataclass(frozen=True)
class AnomalyKind:
    """One kind of anomaly: its name, what it means, the subject it flags and its query.

    The query returns ``master_id, master_ids, details`` (details a jsonb object) and
    ``evidence``: the extracts whose source rows prove it.
    """

    kind: str
    title: str
    subject: str
    sql: str
    evidence: tuple[str, ...]


KINDS: tuple[AnomalyKind, ...] = (
    AnomalyKind(
        "deceased_receiving_allowance",
        "deceased persons still receiving the minimum-living allowance (在保)",
        "person",
        """
        select p.master_id, array[p.master_id], jsonb_build_object(
            'citizen_id', p.citizen_id, 'name', p.name, 'death_date', p.death_date,
            'allowance_status', p.allowance_status)
        from hub.person as p
        where not p.alive and p.allowance_status = '在保'
        """,
        ("mzj_dbdx", "wjw_swyxzm", "gaj_rkxx"),
    ),
    AnomalyKind(
        "deceased_paying_insurance",
        "deceased persons still paying social insurance (参保缴费)",
        "person",
        """
        select p.master_id, array[p.master_id] || array_agg(distinct e.entity_master_id)
                filter (where e.entity_master_id is not null),
            jsonb_build_object('citizen_id', p.citizen_id, 'name', p.name,
                'death_date', p.death_date,
                'employers', jsonb_agg(distinct e.entity_master_id))
        from hub.person as p
        join hub.employment as e on e.person_master_id = p.master_id and e.paying
        where not p.alive
        group by p.master_id, p.citizen_id, p.name, p.death_date
        """,
        ("rsj_cbxx", "wjw_swyxzm", "gaj_rkxx"),
    ),
    AnomalyKind(
        "allowance_multi_dwelling",
        "allowance recipients owning two or more dwellings",
        "person",
        """
        select p.master_id, array[p.master_id], jsonb_build_object(
            'citizen_id', p.citizen_id, 'name', p.name,
            'dwellings', jsonb_agg(distinct h.master_id))
        from hub.person as p
        join hub.house_owner as o on o.owner_subject = 'person' and o.owner_master_id = p.master_id
        join hub.house as h on h.master_id = o.house_master_id and h.is_dwelling
        where p.allowance_status = '在保'
        group by p.master_id, p.citizen_id, p.name
        having count(distinct h.master_id) >= 2
        """,
        ("mzj_dbdx", "bdc_djxx"),
    ),
    AnomalyKind(
        "allowance_active_legal_rep",
        "allowance recipients representing an active enterprise (存续/在业)",
        "person",
        """
        select p.master_id, array[p.master_id] || array_agg(distinct e.master_id),
            jsonb_build_object('citizen_id', p.citizen_id, 'name', p.name,
                'enterprises', jsonb_agg(distinct e.credit_code))
        from hub.person as p
        join hub.legal_entity as e on e.legal_rep_master_id = p.master_id and e.active
        where p.allowance_status = '在保'
        group by p.master_id, p.citizen_id, p.name
        """,
        ("mzj_dbdx", "scjgj_qydj"),
    ),
    AnomalyKind(
        "dissolved_enterprise_paying_insurance",
        "enterprises deregistered or revoked (注销/吊销) still paying social insurance for staff",
        "legal_entity",
        f"""
        select e.master_id, array[e.master_id] || array_agg(distinct m.person_master_id),
            jsonb_build_object('credit_code', e.credit_code, 'name', e.name, 'status', e.status,
                'staff', jsonb_agg(distinct m.person_master_id))
        from hub.legal_entity as e
        join hub.employment as m on m.entity_master_id = e.master_id and m.paying
        where e.status in ('{DEREGISTERED[0]}', '{DEREGISTERED[1]}')
        group by e.master_id, e.credit_code, e.name, e.status
        """,
        ("scjgj_qydj", "rsj_cbxx"),
    ),
    AnomalyKind(
        "unknown_gridworker_address",
        "residents recorded by gridworkers at an address the address register does not know",
        "place",
        """
        select null::text, coalesce(array_agg(distinct r.master_id)
                filter (where r.master_id is not null), '{}'),
            jsonb_build_object('std_address_code', w.std_address_code,
                'address_text', min(w.address_text), 'residents', count(*),
                'residents_unlinked', count(*) filter (where r.master_id is null))
        from hub.xref as x
        join staging.wgy_cj as w using (delivery_id, source_row)
        left join hub.xref as r on r.subject = 'person' and r.extract = 'wgy_cj'
            and r.delivery_id = x.delivery_id and r.source_row = x.source_row
        where x.extract = 'wgy_cj' and x.subject = 'place' and x.method = 'unlinked'
            and w.std_address_code is not null
        group by w.std_address_code
        """,
        ("wgy_cj",),
    ),
)


@dataclass(frozen=True)
class Anomaly:
    kind: str
    subject: str
    master_id: str | None
    master_ids: list[str]
    details: dict


def find_anomalies(conn: psycopg.Connection) -> list[Anomaly]:
    """Every anomaly of every kind in the current subject libraries."""
    found = []
    for k in KINDS:
        for master_id, master_ids, details in conn.execute(k.sql):
            found.append(Anomaly(k.kind, k.subject, master_id, list(master_ids or []), details))
    return found


def store_anomalies(conn: psycopg.Connection, run_at: datetime, found: list[Anomaly]) -> None:
    """Append this run's anomalies, each with the source rows behind it (from ``hub.xref``)."""
    evidence = {k.kind: list(k.evidence) for k in KINDS}
    for a in found:
        anomaly_id = conn.execute(
            "insert into quality.anomaly (run_at, kind, subject, master_id, master_ids, details) "
            "values (%s, %s, %s, %s, %s, %s::jsonb) returning anomaly_id",
            (run_at, a.kind, a.subject, a.master_id, a.master_ids, to_json(a.details)),
        ).fetchone()[0]
        if a.subject == "place":
            code = a.details["std_address_code"]
            conn.execute(
                "insert into quality.anomaly_record "
                "select %s, 'wgy_cj', w.delivery_id, d.file_name, w.source_row, 'place' "
                "from staging.wgy_cj as w join staging.delivery as d using (delivery_id) "
                "where w.std_address_code = %s",
                (anomaly_id, code),
            )
            continue
        conn.execute(
            "insert into quality.anomaly_record "
            "select %s, extract, delivery_id, file_name, source_row, role from hub.xref "
            "where master_id = any(%s) and extract = any(%s)",
            (anomaly_id, a.master_ids, evidence[a.kind]),
        )
