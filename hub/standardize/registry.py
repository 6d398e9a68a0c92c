"""The one entry point to standardization: ``standardize(kind, values, **params)``.

Data contracts name a *kind* per field (``citizen_id``, ``date``, ``code`` with ``table: sex`` …);
the ingest engine hands each column of raw strings to ``standardize`` and gets back, aligned with
the input, the canonical values, at most one error code and one warning code per value (from the
documented ``ERROR_CODES`` / ``WARNING_CODES``), and derived columns (``extra``) such as a citizen
ID's suggested correction or a name's phonetic key. Record linkage calls ``standardize_one`` for
single values; it is the specification, and the column path must give the same answers (the
tests hold them to it).

Missing values (None, NaN, ``''``, whitespace) come back as value ``None`` without an error:
whether a field is required is the caller's business. An invalid identifier keeps its compacted
text as value so that linkage can still use it; an invalid date, number, code or phone has value
``None``.

How a column is computed — the same answers, chosen for speed only:

* identifiers and dates are checked vectorised (numpy over a byte matrix, pyarrow regexes);
* everything else is computed once per *distinct* value and spread back (real columns repeat:
  a million people share a few dozen ethnicities and some hundred thousand names);
* vectorised kinds also go through distinct values when a sample shows the column repeating.

>>> import pandas as pd
>>> result = standardize('citizen_id', pd.Series(['420500810705191', '110105194912310021', None]))
>>> result.value.tolist(), result.error.tolist(), result.warning.tolist()
(['420500198107051919', '110105194912310021', None], [None, 'invalid_check_character', None], ['legacy_id_upgraded', None, None])
>>> result.extra['suggestion'].tolist()
[None, '11010519491231002X', None]
>>> standardize('code', pd.Series(['男', '2', '未知']), table='sex').value.tolist()
['1', '2', '0']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hub.standardize import (
    address,
    citizen_id,
    code_tables,
    credit_code,
    dates,
    names,
    numeric,
    org_code,
    party_id,
    phones,
    place_codes,
    registration_number,
)
from hub.standardize._vector import to_bool
from hub.standardize.errors import ERROR_CODES, WARNING_CODES
from hub.standardize.outcome import Columns, Outcome
from hub.standardize.text import as_string_array, clean, clean_array

__all__ = [
    "ERROR_CODES",
    "KINDS",
    "WARNING_CODES",
    "Standardized",
    "standardize",
    "standardize_arrow",
    "standardize_one",
]


@dataclass
class Standardized:
    """A standardized column, every Series of object dtype on the input's index.

    ``value``: canonical values (str / datetime.date / datetime.datetime / Decimal / int / None);
    ``error``: None where fine, else one code of ``ERROR_CODES``; ``warning``: None or one code
    of ``WARNING_CODES``; ``extra``: derived columns, the same names for every call of a kind.
    """

    value: pd.Series
    error: pd.Series
    warning: pd.Series
    extra: dict[str, pd.Series]


@dataclass(frozen=True)
class _Kind:
    one: Callable[..., Outcome]  # (value, **params) -> Outcome: the specification
    arrow: Callable[..., Columns] | None = None  # (pyarrow string array, **params) -> Columns
    batch: Callable[..., Columns] | None = None  # (distinct values, **params) -> Columns
    extras: tuple[str, ...] = ()
    canonical: str | None = None  # RE2: a value matching it is canonical as it is (no error etc.)
    params: tuple[str, ...] = ()
    required: tuple[str, ...] = ()


def _text_one(value: str | None) -> Outcome:
    return Outcome(clean(value))


def _text_arrow(array: pa.Array) -> Columns:
    out = Columns.empty(len(array))
    out.value[:] = clean_array(array).to_numpy(zero_copy_only=False)
    return out


def _party_arrow(array: pa.Array) -> Columns:
    """Citizen IDs vectorised; only what is not a valid citizen ID is tried as a credit code."""
    person = citizen_id.standardize_array(array)
    out = Columns(person.value, person.error, person.warning, {})
    out.extra = {name: np.full(len(array), None, dtype=object) for name in party_id.EXTRAS}
    valid = (person.value != None) & (person.error == None)  # noqa: E711 - elementwise
    out.extra["party_type"][valid] = "person"
    invalid = np.flatnonzero(person.error != None)  # noqa: E711
    if len(invalid):
        raw = array.take(pa.array(invalid)).to_pylist()
        outcomes = [
            party_id.from_outcomes(
                value,
                Outcome(
                    person.value[i],
                    person.error[i],
                    None,
                    {"suggestion": person.extra["suggestion"][i]},
                ),
            )
            for i, value in zip(invalid.tolist(), raw, strict=True)
        ]
        out.put(invalid, Columns.from_outcomes(outcomes, party_id.EXTRAS))
    return out


def _org_name_columns(values: list[str | None]) -> Columns:
    return Columns.from_outcomes(names.org_name_outcomes(values), ("comparison_key",))


def _date_kind(kind: str) -> _Kind:
    return _Kind(
        one=partial(dates.standardize_value, kind=kind),
        arrow=partial(dates.standardize_array, kind=kind),
        params=("formats",),
    )


def _code_one(value: str | None, table: str) -> Outcome:
    return code_tables.standardize_code(value, table)


def _enum_one(value: str | None, allowed: list[str]) -> Outcome:
    return code_tables.standardize_enum(value, allowed)


_KINDS: dict[str, _Kind] = {
    "text": _Kind(_text_one, arrow=_text_arrow),
    "person_name": _Kind(
        names.standardize_person_name, batch=names.person_name_columns, extras=("phonetic_key",)
    ),
    "org_name": _Kind(
        names.standardize_org_name, batch=_org_name_columns, extras=("comparison_key",)
    ),
    "address": _Kind(address.standardize_address, batch=address.address_columns),
    "citizen_id": _Kind(
        citizen_id.standardize_value, arrow=citizen_id.standardize_array, extras=citizen_id.EXTRAS
    ),
    "credit_code": _Kind(credit_code.standardize_value, extras=credit_code.EXTRAS),
    "organization_code": _Kind(org_code.standardize_value),
    "registration_number": _Kind(registration_number.standardize_value),
    "party_id": _Kind(party_id.standardize_value, arrow=_party_arrow, extras=party_id.EXTRAS),
    "date": _date_kind("date"),
    "datetime": _date_kind("datetime"),
    "year_month": _date_kind("year_month"),
    "decimal": _Kind(numeric.standardize_decimal),
    "integer": _Kind(numeric.standardize_integer),
    "code": _Kind(_code_one, params=("table",), required=("table",)),
    "enum": _Kind(_enum_one, params=("allowed",), required=("allowed",)),
    "phone": _Kind(phones.standardize_value, canonical=r"^1[3-9][0-9]{9}$"),
    "grid_code": _Kind(place_codes.standardize_grid_code),
    "std_address_code": _Kind(place_codes.standardize_std_address_code),
    "unit_number": _Kind(place_codes.standardize_unit_number),
}

KINDS: frozenset[str] = frozenset(_KINDS)


def _spec(kind: str, params: dict[str, Any]) -> _Kind:
    spec = _KINDS.get(kind)
    if spec is None:
        raise ValueError(f"unknown kind {kind!r}; known: {', '.join(sorted(KINDS))}")
    unknown = set(params) - set(spec.params)
    if unknown:
        raise TypeError(
            f"kind {kind!r} takes no parameter(s) {sorted(unknown)} (takes {list(spec.params)})"
        )
    missing = [p for p in spec.required if params.get(p) is None]
    if missing:
        raise TypeError(f"kind {kind!r} needs parameter(s) {missing}")
    if kind == "code":
        code_tables.table(params["table"])  # fails early, naming the known tables
    if kind == "enum":
        allowed = params["allowed"]
        if isinstance(allowed, str) or not allowed or not all(isinstance(a, str) for a in allowed):
            raise TypeError("kind 'enum' needs `allowed`: a non-empty list of strings")
    if params.get("formats") is not None:
        dates.formats_for(params["formats"])
    return spec


def standardize_one(kind: str, value: Any, **params: Any) -> Outcome:
    """One value of ``kind``: ``Outcome(value, error, warning, extra)``.

    >>> standardize_one('person_name', '劉萱若').value
    '刘萱若'
    >>> standardize_one('integer', '750元').error
    'invalid_number'
    """
    spec = _spec(kind, params)
    if value is not None and not isinstance(value, str):
        value = None if isinstance(value, float) and value != value else str(value)
    outcome = spec.one(value, **params)
    if spec.extras and set(outcome.extra) != set(spec.extras):
        outcome = outcome._replace(extra={name: outcome.extra.get(name) for name in spec.extras})
    return outcome


_SAMPLE = 10_000
_REPEATING = 0.3  # estimated distinct/rows below this: compute per distinct value


def _repeats(values: pd.Series) -> bool:
    """Whether the column repeats enough that computing per distinct value is cheaper.

    The number of distinct values is estimated from a sample with Chao1 (distinct seen, plus
    singletons² / 2·doubletons for those not seen): a sample of 10,000 from 30,000 birth dates
    shows 8,500 distinct — "unique" at a glance, but the column repeats 30-fold.
    """
    n = len(values)
    if n <= _SAMPLE:
        return True
    sample = values.iloc[:: n // _SAMPLE].dropna()
    if sample.empty:
        return True
    counts = sample.value_counts().to_numpy()
    singletons, doubletons = int((counts == 1).sum()), int((counts == 2).sum())
    if doubletons == 0:
        return singletons < _REPEATING * len(sample)
    estimate = len(counts) + singletons * singletons / (2 * doubletons)
    return estimate < _REPEATING * n


def _all_strings(values: pd.Series) -> bool:
    return values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) == "string"


def standardize(kind: str, values: pd.Series, **params: Any) -> Standardized:
    """Standardize a column of raw strings (object or str dtype; None/NaN/'' are missing)."""
    spec = _spec(kind, params)
    if not isinstance(values, pd.Series):
        values = pd.Series(values, dtype=object)
    n = len(values)
    if n == 0:
        columns = Columns.empty(0, spec.extras)
    elif spec.arrow is not None and not _repeats(values):
        array = as_string_array(values)
        if kind == "citizen_id" and _all_strings(values):
            columns = spec.arrow(array, objects=values.to_numpy(dtype=object), **params)
        else:
            columns = spec.arrow(array, **params)
    elif spec.canonical is not None and not _repeats(values):
        columns = _canonical_first(spec, values, params)
    else:
        columns = _by_distinct(spec, values, params)
    index = values.index
    return Standardized(
        value=pd.Series(columns.value, index=index, dtype=object),
        error=pd.Series(columns.error, index=index, dtype=object),
        warning=pd.Series(columns.warning, index=index, dtype=object),
        extra={
            name: pd.Series(columns.extra[name], index=index, dtype=object) for name in spec.extras
        },
    )


def _repeats_array(array: pa.Array) -> bool:
    """``_repeats`` of a pyarrow string array: the same sample, the same estimate."""
    n = len(array)
    if n <= _SAMPLE:
        return True
    sample = array.take(pa.array(np.arange(0, n, n // _SAMPLE))).drop_null()
    if len(sample) == 0:
        return True
    counts = pc.value_counts(sample).field("counts").to_numpy()
    singletons, doubletons = int((counts == 1).sum()), int((counts == 2).sum())
    if doubletons == 0:
        return singletons < _REPEATING * len(sample)
    estimate = len(counts) + singletons * singletons / (2 * doubletons)
    return estimate < _REPEATING * n


def standardize_arrow(
    kind: str, array: pa.Array, **params: Any
) -> tuple[Columns, np.ndarray | None]:
    """``standardize`` of a pyarrow string array, for callers that stay in Arrow (the ingest).

    Returns ``(columns, codes)``: when ``codes`` is None, ``columns`` has one entry per value;
    otherwise ``columns`` has one entry per distinct value and ``codes`` gives each value's
    entry, so that a caller can build its output columns from the few distinct results instead
    of a Python object per row. The answers are those of ``standardize`` (same paths).
    """
    spec = _spec(kind, params)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    n = len(array)
    if n == 0:
        return Columns.empty(0, spec.extras), None
    if spec.arrow is not None and not _repeats_array(array):
        return spec.arrow(array, **params), None
    if spec.canonical is not None and not _repeats_array(array):
        fast = to_bool(pc.match_substring_regex(array, spec.canonical))
        out = Columns.empty(n, spec.extras)
        if fast.any():
            out.value[fast] = array.filter(pa.array(fast)).to_numpy(zero_copy_only=False)
        rest = np.flatnonzero(~fast)
        if len(rest):
            per_value, codes = _distinct_arrow(spec, array.take(pa.array(rest)), params)
            out.put(rest, per_value.take(codes))
        return out, None
    return _distinct_arrow(spec, array, params)


def _distinct_arrow(
    spec: _Kind, array: pa.Array, params: dict[str, Any]
) -> tuple[Columns, np.ndarray]:
    """``_by_distinct`` on Arrow: one result per distinct value, the last entry 'missing'."""
    encoded = pc.dictionary_encode(array)
    distinct = encoded.dictionary.to_pylist()
    codes = encoded.indices.fill_null(len(distinct)).to_numpy().astype(np.intp)
    return _per_distinct(spec, distinct, params), codes


def _per_distinct(spec: _Kind, distinct: list[str], params: dict[str, Any]) -> Columns:
    """One result per distinct value, then one for 'missing', by the kind's fastest path."""
    if spec.arrow is not None:
        return spec.arrow(pa.array([*distinct, None], type=pa.string()), **params)
    if spec.batch is not None:
        return spec.batch([*distinct, None], **params)
    outcomes = [spec.one(u, **params) for u in distinct]
    outcomes.append(Outcome())
    return Columns.from_outcomes(outcomes, spec.extras)


def _canonical_first(spec: _Kind, values: pd.Series, params: dict[str, Any]) -> Columns:
    """Values already in canonical form pass as they are; the rest go per distinct value."""
    array = as_string_array(values)
    fast = to_bool(pc.match_substring_regex(array, spec.canonical))
    out = Columns.empty(len(values), spec.extras)
    if fast.any():
        if _all_strings(values):
            out.value[fast] = values.to_numpy(dtype=object)[fast]
        else:
            out.value[fast] = array.filter(pa.array(fast)).to_numpy(zero_copy_only=False)
    rest = np.flatnonzero(~fast)
    if len(rest):
        out.put(rest, _by_distinct(spec, values.iloc[rest], params))
    return out


def _by_distinct(spec: _Kind, values: pd.Series, params: dict[str, Any]) -> Columns:
    """Compute once per distinct value; the last row of the distinct results is 'missing'."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    distinct = [
        u if isinstance(u, str) else str(u) for u in np.asarray(uniques, dtype=object).tolist()
    ]
    per_value = _per_distinct(spec, distinct, params)
    codes = np.where(codes < 0, len(distinct), codes)
    return per_value.take(codes)
