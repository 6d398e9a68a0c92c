"""The steward's review queue (人工复核): doubtful pairs, side by side, accepted or rejected.

A decision is stored on the pair (the mention's content key and the candidate anchor), so it
is reused when the same row comes back in a later delivery; accepted pairs link on the next
build (method ``steward``), rejected ones never come back to the queue.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from hub.linkage.tables import ensure_link_tables


@dataclass(frozen=True)
class ReviewItem:
    review_id: int
    subject: str
    mention_id: str
    candidate: str
    score: float
    evidence: dict
    status: str
    candidate_record: dict | None
    mention_record: dict | None = None


def open_items(
    conn: psycopg.Connection, subject: str | None = None, limit: int = 20
) -> list[ReviewItem]:
    """Open pairs, most likely first, with the candidate's golden record when it exists."""
    ensure_link_tables(conn)
    rows = conn.execute(
        """
        select q.review_id, q.subject, q.mention_id, q.candidate, q.score, q.evidence,
               q.status, to_jsonb(p) - 'counties'
        from link.review_queue q
        left join link.master_registry r on r.subject = q.subject and r.anchor = q.candidate
        left join hub.person p on q.subject = 'person' and p.master_id = r.master_id
        where q.status = 'open' and (%(subject)s::text is null or q.subject = %(subject)s)
        order by q.score desc, q.review_id
        limit %(limit)s
        """
        if _has_person_table(conn)
        else """
        select q.review_id, q.subject, q.mention_id, q.candidate, q.score, q.evidence,
               q.status, null::jsonb
        from link.review_queue q
        where q.status = 'open' and (%(subject)s::text is null or q.subject = %(subject)s)
        order by q.score desc, q.review_id
        limit %(limit)s
        """,
        {"subject": subject, "limit": limit},
    ).fetchall()
    items = [ReviewItem(*row) for row in rows]
    return [_with_mention(conn, item) for item in items]


MENTION_TABLES = {
    "person": "intermediate.int_person_mentions",
    "legal_entity": "intermediate.int_entity_mentions",
}


def _with_mention(conn: psycopg.Connection, item: ReviewItem) -> ReviewItem:
    table = MENTION_TABLES.get(item.subject)
    exists = conn.execute("select to_regclass(%s) is not null", [table]).fetchone()[0]
    if not exists:
        return item
    row = conn.execute(
        f"select jsonb_strip_nulls(to_jsonb(m)) from {table} m where mention_id = %s",
        [item.mention_id],
    ).fetchone()
    return ReviewItem(**{**item.__dict__, "mention_record": row[0] if row else None})


def decide(conn: psycopg.Connection, review_id: int, accept: bool, steward: str) -> ReviewItem:
    """Accept or reject one pair; a second decision on the same pair replaces the first."""
    ensure_link_tables(conn)
    row = conn.execute(
        """
        update link.review_queue
        set status = %s, decided_by = %s, decided_at = now()
        where review_id = %s
        returning review_id, subject, mention_id, candidate, score, evidence, status, null
        """,
        ["accepted" if accept else "rejected", steward, review_id],
    ).fetchone()
    if row is None:
        raise LookupError(f"no review pair {review_id}")
    return ReviewItem(*row)


def _has_person_table(conn: psycopg.Connection) -> bool:
    return conn.execute("select to_regclass('hub.person') is not null").fetchone()[0]
