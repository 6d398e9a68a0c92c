"""One linkage run per subject: mentions in, links and review pairs out, in one transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
import psycopg

from hub.linkage.entities import link_entities
from hub.linkage.frames import read_frame, replace_table
from hub.linkage.persons import LinkDecisions, link_persons
from hub.linkage.registry import assign_master_ids
from hub.linkage.tables import ensure_link_tables

PERSON_COLUMNS = (
    "mention_id, extract, role, citizen_id, citizen_id_as_read, citizen_id_suggestion, "
    "name, name_phonetic_key, sex, birth_date, phone, address_code, "
    "address_text, household_number, mother_citizen_id, birth_month"
)
ENTITY_COLUMNS = (
    "mention_id, extract, role, credit_code, credit_code_as_read, organization_code, "
    "registration_number, name, name_comparison_key"
)


@dataclass(frozen=True)
class LinkSummary:
    subject: str
    mentions: int
    masters: int
    by_method: dict[str, int]
    review_open: int

    def to_dict(self) -> dict:
        return self.__dict__.copy()


def mention_key(m: pd.DataFrame, columns: list[str]) -> pd.Series:
    """What a mention says, independent of which delivery brought it (for reusing decisions)."""
    parts = [m[c].fillna("").astype(str) for c in columns]
    return parts[0].str.cat(parts[1:], sep="|")


def link_subject(conn: psycopg.Connection, subject: str) -> LinkSummary:
    """Link ``person`` or ``legal_entity`` mentions and store the result."""
    ensure_link_tables(conn)
    if subject == "person":
        mentions = read_frame(
            conn,
            f"select {PERSON_COLUMNS} from intermediate.int_person_mentions order by mention_id",
        )
        table, key_columns = (
            "link.person_link",
            ["extract", "role", "citizen_id_as_read", "name", "birth_date", "phone"],
        )
    else:
        mentions = read_frame(
            conn,
            f"select {ENTITY_COLUMNS} from intermediate.int_entity_mentions order by mention_id",
        )
        table, key_columns = "link.entity_link", ["extract", "role", "credit_code_as_read", "name"]
    if mentions.empty:
        replace_table(conn, table, pd.DataFrame())
        return LinkSummary(subject, 0, 0, {}, 0)
    mentions["mention_key"] = mention_key(mentions, key_columns)
    decided = pd.DataFrame(
        conn.execute(
            "select mention_key, candidate, status from link.review_queue "
            "where subject = %s and status <> 'open'",
            [subject],
        ).fetchall(),
        columns=["mention_key", "candidate", "status"],
    )
    decisions = (
        link_persons(mentions, decided) if subject == "person" else link_entities(mentions, decided)
    )
    previous = pd.DataFrame(
        conn.execute(f"select mention_id, master_id from {table}").fetchall(),
        columns=["mention_id", "master_id"],
    )
    masters = assign_master_ids(conn, subject, decisions.clusters(), previous)
    links = decisions.members.assign(master_id=decisions.members["cluster"].map(masters))
    replace_table(conn, table, links[["mention_id", "master_id", "method", "score"]])
    review_open = _store_review(conn, subject, decisions, mentions)
    return LinkSummary(
        subject=subject,
        mentions=len(links),
        masters=int(links["master_id"].nunique()),
        by_method={k: int(v) for k, v in links["method"].value_counts().items()},
        review_open=review_open,
    )


def _store_review(
    conn: psycopg.Connection, subject: str, decisions: LinkDecisions, mentions: pd.DataFrame
) -> int:
    """Upsert this run's doubtful pairs; pairs no longer doubtful and still open are dropped."""
    review = decisions.review
    keys = mentions.set_index("mention_id")["mention_key"]
    conn.execute(
        "create temporary table _review as select subject, mention_key, mention_id, candidate, "
        "score, evidence from link.review_queue with no data"
    )
    if not review.empty:
        with conn.cursor().copy(
            "copy _review (subject, mention_key, mention_id, candidate, score, evidence) from stdin"
        ) as copy:
            for row in review.itertuples(index=False):
                copy.write_row(
                    (
                        subject,
                        keys[row.mention_id],
                        row.mention_id,
                        row.candidate,
                        float(row.score),
                        json.dumps(row.evidence, ensure_ascii=False),
                    )
                )
    conn.execute(
        "delete from link.review_queue q where q.subject = %s and q.status = 'open' "
        "and not exists (select 1 from _review r where r.mention_key = q.mention_key "
        "and r.candidate = q.candidate)",
        [subject],
    )
    conn.execute(
        "insert into link.review_queue "
        "(subject, mention_key, mention_id, candidate, score, evidence) "
        "select distinct on (mention_key, candidate) "
        "subject, mention_key, mention_id, candidate, score, evidence from _review "
        "on conflict (subject, mention_key, candidate) do update set "
        "mention_id = excluded.mention_id, score = excluded.score, "
        "evidence = excluded.evidence, last_seen = now()"
    )
    (n,) = conn.execute(
        "select count(*) from link.review_queue where subject = %s and status = 'open'",
        [subject],
    ).fetchone()
    conn.execute("drop table if exists _review")
    return int(n)
