"""Person names, sampled in bulk from Faker's zh_CN tables, and the ways departments misspell them.

Faker is only read for its lists (surnames with their weights, given names); names are composed
with numpy so a million of them take a fraction of a second.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from faker.providers.person.zh_CN import Provider

_SURNAMES = np.array(list(Provider.last_names.keys()))
_SURNAME_P = np.array(list(Provider.last_names.values()), dtype=float)
_SURNAME_P /= _SURNAME_P.sum()

_EXTRA_MALE = (
    "浩宇轩博睿泽子俊天皓铭航逸晨杰诚锦毅凯鑫磊涛斌辉刚强明军勇健志国德胜华平林波海峰荣洪元"
)
_EXTRA_FEMALE = (
    "婷雪丽娟琳萱若梓涵瑶怡欣雨思佳琪婉璇妍悦晴心一梦慧静洁娜霞燕玲芳红兰梅英倩颖晶蕾薇露"
)


def _chars(names: list[str], extra: str) -> np.ndarray:
    return np.array(sorted(set("".join(names)) | set(extra)))


_MALE_CHARS = np.setdiff1d(
    _chars(Provider.first_names_male, _EXTRA_MALE), list("红霞")
)  # Faker lists 红霞 as male
_FEMALE_CHARS = _chars(Provider.first_names_female, _EXTRA_FEMALE)
_CLASSIC_MALE = np.array(Provider.first_names_male)
_CLASSIC_FEMALE = np.array(Provider.first_names_female)

_DOT_MALE = np.array(["买买提", "艾力", "努尔兰", "吐尔逊", "阿不都", "艾克拜尔", "依明", "热合曼"])
_DOT_FEMALE = np.array(
    ["阿依古丽", "热依拉", "古丽娜尔", "帕提古丽", "迪丽努尔", "阿娜尔", "再娜甫"]
)
_DOT_FATHER = np.array(
    ["买买提", "艾力", "努尔兰", "吐尔逊", "阿不都热依木", "玉素甫", "依明", "卡德尔"]
)
_FOREIGN_GIVEN_M = np.array(["约翰", "迈克尔", "大卫", "亚历山大", "伊万", "阮文"])
_FOREIGN_GIVEN_F = np.array(["玛丽亚", "安娜", "索菲亚", "娜塔莎", "阮氏", "艾米丽"])
_FOREIGN_FAMILY = np.array(["史密斯", "安德森", "彼得罗夫", "金", "伊万诺夫", "黎", "加西亚"])

MIDDLE_DOT = "·"
DOT_VARIANTS = ("•", "．", "・")


def han_names(
    male: np.ndarray,
    birth_year: np.ndarray,
    rng: np.random.Generator,
    surnames: np.ndarray | None = None,
) -> np.ndarray:
    """Han names: a weighted surname and a given name of one or two characters; people born
    before 1970 often carry the classic given names of Faker's list (秀英, 桂兰 …)."""
    n = len(male)
    if surnames is None:
        surnames = _SURNAMES[rng.choice(len(_SURNAMES), n, p=_SURNAME_P)]
    c1 = np.where(
        male,
        _MALE_CHARS[rng.integers(0, len(_MALE_CHARS), n)],
        _FEMALE_CHARS[rng.integers(0, len(_FEMALE_CHARS), n)],
    )
    c2 = np.where(
        male,
        _MALE_CHARS[rng.integers(0, len(_MALE_CHARS), n)],
        _FEMALE_CHARS[rng.integers(0, len(_FEMALE_CHARS), n)],
    )
    two = rng.random(n) < 0.7
    given = np.where(two, np.strings.add(c1, c2), c1)
    classic = (birth_year < 1970) & (rng.random(n) < 0.5)
    if classic.any():
        k = classic.sum()
        given[classic] = np.where(
            male[classic],
            _CLASSIC_MALE[rng.integers(0, len(_CLASSIC_MALE), k)],
            _CLASSIC_FEMALE[rng.integers(0, len(_CLASSIC_FEMALE), k)],
        )
    return np.strings.add(np.asarray(surnames).astype(str), given.astype(str)).astype(object)


def random_surnames(n: int, rng: np.random.Generator) -> np.ndarray:
    return _SURNAMES[rng.choice(len(_SURNAMES), n, p=_SURNAME_P)]


