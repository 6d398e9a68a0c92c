"""One linkage run per subject: mentions in, links and review pairs out, in one transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.compute as pc

from hub.linkage.basis import link_basis, record_basis, unchanged
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
    kept: bool = False  # nothing linkage reads had changed: the previous run's links were kept

    def to_dict(self) -> dict:
        return self.__dict__.copy()


def mention_key(m: pd.DataFrame, columns: list[str]) -> pd.Series:
    """What a mention says, independent of which delivery brought it (for reusing decisions):
    the columns' text joined by ``|``, a null as the empty string. Joined by Arrow (pandas'
    ``str.cat`` over three million mentions took seconds)."""
    joined = pc.binary_join_element_wise(*(_text(m[c]) for c in columns), "|")
    return pd.Series(joined.to_numpy(zero_copy_only=False), index=m.index, dtype=object)


def _text(column: pd.Series) -> pa.Array:
    """A column as Arrow strings with nulls as "" (what ``fillna("").astype(str)`` gives)."""
    if column.dtype == object:
        try:
            return pc.fill_null(pa.array(column, type=pa.string(), from_pandas=True), "")
        except pa.ArrowException:  # not all text: let pandas spell the values
            pass
    return pa.array(column.fillna("").astype(str).to_numpy(dtype=object), type=pa.string())


SOURCES = {
    "person": (
        "intermediate.int_person_mentions",
        PERSON_COLUMNS,
        "link.person_link",
        ["extract", "role", "citizen_id_as_read", "name", "birth_date", "phone"],
    ),
    "legal_entity": (
        "intermediate.int_entity_mentions",
        ENTITY_COLUMNS,
        "link.entity_link",
        ["extract", "role", "credit_code_as_read", "name"],
    ),
}


def link_subject(conn: psycopg.Connection, subject: str, *, force: bool = False) -> LinkSummary:
    """Link ``person`` or ``legal_entity`` mentions and store the result.

    When nothing linkage reads has changed since the last run (``hub.linkage.basis``), the
    stored links are kept and summarized; ``force`` links everything anyway."""
    if subject not in SOURCES:
        raise ValueError(f"unknown subject {subject!r}; one of {', '.join(SOURCES)}")
    ensure_link_tables(conn)
    source, columns, table, key_columns = SOURCES[subject]
    basis = link_basis(conn, subject, source, columns)
    kept = None if force else unchanged(conn, subject, basis, table)
    if kept is not None:
        return LinkSummary(**{**kept, "kept": True})
    mentions = read_frame(conn, f"select {columns} from {source} order by mention_id")
    if mentions.empty:
        replace_table(conn, table, pd.DataFrame())
        summary = LinkSummary(subject, 0, 0, {}, 0)
        record_basis(conn, subject, basis, summary.to_dict())
        return summary
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
    # the previous run's ids are read from the link table only where a vote needs them
    masters = assign_master_ids(conn, subject, decisions.clusters(), table)
    links = decisions.members.assign(master_id=decisions.members["cluster"].map(masters))
    replace_table(conn, table, links[["mention_id", "master_id", "method", "score"]])
    review_open = _store_review(conn, subject, decisions, mentions)
    summary = LinkSummary(
        subject=subject,
        mentions=len(links),
        masters=int(links["master_id"].nunique()),
        by_method={k: int(v) for k, v in links["method"].value_counts().items()},
        review_open=review_open,
    )
    record_basis(conn, subject, basis, summary.to_dict())
    return summary


def _store_review(
    conn: psycopg.Connection, subject: str, decisions: LinkDecisions, mentions: pd.DataFrame
) -> int:
    """Upsert this run's doubtful pairs; pairs no longer doubtful and still open are dropped."""
    review = decisions.review
    reviewed = mentions[mentions["mention_id"].isin(review.get("mention_id", []))]
    keys = dict(zip(reviewed["mention_id"], reviewed["mention_key"], strict=True))
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
