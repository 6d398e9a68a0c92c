"""EM recovers m on a synthetic set; weights and probabilities are consistent."""

from __future__ import annotations

import numpy as np

from matching.fellegi_sunter import (
    chance_agreement,
    estimate_u,
    expectation_maximisation,
    initial_m,
    probabilities,
)


def test_em_converges_to_the_m_and_match_share_that_generated_the_pairs():
    rng = np.random.default_rng(7)
    n, share = 20_000, 0.2
    true_m = [np.array([0.9, 0.07, 0.03]), np.array([0.85, 0.15]), np.array([0.8, 0.1, 0.1])]
    true_u = [np.array([0.02, 0.08, 0.9]), np.array([0.1, 0.9]), np.array([0.05, 0.15, 0.8])]
    is_match = rng.random(n) < share
    gamma = np.empty((n, 3), dtype="int8")
    for k in range(3):
        gamma[is_match, k] = rng.choice(len(true_m[k]), is_match.sum(), p=true_m[k])
        gamma[~is_match, k] = rng.choice(len(true_u[k]), (~is_match).sum(), p=true_u[k])
    gamma[rng.random(n) < 0.05, 1] = -1  # some nulls carry no evidence

    m, got_share, iterations = expectation_maximisation(
        gamma, true_u, [initial_m(len(x)) for x in true_m], [True] * 3, max_iterations=100
    )

    assert iterations < 100
    assert abs(got_share - share) < 0.01
    for estimated, truth in zip(m, true_m, strict=True):
        assert np.abs(estimated - truth).max() < 0.02


def test_inactive_comparisons_keep_their_m():
    gamma = np.array([[0, 0], [1, 1], [0, 1]], dtype="int8")
    u = [np.array([0.1, 0.9])] * 2
    start = [np.array([0.5, 0.5]), np.array([0.6, 0.4])]
    m, _, _ = expectation_maximisation(gamma, u, start, [True, False])
    assert m[1].tolist() == [0.6, 0.4]


def test_u_of_unseen_levels_stays_positive():
    u = estimate_u(np.array([[1], [1], [1], [-1]], dtype="int8"), [2])
    assert u[0][0] > 0 and abs(u[0].sum() - 1) < 1e-12


def test_chance_agreement_is_counted_exactly():
    codes = np.array([0, 0, 1, 0, 1, -1])
    source = np.array([0, 0, 0, 1, 1, 1])
    # link_only: left {0,0,1} x right {0,1}: agreeing pairs 2 + 1 = 3 of 6
    assert chance_agreement(codes, source, "link_only") == 0.5


def test_probability_of_weight_zero_is_one_half():
    assert probabilities(np.array([0.0]))[0] == 0.5
