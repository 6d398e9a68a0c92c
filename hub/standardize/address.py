"""Addresses as text: one spelling of the same words (parsing into places is a later stage).

``湖北省宜昌市西陵区青岛路124號2栋1单元102室`` and ``湖北省宜昌市秭归县茅坪大道２４０号３栋`` are
cleaned (NFKC: full-width digits; spaces collapsed) and put in simplified characters (OpenCC
``t2s``: 號 → 号, 棟 → 栋 …). Abbreviated (``3-1-302``) or prefix-less (``西陵区…``) forms are
left as they are: telling them apart is address parsing, not spelling.

>>> normalize_address(' 湖北省宜昌市西陵区青岛路124號2栋1单元102室 ')
'湖北省宜昌市西陵区青岛路124号2栋1单元102室'
>>> normalize_address('秭归县茅坪大道２４０号３栋１单元４０２室')
'秭归县茅坪大道240号3栋1单元402室'
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hub.standardize._vector import to_bool
from hub.standardize.names import to_simplified, to_simplified_many
from hub.standardize.outcome import Columns, Outcome
from hub.standardize.text import clean, clean_array


def normalize_address(value: str | None) -> str | None:
    """NFKC, trimmed, spaces collapsed, simplified characters; ``None`` if empty."""
    text = clean(value)
    return None if text is None else to_simplified(text)


def standardize_address(value: str | None) -> Outcome:
    """The registry's rule for one address."""
    return Outcome(normalize_address(value))


def address_columns(values: Sequence[str | None]) -> Columns:
    """``standardize_address`` of many values: cleaned with pyarrow, one OpenCC call for the
    ones that are not plain ASCII."""
    out = Columns.empty(len(values))
    cleaned = clean_array(pa.array(values, type=pa.string()))
    out.value[:] = cleaned.to_numpy(zero_copy_only=False)
    chinese = np.flatnonzero(to_bool(pc.invert(pc.string_is_ascii(cleaned))))
    if len(chinese):
        out.value[chinese] = to_simplified_many(out.value[chinese].tolist())
    return out
