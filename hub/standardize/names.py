"""Names of people and organizations: one spelling for one name.

The same person is ``劉萱若`` in one register and ``刘萱若`` in another, ``叶 华丽`` where a clerk
padded a two-character name to three, ``阿依古丽•买买提`` or ``阿依古丽．买买提`` where the
standard middle dot ``·`` of a minority name was typed with whatever the keyboard offered. The
same company is ``宜昌瑞美建材有限责任公司`` and ``宜昌瑞美建材 有限公司``.

Person names: NFKC, traditional → simplified (OpenCC ``t2s``), every kind of dot → one ``·``,
spaces removed except between two Latin words (``JOHN SMITH``). Homophone typos (``张伟`` /
``张玮``) cannot be undone by normalization — ``phonetic_key`` gives linkage a key they share.

Organization names keep their *registered* form as the canonical value (NFKC, simplified,
``()`` brackets, no stray spaces); ``org_comparison_key`` additionally reduces legal-form
variants that name the same legal form (有限责任公司 / 有限公司), keeping 股份有限公司 distinct.

>>> normalize_person_name('劉萱若')
'刘萱若'
>>> normalize_person_name('阿依古丽•买买提')
'阿依古丽·买买提'
>>> normalize_person_name('叶 华丽')
'叶华丽'
>>> phonetic_key('张伟') == phonetic_key('张玮') == 'zhangwei'
True
>>> org_comparison_key('宜昌瑞美建材 有限责任公司') == org_comparison_key('宜昌瑞美建材有限公司')
True
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hub.standardize._vector import to_bool
from hub.standardize.errors import InvalidCharacters
from hub.standardize.outcome import Columns, Outcome
from hub.standardize.text import clean, clean_array

MIDDLE_DOT = "·"
# Dots seen in minority names (after NFKC, which already turns ． and ﹒ into "." and ･ into ・):
# middle dot, bullet, hyphenation point, katakana middle dot, bullet operator, dot operator,
# Hangul araea, runic punctuation, word separator middle dot, full stop.
DOTS = "·•‧・∙⋅ㆍ᛫⸱."
# After ``clean`` the only whitespace left is single spaces.
_DOT_RUN = re.compile(r" ?[" + re.escape(DOTS) + r"](?: ?[" + re.escape(DOTS) + r"])* ?")
_DOT_RUN_RE2 = (
    " ?["
    + "".join(f"\\x{{{ord(c):04X}}}" for c in DOTS)
    + "](?: ?["
    + "".join(f"\\x{{{ord(c):04X}}}" for c in DOTS)
    + "])* ?"
)
# Names of CJK unified ideographs (and dots) only — all letters (Lo), nothing more to check:
# the common case. Other scripts and rarer ideographs take ``check_person_name``.
HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF))
_HAN_NAME_RE2 = "^[" + "".join(f"\\x{{{a:04X}}}-\\x{{{b:04X}}}" for a, b in HAN_RANGES) + "·]+$"
# A space survives only between two Latin letters (JOHN SMITH); between Han characters (叶 华丽)
# or next to anything else it is padding.
_LATIN = r"A-Za-z\u00C0-\u024F"
_PADDING_SPACE = re.compile(rf"(?<![{_LATIN}]) | (?![{_LATIN}])")
_NAME_PUNCTUATION = {MIDDLE_DOT, " ", "'", "-"}
_NAME_NON_LETTERS = _NAME_PUNCTUATION | {"〇"}  # 〇 (ideographic zero, category Nl) is in names
_BRACKETS = str.maketrans(
    {"〔": "(", "〕": ")", "【": "(", "】": ")", "[": "(", "]": ")", "{": "(", "}": ")"}
)
# Legal forms that name the same thing, longest first; 股份有限公司 is a different legal form.
_LEGAL_FORM_VARIANTS = (("有限责任公司", "有限公司"),)

_converter_lock = threading.Lock()
_converter = None


def _opencc():
    global _converter
    with _converter_lock:
        if _converter is None:
            import opencc

            _converter = opencc.OpenCC("t2s")
        return _converter


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese (OpenCC ``t2s``, phrase-aware).

    >>> to_simplified('趙宇皓'), to_simplified('湖北省宜昌市當陽市玉陽路376號')
    ('赵宇皓', '湖北省宜昌市当阳市玉阳路376号')
    """
    if text.isascii():
        return text
    return _opencc().convert(text)