def surname_of(names: np.ndarray) -> np.ndarray:
    """Surnames as sampled: all of Faker's surnames used here are one character long except a few
    compound ones (欧阳), which are matched first."""
    names = np.asarray(names).astype(str)
    compound = [s for s in _SURNAMES if len(s) > 1]
    out = np.strings.slice(names, 0, 1)
    for s in compound:
        hit = np.strings.startswith(names, s)
        out = np.where(hit, s, out)
    return out


def dot_names(male: np.ndarray, rng: np.random.Generator, foreign: bool = False) -> np.ndarray:
    """Transliterated names with the middle dot (热依拉·努尔兰, 约翰·史密斯)."""
    n = len(male)
    if foreign:
        given = np.where(
            male,
            _FOREIGN_GIVEN_M[rng.integers(0, len(_FOREIGN_GIVEN_M), n)],
            _FOREIGN_GIVEN_F[rng.integers(0, len(_FOREIGN_GIVEN_F), n)],
        )
        family = _FOREIGN_FAMILY[rng.integers(0, len(_FOREIGN_FAMILY), n)]
    else:
        given = np.where(
            male,
            _DOT_MALE[rng.integers(0, len(_DOT_MALE), n)],
            _DOT_FEMALE[rng.integers(0, len(_DOT_FEMALE), n)],
        )
        family = _DOT_FATHER[rng.integers(0, len(_DOT_FATHER), n)]
    return np.strings.add(np.strings.add(given, MIDDLE_DOT), family).astype(object)


# -- how names get misspelt ------------------------------------------------------------------

HOMOPHONES = {
    "伟": "玮", "玮": "伟", "丽": "莉", "莉": "丽", "华": "骅", "涛": "韬", "韬": "涛", "明": "铭",
    "铭": "明", "梦": "孟", "静": "婧", "婧": "静", "婷": "庭", "洁": "婕", "婕": "洁", "辉": "晖",
    "军": "君", "娟": "鹃", "斌": "彬", "宇": "雨", "雨": "宇", "琳": "林", "林": "琳", "瑞": "睿",
    "睿": "瑞", "思": "斯", "欣": "馨", "馨": "欣", "佳": "嘉", "嘉": "佳", "晨": "辰", "浩": "皓",
    "皓": "浩", "红": "宏", "芳": "方", "英": "瑛", "萍": "平", "平": "萍", "燕": "艳", "艳": "燕",
    "霞": "侠", "慧": "惠", "惠": "慧", "梓": "子", "子": "梓", "轩": "萱", "萱": "轩", "怡": "仪",
    "倩": "茜", "鑫": "欣", "磊": "雷", "勇": "永", "杰": "捷", "航": "杭", "博": "波", "波": "博",
    "泽": "则", "俊": "骏", "凯": "恺", "健": "建", "建": "健", "志": "智", "刚": "钢", "琪": "琦",
    "婉": "宛", "璇": "旋", "妍": "研", "悦": "月", "玲": "铃", "兰": "岚", "梅": "玫", "颖": "莹",
    "晶": "菁", "强": "墙", "敏": "民", "秀": "修", "峰": "锋", "超": "潮", "飞": "菲", "鹏": "朋",
}  # fmt: skip


@cache
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


@cache
def traditional_pattern() -> str:
    """A regex character class of the simplified characters our names use that have a
    traditional form (劉, 趙, 萬, 夢 …): names containing one can be written traditionally."""
    pool = set("".join(_SURNAMES)) | set(_MALE_CHARS) | set(_FEMALE_CHARS)
    pool |= set("".join(_CLASSIC_MALE)) | set("".join(_CLASSIC_FEMALE))
    pool = sorted(pool)
    converted = _s2t().convert("\n".join(pool)).split("\n")
    changing = [c for c, t in zip(pool, converted, strict=True) if c != t]
    return "[" + "".join(changing) + "]"


def to_traditional(value: str) -> str:
    return _s2t().convert(value)


def homophone_pattern() -> str:
    return "[" + "".join(sorted(HOMOPHONES)) + "]"


def homophone_typo(name: str, rng: np.random.Generator) -> str:
    """Replace one given-name character by a homophone (张伟 → 张玮); the surname is kept."""
    positions = [i for i, c in enumerate(name) if i > 0 and c in HOMOPHONES]
    if not positions:
        return name
    i = positions[rng.integers(0, len(positions))]
    return name[:i] + HOMOPHONES[name[i]] + name[i + 1 :]
