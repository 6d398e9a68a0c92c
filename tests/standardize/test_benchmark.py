"""The benchmark script runs (on a small column; the real figures come from running it)."""

from __future__ import annotations

from hub.standardize import benchmark


def test_benchmark_runs_every_case_on_a_small_column(capsys):
    rates = benchmark.main(["2000"], repeat=1)
    assert set(rates) == set(benchmark.CASES)
    assert all(rate > 0 for rate in rates.values())
    assert "citizen_id" in capsys.readouterr().out


def test_address_benchmark_runs_on_a_small_column(capsys):
    from hub.standardize import address_benchmark

    rates = address_benchmark.main(["3000"], repeat=1)
    assert set(rates) == {"parse_addresses", "AddressMatcher.match"}
    assert all(rate > 0 for rate in rates.values())
    assert "AddressMatcher.match" in capsys.readouterr().out