def to_simplified_many(texts: Sequence[str]) -> list[str]:
    """``to_simplified`` of many texts in one OpenCC call (texts must not contain newlines).

    A newline is in no conversion phrase, so converting the joined text converts each line as
    it would be converted alone.
    """
    if not texts:
        return []
    converted = _opencc().convert("\n".join(texts)).split("\n")
    if len(converted) != len(texts):  # pragma: no cover - a text held a newline after all
        return [to_simplified(t) for t in texts]
    return converted


def _person_name_after_t2s(text: str) -> str | None:
    text = _DOT_RUN.sub(MIDDLE_DOT, text)
    text = _PADDING_SPACE.sub("", text).strip(MIDDLE_DOT)
    return text or None


def normalize_person_name(value: str | None) -> str | None:
    """The canonical spelling of a person's name (``None`` if empty).

    >>> normalize_person_name(' 趙宇皓 ')
    '赵宇皓'
    >>> normalize_person_name('阿依古丽 ． 买买提')
    '阿依古丽·买买提'
    >>> normalize_person_name('JOHN  SMITH')
    'JOHN SMITH'
    """
    text = clean(value)
    return None if text is None else _person_name_after_t2s(to_simplified(text))


def check_person_name(name: str) -> str:
    """A canonical name whose characters are all letters (any script, and ``〇``), ``·``, or — in Latin
    names — space, apostrophe and hyphen; else ``InvalidCharacters`` (``张3``, ``李?``).

    >>> check_person_name('张3')
    Traceback (most recent call last):
        ...
    hub.standardize.errors.InvalidCharacters: The number contains invalid characters.
    """
    for character in name:
        if character not in _NAME_NON_LETTERS and not unicodedata.category(character).startswith(
            "L"
        ):
            raise InvalidCharacters()
    return name


class _Syllables(dict):
    """Code point → toneless pinyin (pypinyin), computed once per character; a ``str.translate``
    table, so a name's key is one C-level call."""

    def __missing__(self, codepoint: int) -> str:
        character = chr(codepoint)
        if character in _NAME_PUNCTUATION:
            syllable = ""
        else:
            from pypinyin import lazy_pinyin

            syllable = "".join(lazy_pinyin(character)).lower()
        self[codepoint] = syllable
        return syllable


_SYLLABLES = _Syllables()


def phonetic_key(name: str | None) -> str | None:
    """Toneless pinyin of the canonical name, syllables joined: homophones share a key.

    Each character is read on its own (pypinyin's ``lazy_pinyin``, its most common reading):
    names are not phrases, and a reading that depended on the neighbouring character would
    give two spellings of one name different keys. Latin letters are lower-cased; dots and
    spaces are dropped.

    >>> phonetic_key('阿依古丽·买买提')
    'ayigulimaimaiti'
    >>> phonetic_key('John Smith')
    'johnsmith'
    """
    name = normalize_person_name(name)
    return None if name is None else _phonetic_key_of_canonical(name)


def _phonetic_key_of_canonical(name: str) -> str | None:
    return name.translate(_SYLLABLES) or None


def person_name_columns(values: Sequence[str | None]) -> Columns:
    """``standardize_person_name`` of many values at once: the cleaning, dots and checks with
    pyarrow, one OpenCC call for all; only names with spaces or unusual characters take the
    one-by-one path."""
    n = len(values)
    out = Columns.empty(n, ("phonetic_key",))
    cleaned = clean_array(pa.array(values, type=pa.string()))
    present = np.flatnonzero(to_bool(cleaned.is_valid()))
    if not len(present):
        return out
    texts = cleaned.take(pa.array(present))
    simplified = pa.array(to_simplified_many(texts.to_pylist()), type=pa.string())
    dotted = pc.utf8_trim(
        pc.replace_substring_regex(simplified, _DOT_RUN_RE2, MIDDLE_DOT), MIDDLE_DOT
    )
    names_ = dotted.to_numpy(zero_copy_only=False)
    spaced = np.flatnonzero(to_bool(pc.match_substring(dotted, " ")))
    for i in spaced.tolist():
        names_[i] = _person_name_after_t2s(names_[i])
    empty = np.flatnonzero(to_bool(pc.equal(pc.binary_length(dotted), 0)))
    names_[empty] = None
    han = to_bool(pc.match_substring_regex(dotted, _HAN_NAME_RE2))
    errors = np.full(len(present), None, dtype=object)
    for i in np.flatnonzero(~han).tolist():
        name = names_[i]
        if name is not None:
            try:
                check_person_name(name)
            except InvalidCharacters:
                errors[i] = "invalid_characters"
    table = _SYLLABLES
    keys = [None if name is None else name.translate(table) or None for name in names_.tolist()]
    out.value[present] = names_
    out.error[present] = errors
    out.extra["phonetic_key"][present] = keys
    return out


