"""The standard address register (标准地址, ``zrzyj_bzdz``) in the parser's terms, ready to match.

The register's cells are written by hand too (``132号`` in 门牌号, ``二`` in 楼栋号), so each
component goes through the same canonical form as a parsed text before anything is compared.
Rows without a code cannot be an answer and are dropped; a code delivered twice counts once.

Every row gets a ``level``: ``dwelling`` (a room: ``…-1-302``, or a house with no rooms in it,
as rural houses are) or ``building`` (a building whose dwellings are registered beside it).

>>> frame = pd.DataFrame({
...     'std_address_code': ['42050200100100100101', '42050200100100100101-1-101'],
...     'county_code': ['420502', '420502'], 'street': ['西坝街道'] * 2,
...     'community': ['桂城社区'] * 2, 'road': ['青岛路'] * 2, 'house_number': ['124号', '124'],
...     'building': ['1', '一'], 'unit': ['', '1'], 'room': [None, '101']})
>>> prepare_register(frame)[['code', 'number', 'building', 'room', 'level']].to_dict('records')
[{'code': '42050200100100100101', 'number': '124', 'building': '1', 'room': '', 'level': 'building'}, {'code': '42050200100100100101-1-101', 'number': '124', 'building': '1', 'room': '101', 'level': 'dwelling'}]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hub.standardize.address_parse import component
from hub.standardize.code_tables import lookup

# The staging columns of zrzyj_bzdz (data_contracts/zrzyj_bzdz.yaml) the matcher reads.
REGISTER_COLUMNS: tuple[str, ...] = (
    "std_address_code",
    "county_code",
    "street",
    "community",
    "road",
    "house_number",
    "building",
    "unit",
    "room",
)
# Matched components, in the register's and in the parser's names.
KEY_PARTS: dict[str, str] = {
    "county": "county_code",
    "street": "street",
    "community": "community",
    "road": "road",
    "number": "house_number",
    "building": "building",
    "unit": "unit",
    "room": "room",
}
_SUFFIXES: dict[str, tuple[str, ...]] = {
    "house_number": ("号",),
    "building": ("栋", "号楼"),
    "unit": ("单元",),
    "room": ("室", "号", "户"),
}


def _canonical(values: pd.Series, suffixes: tuple[str, ...]) -> np.ndarray:
    """``component`` once per distinct value; ``''`` where empty (keys compare strings)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    done = [component(u, suffixes) or "" for u in uniques.tolist()]
    return np.asarray([*done, ""], dtype=object)[np.where(codes < 0, len(done), codes)]


def prepare_register(frame: pd.DataFrame) -> pd.DataFrame:
    """The register with canonical components: ``code, county, street, community, road,
    number, building, unit, room`` (``''`` where empty), ``building_code`` (the code without
    ``-unit-room``) and ``level``; one row per code."""
    missing = [c for c in REGISTER_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"the address register needs the columns {missing}")
    code = frame["std_address_code"].astype(object).where(frame["std_address_code"].notna(), None)
    code = code.map(lambda v: v.strip() if isinstance(v, str) else None)
    keep = code.fillna("").str.len().to_numpy() >= 20
    frame, code = frame.loc[keep], code[keep]
    out = pd.DataFrame({"code": code.to_numpy(dtype=object)})
    county = frame["county_code"].map(lambda v: lookup("county", v) if isinstance(v, str) else None)
    out["county"] = np.where(county.notna(), county, out.code.str[:6]).astype(object)
    for part, column in KEY_PARTS.items():
        if part != "county":
            out[part] = _canonical(frame[column].astype(object), _SUFFIXES.get(column, ()))
    out = out.drop_duplicates("code", keep="first").reset_index(drop=True)
    out["building_code"] = out.code.str.split("-", n=1).str[0]
    has_dwellings = out.building_code.isin(out.building_code[out.code.str.contains("-")])
    out["level"] = np.where(
        (out.room != "") | ~has_dwellings | out.code.str.contains("-"), "dwelling", "building"
    )
    return out
