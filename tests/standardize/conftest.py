"""Values for the standardization tests: every cell of the spec's sample extracts."""

from __future__ import annotations

import pytest

from tests.standardize.samples import SAMPLES, cells


@pytest.fixture(scope="session")
def sample_values() -> list[str]:
    """Every distinct cell value of every sample extract (skips when the samples are absent)."""
    if not SAMPLES.is_dir():
        pytest.skip(f"sample extracts not found at {SAMPLES}")
    values: list[str] = []
    for path in sorted(SAMPLES.glob("*/*")):
        values.extend(cells(path))
    return sorted(set(values))
