"""``standardize_arrow`` (the ingest's entry point) gives, value for value, what the scalar
specification gives, through each way it can compute a column."""

from __future__ import annotations

import pyarrow as pa
import pytest

from hub.standardize import registry
from hub.standardize.registry import standardize_arrow, standardize_one
from tests.standardize.test_agreement import PARAMS, _same, garbled


def _cases():
    for kind in sorted(registry.KINDS):
        spec = registry._KINDS[kind]
        paths = ["distinct", "vectorised"] if spec.arrow or spec.canonical else ["distinct"]
        for params in PARAMS.get(kind, [{}]):
            for path in paths:
                yield pytest.param(kind, params, path, id=f"{kind}{params or ''}-{path}")


@pytest.mark.parametrize(("kind", "params", "path"), list(_cases()))
def test_arrow_path_agrees_with_scalar(kind, params, path, sample_values, monkeypatch):
    monkeypatch.setattr(registry, "_repeats_array", lambda array: path == "distinct")
    values = sample_values + garbled(3000)
    columns, codes = standardize_arrow(kind, pa.array(values, type=pa.string()), **params)
    if codes is not None:
        columns = columns.take(codes)
    bad = []
    for i, raw in enumerate(values):
        expected = standardize_one(kind, raw, **params)
        got = (columns.value[i], columns.error[i], columns.warning[i])
        extra = {name: columns.extra[name][i] for name in columns.extra}
        if not (
            _same(got[0], expected.value)
            and got[1] == expected.error
            and got[2] == expected.warning
            and extra == dict(expected.extra)
        ):
            bad.append((raw, got, expected))
    assert not bad, bad[:5]


def test_arrow_path_of_an_empty_column():
    columns, codes = standardize_arrow("citizen_id", pa.array([], type=pa.string()))
    assert codes is None and len(columns.value) == 0 and set(columns.extra) == {"suggestion"}
