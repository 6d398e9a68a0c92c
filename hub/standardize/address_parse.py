"""Address parsing (地址解析): free text into county / street / community / road / number /
building / unit / room, so that departments' spellings of one place compare equal.

Departments write the same dwelling as ``湖北省宜昌市西陵区青岛路124号2栋1单元102室``,
``西陵区青岛路124號二栋一单元102室``, ``青岛路124号2-1-102`` or ``宜昌市西陵区青岛路１２４号２栋１单元１０２``;
rural houses as ``宜都市姚家店镇金山村一组8号``. The text is first put in one spelling
(``canonical_text``: NFKC, simplified characters, no spaces, Chinese numerals before a unit
word in Arabic digits, 幢/座/号楼/# → 栋, dashes unified), then cut in two at the first digit:
the words before it (street, community, road, found by their suffixes) and the numbers after it
(组, 门牌号, 栋, 单元, 室, or the short form ``栋-单元-室``).

The parser knows no register: it tells what the text says. Whether that place exists is the
matcher's business (``address_match``).

>>> p = parse_address('湖北省宜昌市西陵区青岛路124號二栋一单元一〇二室')
>>> p.county_code, p.county, p.road, p.house_number, p.building, p.unit, p.room
('420502', '西陵区', '青岛路', '124', '2', '1', '102')
>>> p = parse_address('樵湖岭路249号1-3-302')
>>> p.county, p.road, p.house_number, p.building, p.unit, p.room
(None, '樵湖岭路', '249', '1', '3', '302')
>>> p = parse_address('宜都市姚家店镇金山村一组8号')
>>> p.street, p.community, p.road, p.house_number
('姚家店镇', '金山村', '1组', '8')
"""

from __future__ import annotations

import multiprocessing
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, fields
from functools import cache, lru_cache
from operator import attrgetter

import cn2an
import numpy as np
import pandas as pd

from hub.standardize.address import address_columns, normalize_address
from hub.standardize.code_tables import table

PROVINCE = "湖北省"
CITY = "宜昌市"

_CN_NUMERAL = "零〇一二两三四五六七八九十百千"
# A run of Chinese numerals is a number only where a unit word follows: 三栋, 十二号, 一组 —
# never in a name (西陵一路, 三斗坪镇, 九里路).
_NUMERAL_RUN = re.compile(f"([{_CN_NUMERAL}]+)(?=栋|幢|座|号楼|单元|室|号|组|户|-)")
_ANY_NUMERAL = re.compile(f"[{_CN_NUMERAL}]")
_FIRST_DIGIT = re.compile(r"\d")
_TRAILING_ROOM = re.compile(f"(单元|栋|-)([{_CN_NUMERAL}]+)$")  # 二单元一〇二, 室 left out
_BUILDING_WORD = re.compile(r"(\d+|[A-Z])(?:号楼|栋楼|幢|座|栋|#楼|#)")
_DASHES = str.maketrans({"—": "-", "–": "-", "~": "-", "－": "-", "_": "-"})
_SPACES = re.compile(r"\s+")

# Suffixes that end an administrative or street name, longest first where one contains another.
_STREET_SUFFIXES = ("街道办事处", "街道", "镇", "乡")
_COMMUNITY_SUFFIXES = ("社区居委会", "居委会", "村委会", "社区", "村")
_ROAD_SUFFIXES = ("大道", "大街", "路", "街", "巷", "弄", "胡同", "里")
_SUFFIXES = _STREET_SUFFIXES + _COMMUNITY_SUFFIXES + _ROAD_SUFFIXES
_LONG_SUFFIXES = tuple(x for x in _SUFFIXES if len(x) > 1)
_TOKEN = re.compile(".+?(?:" + "|".join(_SUFFIXES) + ")")

