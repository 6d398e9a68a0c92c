"""One linkage run per subject: mentions in, links and review pairs out, in one transaction.

A run does the least that gives right links:

* nothing linkage reads changed (``hub/linkage/basis.py``): the links are kept;
* some mentions are new, changed or gone (``hub/linkage/changes.py``): only those are linked,
  by the same rules as in a full run, against the subjects known from all current mentions
  (``hub/linkage/context.py``); every other link stays exactly as it was;
* a full run links every mention again when it is forced, when there is no previous run, when
  the linkage code or settings or the steward decisions changed, when the links carry no
  mention hashes, or when more than ``FULL_RELINK_SHARE`` of the mentions changed — it also
  re-estimates the matching engine's model that incremental runs score with.

A crash leaves the previous links and basis: everything happens in the caller's transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
from psycopg import sql

from hub.linkage.basis import (
    full_relink_reason,
    link_basis,
    mention_count,
    record_basis,
    stored_model,
    unchanged,
)
from hub.linkage.changes import (
    MentionChanges,
    drop_changes,
    find_changes,
    links_without_hash,
    mention_hash,
)
from hub.linkage.context import read_changed, read_entity_context, read_person_context
from hub.linkage.entities import entity_settings, link_entities
from hub.linkage.frames import copy_frame, read_frame, replace_table
from hub.linkage.fuzzy import TrainedModel
from hub.linkage.persons import LinkDecisions, link_persons, person_settings
from hub.linkage.registry import assign_master_ids
from hub.linkage.tables import ensure_link_tables

# A run in which more than this share of the mentions is new, changed or gone links all of them
# again: an incremental run scores with the model of the last full run, and keeps the links of
# unchanged mentions even where the new ones would have swayed a full run; past a fifth of the
# city, re-estimating the model is worth the two minutes (at a million persons).
FULL_RELINK_SHARE = 0.20

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
    """The whole link table after the run, and what the run did to it."""

    subject: str
    mentions: int
    masters: int
    by_method: dict[str, int]
    review_open: int
    kept: bool = False  # nothing linkage reads had changed: the previous run's links were kept
    incremental: bool = False  # only new and changed mentions were linked, the rest kept
    linked_now: int = 0  # mentions this run linked (every mention in a full run)
    gone: int = 0  # links removed because their mention is no longer delivered (incremental)
    full_reason: str = ""  # why every mention was linked again (a full run)

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
    """Link ``person`` or ``legal_entity`` mentions and store the result: keep the links when
    nothing changed, link the changed mentions only, or link all (``force``: always all)."""
    if subject not in SOURCES:
        raise ValueError(f"unknown subject {subject!r}; one of {', '.join(SOURCES)}")
    ensure_link_tables(conn)
    source, columns, table, _ = SOURCES[subject]
    basis = link_basis(conn, subject, source, columns)
    kept = None if force else unchanged(conn, subject, basis, table)
    if kept is not None:
        done = {"kept": True, "incremental": False, "linked_now": 0, "gone": 0, "full_reason": ""}
        return LinkSummary(**{**kept, **done})
    reason = "forced" if force else full_relink_reason(conn, subject, basis)
    if reason is None and links_without_hash(conn, table):
        reason = "links without mention hashes"
    if reason is None:
        changes = find_changes(conn, source, columns, table, mention_count(basis))
        if changes.share > FULL_RELINK_SHARE:
            reason = f"{changes.share:.1%} of mentions changed (over {FULL_RELINK_SHARE:.0%})"
    if reason is None:
        summary, model = _link_changes(conn, subject, changes)
    else:
        summary, model = _link_all(conn, subject, reason)
    drop_changes(conn)
    record_basis(conn, subject, basis, summary.to_dict(), model)
    return summary


def _link_all(
    conn: psycopg.Connection, subject: str, reason: str
) -> tuple[LinkSummary, dict | None]:
    """Link every mention from scratch; the summary and the engine model it trained."""
    source, columns, table, key_columns = SOURCES[subject]
    mentions = read_frame(conn, _select_mentions(conn, source, columns, "order by mention_id"))
    if mentions.empty:
        replace_table(conn, table, pd.DataFrame())
        return LinkSummary(subject, 0, 0, {}, 0, full_reason=reason), None
    mentions["mention_key"] = mention_key(mentions, key_columns)
    decisions = _decide(subject, mentions, _decided(conn, subject))
    # the previous run's ids are read from the link table only where a vote needs them
    masters = assign_master_ids(conn, subject, decisions.clusters(), table)
    links = _links(decisions.members, masters, mentions)
    replace_table(conn, table, links)
    review_open = _store_review(conn, subject, decisions, mentions)
    summary = LinkSummary(
        subject=subject,
        mentions=len(links),
        masters=int(links["master_id"].nunique()),
        by_method={k: int(v) for k, v in links["method"].value_counts().items()},
        review_open=review_open,
        linked_now=len(links),
        full_reason=reason,
    )
    trained = decisions.trained
    return summary, None if trained is None else trained.to_json()


def _link_changes(
    conn: psycopg.Connection, subject: str, changes: MentionChanges
) -> tuple[LinkSummary, dict | None]:
    """Link the new and changed mentions (``_changes``) and drop the links of gone ones; every
    other link row stays as it is. The summary, and the stored model (kept as it was)."""
    table = SOURCES[subject][2]
    model = stored_model(conn, subject)
    changed, frame = _changed_and_around(conn, subject)
    decisions = LinkDecisions(pd.DataFrame(columns=["mention_id", "cluster", "method", "score"]))
    if not frame.empty:
        settings = person_settings() if subject == "person" else entity_settings()
        trained = TrainedModel.from_json(model, settings)
        decided = _decide(subject, frame, _decided(conn, subject), trained)
        # the known subjects around the changed mentions were only there to be compared with
        mine = decided.members["mention_id"].isin(changed["mention_id"])
        review = decided.review
        if not review.empty:
            review = review[review["mention_id"].isin(changed["mention_id"])]
        decisions = LinkDecisions(decided.members[mine].reset_index(drop=True), review)
    _replace_changed_links(conn, subject, decisions, frame)
    review_open = _store_review(conn, subject, decisions, frame, "_changes")
    mentions, masters, by_method = _table_summary(conn, table)
    summary = LinkSummary(
        subject=subject,
        mentions=mentions,
        masters=masters,
        by_method=by_method,
        review_open=review_open,
        incremental=True,
        linked_now=len(decisions.members),
        gone=changes.gone,
    )
    return summary, model


def _changed_and_around(
    conn: psycopg.Connection, subject: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The new and changed mentions, and them with the known subjects they could be linked to
    (ordered by mention id, as a full run reads them), with their content keys."""
    source, columns, _, key_columns = SOURCES[subject]
    changed = read_changed(conn, source, columns)
    read_context = read_person_context if subject == "person" else read_entity_context
    frame = pd.concat([changed, read_context(conn, source, columns, changed)], ignore_index=True)
    frame = frame.drop_duplicates("mention_id")
    frame = frame.iloc[pc.sort_indices(_strings(frame["mention_id"])).to_numpy()]
    frame = frame.reset_index(drop=True)
    frame["mention_key"] = mention_key(frame, key_columns) if len(frame) else None
    return changed, frame