def person_name_outcomes(values: Sequence[str | None]) -> list[Outcome]:
    """``standardize_person_name`` of many values (``person_name_columns`` as outcomes)."""
    columns = person_name_columns(values)
    return [
        Outcome(v, e, w, {"phonetic_key": k})
        for v, e, w, k in zip(
            columns.value,
            columns.error,
            columns.warning,
            columns.extra["phonetic_key"],
            strict=True,
        )
    ]


def _person_outcome(name: str | None) -> Outcome:
    if name is None:
        return Outcome(None, None, None, {"phonetic_key": None})
    try:
        check_person_name(name)
        error = None
    except InvalidCharacters:
        error = "invalid_characters"
    return Outcome(name, error, None, {"phonetic_key": _phonetic_key_of_canonical(name)})


def standardize_person_name(value: str | None) -> Outcome:
    """The registry's rule for one person name: canonical name, ``invalid_characters`` for digits
    or symbols, and the phonetic key as extra.

    >>> standardize_person_name('劉萱若')
    Outcome(value='刘萱若', error=None, warning=None, extra={'phonetic_key': 'liuxuanruo'})
    """
    return _person_outcome(normalize_person_name(value))


# -- organizations --------------------------------------------------------------------------


def _org_name_after_t2s(text: str) -> str | None:
    text = text.translate(_BRACKETS)
    text = _PADDING_SPACE.sub("", text)
    return text or None


def normalize_org_name(value: str | None) -> str | None:
    """The registered form of an organization's name, cleaned: NFKC (``（）`` → ``()``),
    simplified characters, other brackets as ``()``, no padding spaces.

    >>> normalize_org_name('宜昌瑞美建材 有限公司')
    '宜昌瑞美建材有限公司'
    >>> normalize_org_name('宜昌市某某商贸中心（普通合伙）')
    '宜昌市某某商贸中心(普通合伙)'
    """
    text = clean(value)
    return None if text is None else _org_name_after_t2s(to_simplified(text))


def org_comparison_key(value: str | None) -> str | None:
    """A key under which spellings of one organization's name agree (for matching only).

    >>> org_comparison_key('宜昌瑞美建材有限责任公司')
    '宜昌瑞美建材有限公司'
    >>> org_comparison_key('宜昌某某股份有限公司') == org_comparison_key('宜昌某某有限公司')
    False
    """
    name = normalize_org_name(value)
    return None if name is None else _org_key_of_canonical(name)


def _org_key_of_canonical(name: str) -> str:
    key = "".join(name.split()).lower()
    for variant, canonical in _LEGAL_FORM_VARIANTS:
        key = key.replace(variant, canonical)
    return key


def _org_outcome(name: str | None) -> Outcome:
    if name is None:
        return Outcome(None, None, None, {"comparison_key": None})
    return Outcome(name, None, None, {"comparison_key": _org_key_of_canonical(name)})


def standardize_org_name(value: str | None) -> Outcome:
    """The registry's rule for one organization name: the cleaned registered form, and the
    comparison key as extra.

    >>> standardize_org_name('宜昌瑞美建材有限责任公司')
    Outcome(value='宜昌瑞美建材有限责任公司', error=None, warning=None, extra={'comparison_key': '宜昌瑞美建材有限公司'})
    """
    return _org_outcome(normalize_org_name(value))


def org_name_outcomes(values: Sequence[str | None]) -> list[Outcome]:
    """``standardize_org_name`` of many values, with one OpenCC call for all of them."""
    cleaned = [clean(v) for v in values]
    simplified = iter(to_simplified_many([c for c in cleaned if c is not None]))
    return [
        _org_outcome(None if c is None else _org_name_after_t2s(next(simplified))) for c in cleaned
    ]