_TAIL = re.compile(
    r"""
    (?:(?P<group>\d+)组)?
    (?:(?P<number>\d+(?:-\d+)?)号(?!楼)
      | (?P<bare_number>\d+)(?:-(?=\d+-\d+-\d+)|(?=$|[^\d\-栋单室组])))?
    (?:附(?P<annex>\d+)号)?
    (?P<name>[^\d-]*)
    (?:
        (?P<b_short>\d+|[A-Z])-(?P<u_short>\d+)-(?P<r_short>\d+)(?:室|号|户)?
      | (?:(?P<building>\d+|[A-Z])栋)?
        (?:(?P<unit>\d+)单元)?
        (?:(?P<room>\d+)(?:室|号|户)?)?
    )
    (?P<rest>.*)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class ParsedAddress:
    """What an address text says, each part in canonical form (``None`` where not said).

    ``county_code``/``county``: GB/T 2260 code and name; ``street``: 街道/镇/乡;
    ``community``: 社区/村; ``road``: 街路巷 (for rural houses the 组: ``1组``);
    ``house_number``: 门牌号 (``124``, ``124附1``); ``building``: 楼栋号; ``unit``: 单元;
    ``room``: 户室; ``rest``: whatever the parser could not place (a compound's name …).
    """

    province: str | None = None
    city: str | None = None
    county_code: str | None = None
    county: str | None = None
    street: str | None = None
    community: str | None = None
    road: str | None = None
    house_number: str | None = None
    building: str | None = None
    unit: str | None = None
    room: str | None = None
    rest: str | None = None


PARTS: tuple[str, ...] = tuple(f.name for f in fields(ParsedAddress))
_ROW = attrgetter(*PARTS)  # dataclasses.astuple deep-copies: a third of the time on a column


@lru_cache(maxsize=4096)
def _numeral(run: str) -> str:
    try:
        return str(int(cn2an.cn2an(run, "normal")))
    except (ValueError, KeyError, TypeError):
        return run


def canonical_text(value: str | None) -> str | None:
    """One spelling for parsing: normalized, no spaces, numbers in Arabic digits, 栋 for every
    word for a building, one kind of dash.

    >>> canonical_text(' 西陵区青岛路十二號 3幢 二单元 一〇二 ')
    '西陵区青岛路12号3栋2单元102'
    >>> canonical_text('西陵一路5号3#楼')
    '西陵一路5号3栋'
    """
    return _respell(normalize_address(value))


def _respell(text: str | None) -> str | None:
    """``canonical_text`` after ``normalize_address`` (done per column, one OpenCC call)."""
    if text is None:
        return None
    text = _SPACES.sub("", text).translate(_DASHES)
    if _ANY_NUMERAL.search(text):
        text = _NUMERAL_RUN.sub(lambda m: _numeral(m.group(1)), text)
        text = _TRAILING_ROOM.sub(lambda m: m.group(1) + _numeral(m.group(2)), text)
    return _BUILDING_WORD.sub(r"\1栋", text)


@cache
def _county_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    """Every county-level name of 湖北省 (and ``长阳县`` for ``长阳土家族自治县``) → code."""
    county = table("county")
    names: dict[str, str] = {}
    for code, label in county.labels.items():
        names[label] = code
        if label.endswith("自治县"):
            names[label[:2] + "县"] = code
    for key, code in county.keys.items():
        if key.endswith(("县", "区", "市")):  # never a bare 五峰: 五峰大道 is a road
            names.setdefault(key, code)
    alternatives = "|".join(sorted(map(re.escape, names), key=len, reverse=True))
    prefix = re.compile(
        f"(?P<province>湖北省?)?(?P<city>宜昌市?)?(?P<county>{alternatives})?(?P<body>.*)"
    )
    return prefix, names


def _kind(token: str) -> str:
    if token.endswith(_STREET_SUFFIXES):
        return "street"
    if token.endswith(_COMMUNITY_SUFFIXES):
        return "community"
    return "road"


def split_words(words: str) -> tuple[str | None, str | None, str | None]:
    """The words before the first digit → (street, community, road), found by their suffixes.

    A lone suffix is part of its neighbour's name (镇江路, 桔乡路), neighbours of one kind are
    one name (沙镇溪镇); whatever follows the community is the road.

    >>> split_words('西坝街道桂城社区青岛路')
    ('西坝街道', '桂城社区', '青岛路')
    >>> split_words('小溪塔街道桔乡路'), split_words('沙镇溪镇金山村')
    (('小溪塔街道', None, '桔乡路'), ('沙镇溪镇', '金山村', None))
    """
    tokens = _TOKEN.findall(words)
    leftover = words[sum(map(len, tokens)) :]
    if leftover:
        # 桔乡路: the lazy cut stopped at 乡 and left 路; a bare suffix ends the last name
        if tokens and (len(leftover) == 1 or leftover in _SUFFIXES):
            tokens[-1] += leftover
        else:
            tokens.append(leftover)
    merged: list[str] = []
    for token in tokens:
        lead = next((x for x in _LONG_SUFFIXES if token.startswith(x) and len(token) > len(x)), "")
        if merged and lead:  # X村社区Y路: the cut at 村 was early, 社区 ends that name
            merged[-1] += lead
            token = token[len(lead) :]
        if merged and _kind(merged[-1]) == _kind(token) != "road":
            merged[-1] += token
        else:
            merged.append(token)
    street = community = None
    road_parts: list[str] = []
    for token in merged:
        kind = _kind(token)
        if road_parts or (community is not None and kind != "community"):
            road_parts.append(token)
        elif kind == "street" and street is None:
            street = token
        elif kind == "community" and community is None:
            community = token
        else:
            road_parts.append(token)
    return street, community, "".join(road_parts) or None


def _int_text(value: str | None) -> str | None:
    """``'0302'`` → ``'302'``; letters (A栋) stay as they are."""
    if not value:
        return None
    return str(int(value)) if value.isdigit() else value


def parse_address(value: str | None) -> ParsedAddress:
    """Parse one free-text address (``ParsedAddress()`` with every part ``None`` if empty)."""
    return _parse(canonical_text(value))


def _parse(text: str | None) -> ParsedAddress:
    if not text:
        return ParsedAddress()
    prefix, counties = _county_pattern()
    head = prefix.fullmatch(text)
    assert head is not None  # the pattern matches every string
    county = head["county"]
    body = head["body"]
    digit = _FIRST_DIGIT.search(body)
    cut = digit.start() if digit else len(body)
    words, numbers = body[:cut], body[cut:]
    street, community, road = split_words(words) if words else (None, None, None)
    tail = _TAIL.match(numbers)
    assert tail is not None  # every group is optional
    parts = tail.groupdict()
    building, unit, room = (
        (parts["b_short"], parts["u_short"], parts["r_short"])
        if parts["b_short"]
        else (parts["building"], parts["unit"], parts["room"])
    )
    number = _int_text(parts["number"] or parts["bare_number"])
    if parts["annex"] and number:
        number = f"{number}附{int(parts['annex'])}"
    if parts["group"]:
        if road:  # 金山村幸福路3组: the 组 is the more precise
            community = community or road
        road = f"{int(parts['group'])}组"
    rest = (parts["name"] or "") + (parts["rest"] or "")
    return ParsedAddress(
        province=PROVINCE if head["province"] else None,
        city=CITY if head["city"] else None,
        county_code=counties.get(county) if county else None,
        county=table("county").labels.get(counties[county]) if county else None,
        street=street,
        community=community,
        road=road,
        house_number=number,
        building=_int_text(building),
        unit=_int_text(unit),
        room=_int_text(room),
        rest=rest or None,
    )


PARALLEL_FROM = 50_000  # distinct texts; below this, starting worker processes costs more


def _parse_rows(texts: list[str]) -> list[tuple]:
    return [_ROW(_parse(_respell(text))) for text in texts]


def _parse_rows_in_parallel(texts: list[str], workers: int) -> list[tuple]:
    """The same rows, the texts split over forked worker processes (parsing is pure Python,
    ~80 µs a text: a city's 600k distinct addresses take most of a minute on one core)."""
    size = -(-len(texts) // (workers * 4))
    chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return [row for rows in pool.map(_parse_rows, chunks) for row in rows]


def parse_addresses(values: pd.Series, workers: int = 1) -> pd.DataFrame:
    """``parse_address`` of a column: one row per value (same index), one column per part.

    Parsed once per distinct value: a city's addresses repeat (2–3 people per dwelling, the
    same dwelling in several extracts). ``workers`` > 1 parses many distinct values in that
    many processes (the link stage's address match; ingest already runs in workers).
    """
    if not isinstance(values, pd.Series):
        values = pd.Series(values, dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    distinct = [u if isinstance(u, str) else str(u) for u in np.asarray(uniques, dtype=object)]
    normalized = address_columns(distinct).value.tolist()
    if workers > 1 and len(normalized) >= PARALLEL_FROM:
        rows = _parse_rows_in_parallel(normalized, workers)
    else:
        rows = _parse_rows(normalized)
    rows.append(_ROW(ParsedAddress()))
    table_ = np.empty((len(rows), len(PARTS)), dtype=object)
    table_[:] = rows
    taken = table_[np.where(codes < 0, len(distinct), codes)]
    return pd.DataFrame(taken, index=values.index, columns=list(PARTS))


def component(value: object, suffixes: tuple[str, ...] = ()) -> str | None:
    """A register cell in the parser's form: ``'132号'`` → ``'132'``, ``'二'`` → ``'2'``,
    ``'1栋'`` → ``'1'``; empty → ``None``. Used to put the address register in the same terms.

    >>> component(' 132号', ('号',)), component('二', ('栋',)), component('', ())
    ('132', '2', None)
    """
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = canonical_text(str(value))
    if text is None:
        return None
    for suffix in suffixes:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    if text and all(c in _CN_NUMERAL for c in text):
        text = _numeral(text)
    return _int_text(text) if text.isdigit() else text