def _replace_changed_links(
    conn: psycopg.Connection, subject: str, decisions: LinkDecisions, frame: pd.DataFrame
) -> None:
    """Delete the links of changed and gone mentions, give the changed and new ones their
    master ids and store their links; no other link row is written."""
    table = _table(SOURCES[subject][2])
    # the previous ids of re-derived mentions, for the vote of clusters no anchor decides
    previous = read_frame(
        conn,
        sql.SQL(
            "select l.mention_id, l.master_id from {} l join _changes c using (mention_id) "
            "where c.change = 'changed'"
        )
        .format(table)
        .as_string(conn),
    )
    conn.execute(
        sql.SQL("delete from {} where mention_id in (select mention_id from _changes)").format(
            table
        )
    )
    if decisions.members.empty:
        return
    masters = assign_master_ids(
        conn, subject, decisions.clusters(), previous, held_in=SOURCES[subject][2]
    )
    copy_frame(conn, SOURCES[subject][2], _links(decisions.members, masters, frame))


def _select_mentions(conn: psycopg.Connection, source: str, columns: str, tail: str = "") -> str:
    """The query reading a subject's mentions as linkage reads them, with their hash."""
    return (
        sql.SQL("select {columns}, {hash} as mention_hash from {source} " + tail)
        .format(columns=sql.SQL(columns), hash=mention_hash(columns), source=_table(source))
        .as_string(conn)
    )


