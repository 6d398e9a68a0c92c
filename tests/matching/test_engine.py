"""The engine end to end: thresholds, cannot-link, link_only mode, explanations, FEBRL4 F1."""

from __future__ import annotations

import numpy as np

from matching.clustering import constrained_clusters
from matching.engine import Decision, link, stack
from matching.fellegi_sunter import ComparisonModel, FellegiSunterModel
from tests.matching.helpers import records, settings


def name_only_model(prior: float = 0.5) -> FellegiSunterModel:
    """Exact name: strong evidence; fuzzy name: none either way; different name: against."""
    return FellegiSunterModel(
        [
            ComparisonModel(
                "name",
                ["exact", "jw>=0.9", "jw>=0.75", "else"],
                np.array([0.9, 0.05, 0.04, 0.01]),
                np.array([0.01, 0.05, 0.04, 0.9]),
            ),
            ComparisonModel(
                "birth_date",
                ["exact", "within 31", "else"],
                np.array([1, 1, 1]) / 3,
                np.array([1, 1, 1]) / 3,
            ),
            ComparisonModel("phone", ["exact", "else"], np.array([0.5, 0.5]), np.array([0.5, 0.5])),
        ],
        prior,
    )


def test_pairs_are_linked_above_upper_reviewed_between_and_left_apart_below():
    data = records(
        [
            (1, "wang fang", "wang", "19900101", None, None),
            (2, "wang fang", "wang", "19900101", None, None),  # exact name: link
            (3, "wang fan", "wang", None, None, None),  # fuzzy: review
            (4, "zhou xun", "wang", None, None, None),  # different: apart
        ]
    )
    result = link(data, settings(), model=name_only_model())
    decision = {(r.left, r.right): r.decision for r in result.pairs.itertuples()}
    assert decision[(1, 2)] == Decision.LINK
    assert decision[(1, 3)] == Decision.REVIEW
    assert decision[(1, 4)] == Decision.APART


def test_every_pair_is_explained_level_by_level():
    data = records([(1, "li lei", "li", None, None, None), (2, "li lei", "li", None, None, None)])
    result = link(data, settings(), model=name_only_model())
    explanation = result.explain(1, 2)
    assert explanation["comparison"].tolist() == ["prior", "name", "birth_date", "phone", "total"]
    assert explanation.set_index("comparison").loc["name", "level"] == "exact"
    assert explanation["weight"].iloc[:-1].sum() == explanation["weight"].iloc[-1]


def test_two_different_valid_ids_are_never_one_cluster_even_through_a_chain():
    # 1 and 3 hold different valid citizen IDs; 2 has none and looks like both
    data = records(
        [
            (1, "zhang wei", "zhang", "19800101", "1391", "110101198001010011"),
            (2, "zhang wei", "zhang", "19800101", "1391", None),
            (3, "zhang wei", "zhang", "19800101", "1391", "110101198001010038"),
        ]
    )
    result = link(data, settings(cannot_link=["citizen_id"]), model=name_only_model())
    pair = result.pairs.set_index(["left", "right"])
    assert pair.loc[(1, 3), "decision"] == Decision.APART
    assert bool(pair.loc[(1, 3), "cannot_link"])
    cluster = dict(zip(result.clusters["unique_id"], result.clusters["cluster"], strict=True))
    assert cluster[1] != cluster[3]
    assert cluster[2] in (cluster[1], cluster[3])


def test_constrained_clustering_drops_the_weaker_link_of_a_bad_chain():
    ids = np.array([5, -1, 7, -1])  # rows 0 and 2: different valid ids
    left, right = np.array([0, 1, 2]), np.array([1, 2, 3])
    strength = np.array([9.0, 3.0, 8.0])
    labels = constrained_clusters(4, left, right, strength, [ids])
    assert labels[0] == labels[1]
    assert labels[2] == labels[3]
    assert labels[1] != labels[2]


def test_unconstrained_links_cluster_transitively():
    labels = constrained_clusters(5, np.array([0, 1]), np.array([1, 2]), np.ones(2))
    assert labels[0] == labels[1] == labels[2] and len(set(labels)) == 3


def test_link_only_links_mentions_to_anchor_records_and_never_within_a_source():
    anchors = records(
        [
            (1, "chen jing", "chen", "19750505", "1380", None),
            (2, "chen jing", "chen", "19750505", "1380", None),
        ]
    )
    mentions = records([(10, "chen jing", "chen", "19750505", "1380", None)])
    data = stack({"anchors": anchors, "mentions": mentions})
    result = link(data, settings(link_type="link_only"), model=name_only_model())
    assert set(zip(result.pairs["left"], result.pairs["right"], strict=True)) == {(1, 10), (2, 10)}


def test_trained_engine_links_typos_and_keeps_strangers_apart():
    rng = np.random.default_rng(3)
    surnames = ["wang", "li", "zhang", "liu", "chen", "yang", "zhao", "huang"]
    givens = [
        "wei",
        "fang",
        "na",
        "min",
        "jing",
        "lei",
        "qiang",
        "jun",
        "yan",
        "tao",
        "hui",
        "ping",
    ]
    rows, person = [], []
    for p in range(400):
        s, g = rng.choice(surnames), rng.choice(givens) + rng.choice(givens)
        born = f"19{rng.integers(50, 99)}{rng.integers(1, 13):02d}{rng.integers(1, 28):02d}"
        phone = f"13{rng.integers(0, 10**9):09d}"
        for copy in range(rng.integers(1, 3)):
            name = f"{s} {g}" if copy == 0 else f"{s} {g[:-1]}"  # a typo in the copy
            rows.append((len(rows), name, s, born, phone, None))
            person.append(p)
    data = records(rows)
    training = {
        "em_blocking_rules": [{"columns": ["birth_date"]}, {"columns": ["phone"]}],
        "u_sample_pairs": 5000,
    }
    result = link(data, settings(training=training))
    links = result.links
    truth = np.array(person)
    right = truth[links["left"].to_numpy()] == truth[links["right"].to_numpy()]
    assert right.mean() > 0.95
    assert right.sum() >= 0.9 * (len(rows) - 400)
