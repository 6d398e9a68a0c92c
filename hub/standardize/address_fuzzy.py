"""The fuzzy step of address matching: names the register does not know, written close to one it
does (清岛路 for 青岛路, 金珊村 for 金山村, 青岛 without 路).

Blocked by county: a text's road is compared only with the roads of its county (all the city's
when the text names none) — ``rapidfuzz.process.cdist`` over each block, never a loop over
pairs. Each close name is tried in turn through the component lookup, and the text keeps an
answer only when exactly one of them gives one. Names that differ in a numeral or a direction
(西陵一路 / 西陵二路, 东山大道 / 西山大道) are different places, never a typo of each other.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

if TYPE_CHECKING:
    from hub.standardize.address_match import AddressMatcher

CUTOFF = 60  # fuzz.ratio: one wrong character of a three-character name (青岛路/清岛路) is 66.7
MAX_SCORE = 0.85
_DISTINCTIVE = set("一二三四五六七八九十零〇0123456789东南西北")


def _different_place(a: str, b: str) -> bool:
    """Whether two names differ in a character that makes them different places."""
    differing = (Counter(a) - Counter(b)) + (Counter(b) - Counter(a))
    return any(c in _DISTINCTIVE for c in differing)


def close_names(queries: np.ndarray, choices: np.ndarray) -> list[tuple[int, str, float]]:
    """``(query index, choice, similarity 0..100)`` for every choice within ``CUTOFF``.

    >>> close_names(np.array(['清岛路', '西陵三路']), np.array(['青岛路', '西陵一路', '北山坡路']))
    [(0, '青岛路', 66.66666666666667)]
    """
    if not len(queries) or not len(choices):
        return []
    scores = process.cdist(
        queries.tolist(),
        choices.tolist(),
        scorer=fuzz.ratio,
        processor=None,  # both sides are already canonical (address_parse.canonical_text)
        score_cutoff=CUTOFF,
        dtype=np.float32,
    )
    out = []
    for q, c in zip(*np.nonzero(scores), strict=True):
        query, choice = str(queries[q]), str(choices[c])
        if query != choice and not _different_place(query, choice):
            out.append((int(q), choice, float(fuzz.ratio(query, choice, processor=None))))
    return out


def _candidates(matcher: AddressMatcher, parts: pd.DataFrame, part: str) -> pd.DataFrame:
    """Copies of ``parts`` rows with ``part`` replaced by each close known name."""
    rows = []
    vocabulary = matcher.vocabulary[part]
    for county, group in parts[parts[part] != ""].groupby("county", sort=False):
        known = vocabulary.get(county)
        if known is None:
            continue
        said = group[part].to_numpy(dtype=object)
        unknown = np.unique(said[~np.isin(said, known)])
        for q, name, similarity in close_names(unknown, known):
            hit = group[said == unknown[q]]
            rows.append(hit.assign(**{part: name, "_similarity": similarity, "_orig": hit.index}))
    if not rows:
        return parts.iloc[:0].assign(_similarity=0.0, _orig=parts.index[:0])
    return pd.concat(rows, ignore_index=True)


def fuzzy_resolve(matcher: AddressMatcher, parts: pd.DataFrame) -> pd.DataFrame:
    """Answers for ``parts`` (rows the exact steps left without one) whose road, or village
    (for a 组), is unknown but close to exactly one known name that gives an answer."""
    answers = []
    is_group = parts.road.str.fullmatch(r"\d+组").fillna(False)
    for part, rows in (("road", parts[~is_group]), ("community", parts[is_group])):
        expanded = _candidates(matcher, rows, part)
        if expanded.empty:
            continue
        resolved = matcher.resolve(expanded.drop(columns=["_similarity", "_orig"]))
        resolved["_orig"] = expanded["_orig"].to_numpy()
        resolved["_similarity"] = expanded["_similarity"].to_numpy()
        resolved = resolved[resolved.std_address_code.notna()]
        single = resolved.groupby("_orig")["std_address_code"].transform("size") == 1
        resolved = resolved[single.to_numpy()]
        resolved["score"] = np.minimum(
            resolved.score * resolved._similarity / 100.0, MAX_SCORE
        ).round(4)
        resolved["method"] = "fuzzy"
        answers.append(resolved.set_index("_orig"))
    if not answers:
        return pd.DataFrame(columns=["std_address_code", "score", "method", "level"])
    return pd.concat(answers)[["std_address_code", "score", "method", "level"]]