def _decided(conn: psycopg.Connection, subject: str) -> pd.DataFrame:
    """The steward decisions (accepted / rejected pairs) to reuse."""
    return pd.DataFrame(
        conn.execute(
            "select mention_key, candidate, status from link.review_queue "
            "where subject = %s and status <> 'open'",
            [subject],
        ).fetchall(),
        columns=["mention_key", "candidate", "status"],
    )


def _decide(
    subject: str,
    mentions: pd.DataFrame,
    decided: pd.DataFrame,
    trained: TrainedModel | None = None,
) -> LinkDecisions:
    if subject == "person":
        return link_persons(mentions, decided, trained)
    return link_entities(mentions, decided, trained)


def _links(members: pd.DataFrame, masters: pd.Series, mentions: pd.DataFrame) -> pd.DataFrame:
    """The link rows of ``members``: master id, method, score and the mention's hash."""
    ids, read = members["mention_id"].to_numpy(), mentions["mention_id"].to_numpy()
    if len(ids) == len(read) and (ids == read).all():  # a full run: the same order, no lookup
        where = np.arange(len(ids))
    else:
        where = pd.Index(read).get_indexer(ids)
    return pd.DataFrame(
        {
            "mention_id": members["mention_id"].to_numpy(),
            "master_id": members["cluster"].map(masters).to_numpy(),
            "method": members["method"].to_numpy(),
            "score": members["score"].to_numpy(),
            "mention_hash": mentions["mention_hash"].to_numpy()[where],
        }
    )


def _table_summary(conn: psycopg.Connection, table: str) -> tuple[int, int, dict[str, int]]:
    """Links, distinct master ids and links per method of the whole link table."""
    by_method = dict(
        conn.execute(
            sql.SQL("select method, count(*) from {} group by method order by 2 desc").format(
                _table(table)
            )
        ).fetchall()
    )
    (masters,) = conn.execute(
        sql.SQL("select count(*) from (select distinct master_id from {}) m").format(_table(table))
    ).fetchone()
    return sum(by_method.values()), int(masters), {k: int(v) for k, v in by_method.items()}


def _strings(values: pd.Series) -> pa.Array:
    return pa.array(values.to_numpy(dtype=object), type=pa.string(), from_pandas=True)


def _table(name: str) -> sql.Identifier:
    return sql.Identifier(*name.split("."))


def _store_review(
    conn: psycopg.Connection,
    subject: str,
    decisions: LinkDecisions,
    mentions: pd.DataFrame,
    scope: str | None = None,
) -> int:
    """Upsert this run's doubtful pairs; pairs no longer doubtful and still open are dropped —
    of all mentions, or (``scope``: a table of mention ids, an incremental run) only of the
    mentions the run looked at, so that the other mentions' open pairs wait as they were."""
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
    in_scope = "" if scope is None else f"and q.mention_id in (select mention_id from {scope}) "
    conn.execute(
        "delete from link.review_queue q where q.subject = %s and q.status = 'open' "
        + in_scope
        + "and not exists (select 1 from _review r where r.mention_key = q.mention_key "
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
