"""``hub evaluate-linkage --dataset demo``: person and entity linkage against the demo truth.

The demo generator writes, next to the files it delivers, the truth of every mention
(``truth/mentions.csv``: extract, file_name, source_row, role, subject, key). The linkage is run
on the mentions of a built city exactly as the hub runs it (``link_persons``/``link_entities``,
no steward decisions) and scored pairwise over the mentions the truth knows: precision, recall,
F1, true and predicted cluster counts, and the review queue (mentions with an open pair).
The city is either one already built (``database_url`` + ``truth_dir``) or generated, ingested
and built in a temporary database on a throwaway embedded server.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd
import psycopg

from hub.linkage.entities import link_entities
from hub.linkage.frames import read_frame
from hub.linkage.persons import link_persons
from hub.linkage.run import ENTITY_COLUMNS, PERSON_COLUMNS, mention_key
from matching.evaluate import pairs_from_clusters, pairwise_scores

SUBJECTS = {
    "person": (
        PERSON_COLUMNS,
        "intermediate.int_person_mentions",
        ["extract", "role", "citizen_id_as_read", "name", "birth_date", "phone"],
    ),
    "legal_entity": (
        ENTITY_COLUMNS,
        "intermediate.int_entity_mentions",
        ["extract", "role", "credit_code_as_read", "name"],
    ),
}


@dataclass(frozen=True)
class SubjectFigures:
    subject: str
    mentions: int
    precision: float
    recall: float
    f1: float
    true_positives: int
    false_positives: int
    false_negatives: int
    clusters: int
    true_clusters: int
    by_method: dict
    review_pairs: int
    review_mentions: int
    review_share: float
    seconds: float

    def as_dict(self) -> dict:
        return asdict(self)


def read_mentions(conn: psycopg.Connection, subject: str) -> pd.DataFrame:
    """The subject's mentions as the hub's link step reads them, plus file_name/source_row."""
    columns, table, key_columns = SUBJECTS[subject]
    frame = read_frame(
        conn, f"select {columns}, file_name, source_row::text from {table} order by mention_id"
    )
    frame["mention_key"] = mention_key(frame, key_columns)
    return frame


def score_subject(subject: str, mentions: pd.DataFrame, truth: pd.DataFrame) -> SubjectFigures:
    """Link the mentions and score them against the truth's mentions of that subject."""
    start = time.perf_counter()
    decisions = (link_persons if subject == "person" else link_entities)(mentions)
    seconds = time.perf_counter() - start
    members = decisions.members.merge(
        mentions[["mention_id", "extract", "file_name", "source_row", "role"]], on="mention_id"
    )
    known = truth[truth["subject"] == subject]
    scored = members.merge(known, on=["extract", "file_name", "source_row", "role"])
    scores = pairwise_scores(
        pairs_from_clusters(scored["mention_id"], scored["cluster"]),
        pairs_from_clusters(scored["mention_id"], scored["key"]),
    )
    review = decisions.review
    in_review = int(review["mention_id"].nunique()) if len(review) else 0
    return SubjectFigures(
        subject=subject,
        mentions=len(scored),
        precision=scores.precision,
        recall=scores.recall,
        f1=scores.f1,
        true_positives=scores.true_positives,
        false_positives=scores.false_positives,
        false_negatives=scores.false_negatives,
        clusters=int(scored["cluster"].nunique()),
        true_clusters=int(scored["key"].nunique()),
        by_method={str(k): int(v) for k, v in members["method"].value_counts().items()},
        review_pairs=len(review),
        review_mentions=in_review,
        review_share=in_review / max(len(members), 1),
        seconds=seconds,
    )


def evaluate_city(database_url: str, truth_dir: Path) -> list[SubjectFigures]:
    truth = pd.read_csv(Path(truth_dir) / "mentions.csv", dtype=str)
    with psycopg.connect(database_url) as conn:
        frames = {subject: read_mentions(conn, subject) for subject in SUBJECTS}
    return [score_subject(subject, frames[subject], truth) for subject in SUBJECTS]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def temporary_city(persons: int, seed: int = 20261123):
    """Generate, ingest and build a demo city in a throwaway embedded server;
    yields (database url, truth dir)."""
    from hub.database.embedded import EmbeddedPostgres
    from hub.demo.load import load_demo_city
    from hub.settings import HubSettings, get_settings

    home = Path(tempfile.mkdtemp(prefix="hub-eval-"))
    home.chmod(0o755)  # the embedded server may run as another OS user
    server = EmbeddedPostgres(HubSettings(home=home / "server", pg_port=_free_port()))
    saved = {k: os.environ.get(k) for k in ("HUB_HOME", "HUB_DATABASE_URL")}
    try:
        (home / "server").mkdir()
        (home / "server").chmod(0o755)
        server.start()
        with psycopg.connect(server.conninfo("postgres"), autocommit=True) as conn:
            conn.execute('create database "evaluate"')
        url = server.conninfo("evaluate")
        city_home = home / "city"
        city_home.mkdir()
        os.environ["HUB_HOME"], os.environ["HUB_DATABASE_URL"] = str(city_home), url
        get_settings.cache_clear()
        manifest, _ = load_demo_city(get_settings(), url, persons=persons, seed=seed, build=True)
        yield url, manifest.truth_dir
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        get_settings.cache_clear()
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


def evaluate_demo(
    persons: int = 2000, database_url: str | None = None, truth_dir: Path | None = None
) -> list[SubjectFigures]:
    """Figures for persons and entities of a demo city (built now unless a URL is given)."""
    if database_url is not None:
        if truth_dir is None:
            raise ValueError("--database-url needs --truth (the city's truth folder)")
        return evaluate_city(database_url, truth_dir)
    with temporary_city(persons) as (url, truth):
        return evaluate_city(url, truth)
