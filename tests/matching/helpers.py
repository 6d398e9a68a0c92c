"""Small settings and records for the engine's tests."""

from __future__ import annotations

import pandas as pd

from matching.config import parse_settings


def person_settings(**overrides) -> dict:
    """A minimal person linkage: block on surname or birth date, three comparisons."""
    raw = {
        "name": "persons",
        "link_type": "dedupe",
        "unique_id": "mention_id",
        "blocking_rules": [{"columns": ["surname"]}, {"columns": ["birth_date"]}],
        "comparisons": [
            {
                "name": "name",
                "column": "name",
                "levels": [
                    {"exact": True},
                    {"scorer": "jaro_winkler", "at_least": 0.9},
                    {"scorer": "jaro_winkler", "at_least": 0.75},
                ],
            },
            {
                "name": "birth_date",
                "column": "birth_date",
                "kind": "date",
                "levels": [{"exact": True}, {"within_days": 31}],
            },
            {"name": "phone", "column": "phone", "levels": [{"exact": True}]},
        ],
        "training": {"em_blocking_rules": [{"columns": ["surname"]}], "u_sample_pairs": 2000},
        "prior": {"probability_two_random_records_match": 0.01},
        "thresholds": {"upper": 0.9, "lower": 0.3},
    }
    raw.update(overrides)
    return raw


def settings(**overrides):
    return parse_settings(person_settings(**overrides), source="test.yaml")


def records(rows: list[tuple]) -> pd.DataFrame:
    columns = ["mention_id", "name", "surname", "birth_date", "phone", "citizen_id"]
    return pd.DataFrame(rows, columns=columns)
