"""Address matching (地址匹配): free text → the standard address code (标准地址编码) with a score.

Three steps, each only for the texts the step before left without an answer:

1. **components** — the parsed parts looked up in the register (``prepare_register``) on the
   parts the text gives: county, road, number, building, unit, room; the community and street
   are added to the key only where it is ambiguous without them (rural 组 repeat in every
   village). ``exact`` when the text gave every part the register has, ``parsed`` when a part
   was inferred (no county, no unit where the building has one …);
2. **building level** — a text without a room (``青岛路124号2栋``), or whose room fits several
   dwellings of one building (unit left out), gets the building's code, ``level='building'``
   and a lower score;
3. **fuzzy** (``address_fuzzy``) — a road or village name that the register does not know in
   that county (青岛路 written 清岛路) is replaced by each close name (rapidfuzz ``cdist``,
   blocked by county), and kept only when exactly one of them gives an answer.

Precision before recall: an answer must be unique; a text that names a community or street the
answer does not lie in, a number that is not there, or a room that does not exist gets no
code (``None``, score 0), never the nearest one.

Scores: 1.0 exact; −0.05 without county; −0.1 per inferred number/building/unit; −0.05 for a
community or street spelled differently; a building-level answer at most 0.8 (0.7 when the room
fitted several dwellings); fuzzy answers × similarity, at most 0.85.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from hub.standardize.address_parse import parse_addresses
from hub.standardize.address_register import KEY_PARTS, prepare_register

RESULT_COLUMNS = ("std_address_code", "score", "method", "level")
PARTS = tuple(KEY_PARTS)  # county, street, community, road, number, building, unit, room
_IDS = ("building", "unit", "number")  # parts whose absence is an inference
CONSISTENT = 60  # fuzz.ratio at which a differently written community/street still agrees


def parsed_parts(texts: pd.Series, workers: int = 1) -> pd.DataFrame:
    """Parsed texts with the register's part names, ``''`` where the text says nothing."""
    parsed = (
        parse_addresses(texts, workers=workers)
        .drop(columns="county")
        .rename(columns={"county_code": "county", "house_number": "number"})
    )
    return parsed[list(PARTS)].fillna("").astype(object)


def _key(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    key = frame[columns[0]].astype(str)
    for column in columns[1:]:
        key = key + "|" + frame[column].astype(str)
    return key


class AddressMatcher:
    """Match address texts against one delivery of the standard address register.

    ``register``: the staging columns of ``zrzyj_bzdz`` (``std_address_code, county_code,
    street, community, road, house_number, building, unit, room``; more are ignored).
    """

    def __init__(self, register: pd.DataFrame) -> None:
        self.register = prepare_register(register)
        r = self.register
        self._dwellings = r[r.room != ""].reset_index(drop=True)
        self._buildings = r[r.room == ""].reset_index(drop=True)
        self._stats: dict[tuple[bool, tuple[str, ...]], pd.DataFrame] = {}
        # names known per county ('' = anywhere in the city), for the fuzzy step
        self.vocabulary: dict[str, dict[str, np.ndarray]] = {}
        for part in ("road", "community"):
            known = r.loc[r[part] != "", ["county", part]].drop_duplicates()
            by_county = {c: g[part].to_numpy(dtype=object) for c, g in known.groupby("county")}
            by_county[""] = known[part].drop_duplicates().to_numpy(dtype=object)
            self.vocabulary[part] = by_county

    def match(self, texts: pd.Series, workers: int = 1) -> pd.DataFrame:
        """One row per text (same index): ``std_address_code`` (None if nothing fits),
        ``score`` (0..1), ``method`` (``exact``/``parsed``/``fuzzy``/None), ``level``
        (``dwelling``/``building``/None). ``workers``: processes for parsing many texts."""
        from hub.standardize.address_fuzzy import fuzzy_resolve

        if not isinstance(texts, pd.Series):
            texts = pd.Series(texts, dtype=object)
        codes, uniques = pd.factorize(texts, use_na_sentinel=True)
        parts = parsed_parts(pd.Series(list(uniques), dtype=object), workers=workers)
        result = self.resolve(parts)
        todo = result.std_address_code.isna().to_numpy()
        if todo.any():
            fuzzy = fuzzy_resolve(self, parts[todo])
            result.loc[fuzzy.index, list(RESULT_COLUMNS)] = fuzzy[list(RESULT_COLUMNS)]
        missing = pd.DataFrame(
            [[None, 0.0, None, None]], columns=list(RESULT_COLUMNS), index=[len(result)]
        )
        table = pd.concat([result[list(RESULT_COLUMNS)], missing], ignore_index=True)
        taken = table.iloc[np.where(codes < 0, len(result), codes)]
        out = taken.set_axis(texts.index)
        out["score"] = out.score.astype(float)
        return out

    def resolve(self, parts: pd.DataFrame) -> pd.DataFrame:
        """Steps 1 and 2 on parsed parts (``parsed_parts``): ``RESULT_COLUMNS`` on its index."""
        out = pd.DataFrame(
            {"std_address_code": None, "score": 0.0, "method": None, "level": None},
            index=parts.index,
        ).astype({"std_address_code": object, "method": object, "level": object})
        usable = (parts.road != "") & ((parts.number != "") | (parts.room != ""))
        rooms = usable & (parts.room != "")
        self._step(parts[rooms], out, dwelling=True)
        self._step(parts[usable & ~rooms], out, dwelling=False)
        return out

    def _stats_for(self, dwelling: bool, columns: tuple[str, ...]) -> pd.DataFrame:
        """Per key of ``columns``: how many register rows, the first, how many buildings."""
        cached = self._stats.get((dwelling, columns))
        if cached is None:
            rows = self._dwellings if dwelling else self._buildings
            frame = rows.assign(_key=_key(rows, list(columns)))
            cached = frame.groupby("_key", sort=False).agg(
                n=("code", "size"),
                first=("code", "first"),
                buildings=("building_code", "nunique"),
                building=("building_code", "first"),
            )
            cached["row"] = frame.reset_index().groupby("_key", sort=False)["index"].first()
            self._stats[(dwelling, columns)] = cached
        return cached

    def _step(self, parts: pd.DataFrame, out: pd.DataFrame, dwelling: bool) -> None:
        if parts.empty:
            return
        rows = self._dwellings if dwelling else self._buildings
        # the parts a text may leave out (a building may be named without its 楼栋号)
        optional = ("county", "number", "building", *(("unit",) if dwelling else ()))
        given = (parts[list(optional)] != "").to_numpy()
        pattern = given @ (1 << np.arange(len(optional)))
        for bits, group in parts.groupby(pattern, sort=False):
            columns = tuple(c for i, c in enumerate(optional) if bits >> i & 1)
            base = ("road", *(("room",) if dwelling else ()), *columns)
            pending = group
            for extra in ((), ("community",), ("community", "street")):
                if pending.empty:
                    break
                if extra and (pending[list(extra)] == "").any(axis=1).all():
                    break
                if extra:
                    pending = pending[(pending[list(extra)] != "").all(axis=1)]
                stats = self._stats_for(dwelling, tuple(sorted(base + extra)))
                found = stats.reindex(_key(pending, sorted(base + extra)).to_numpy())
                n = found.n.fillna(0).to_numpy()
                unique = n == 1
                one_building = (n > 1) & (found.buildings.to_numpy() == 1)
                self._accept(pending[unique], rows, found[unique], out, dwelling, False)
                if dwelling:
                    self._accept(pending[one_building], rows, found[one_building], out, True, True)
                pending = pending[(n > 1) & ~one_building]

    def _accept(self, parts, rows, found, out, dwelling: bool, whole_building: bool) -> None:
        """Write the answers that agree with what else the text says."""
        if parts.empty:
            return
        hit = rows.iloc[found.row.to_numpy(dtype=np.int64)].set_axis(parts.index)
        score = np.ones(len(parts))
        score -= np.where(parts.county == "", 0.05, 0.0)
        for part in _IDS:
            score -= np.where((parts[part] == "") & (hit[part] != ""), 0.1, 0.0)
        agree = np.ones(len(parts), dtype=bool)
        for part in ("community", "street"):
            said, truth = parts[part].to_numpy(dtype=object), hit[part].to_numpy(dtype=object)
            differs = (said != "") & (said != truth)
            if differs.any():
                similarity = process.cpdist(
                    said, truth, scorer=fuzz.ratio, processor=None, score_cutoff=None
                )
                agree &= ~differs | (similarity >= CONSISTENT)
                score -= np.where(differs, 0.05, 0.0)
        code = hit.code.to_numpy(dtype=object)
        level = hit.level.to_numpy(dtype=object)
        if whole_building:
            code, level = hit.building_code.to_numpy(dtype=object), np.full(len(hit), "building")
            score = np.minimum(score, 0.7)
        elif not dwelling:
            score = np.where(level == "building", np.minimum(score, 0.8), score)
        exact = (score >= 1.0) & (level == "dwelling")
        idx = parts.index[agree]
        out.loc[idx, "std_address_code"] = code[agree]
        out.loc[idx, "score"] = np.round(score[agree], 4)
        out.loc[idx, "method"] = np.where(exact[agree], "exact", "parsed")
        out.loc[idx, "level"] = level[agree]


def match_to_register(texts: pd.Series, register_frame: pd.DataFrame) -> pd.DataFrame:
    """Match address texts to the standard address register in one call (for linkage and dbt):
    ``AddressMatcher(register_frame).match(texts)``. Build an ``AddressMatcher`` once instead
    when matching several columns against the same register."""
    return AddressMatcher(register_frame).match(texts)
