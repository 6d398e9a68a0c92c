"""Free text: the one cleaning every other standardizer starts from.

Departments type, paste and export text in every width and spacing: full-width digits
(``４２０５００``), ideographic spaces, non-breaking spaces from web forms, zero-width spaces from
copy-paste, runs of spaces from fixed-width exports. ``clean`` removes those differences and
nothing else: NFKC (Unicode's own full-width→half-width and compatibility folding), zero-width
characters dropped, whitespace trimmed and inner runs collapsed to one space. An empty result
means *missing*: ``None``, so that required-ness is judged in one place.

``clean_array`` is the same on a pyarrow string array (vectorised, for whole columns); the
tests hold both to the same answers.
"""

from __future__ import annotations

import re
import unicodedata

import pyarrow as pa
import pyarrow.compute as pc

# Exactly the characters Python's str.isspace() / str.split() treat as whitespace, written once
# for Python's re and once for RE2 (pyarrow), so that both paths split at the same places.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
    + "\u2028\u2029\u202f\u205f\u3000"
)
# Invisible characters that copy-paste leaves inside values: zero-width space/joiners, word
# joiner, byte-order mark (a BOM inside a value, not the file's).
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"


def _re2_class(chars: str) -> str:
    return "[" + "".join(f"\\x{{{ord(c):04X}}}" for c in chars) + "]"


WHITESPACE_RE2 = _re2_class(WHITESPACE)
ZERO_WIDTH_RE2 = _re2_class(ZERO_WIDTH)
# Text whose whitespace ``clean`` would change: at either end, two in a row, or any but " ".
_UNCLEAN_SPACE_RE2 = f"^{WHITESPACE_RE2}|{WHITESPACE_RE2}$|{WHITESPACE_RE2}{{2}}|{_re2_class(WHITESPACE.replace(' ', ''))}"
_ZERO_WIDTH_TABLE = dict.fromkeys(map(ord, ZERO_WIDTH))
WHITESPACE_RE = re.compile("[" + re.escape(WHITESPACE) + "]+")


def nfkc(value: str) -> str:
    """Unicode NFKC: full-width letters/digits/punctuation to ASCII, compatibility forms folded.

    >>> nfkc('４２０５００１９８１１０１１１８７１')
    '420500198110111871'
    >>> nfkc('（宜昌）')
    '(宜昌)'
    """
    return value if value.isascii() else unicodedata.normalize("NFKC", value)


def clean(value: object) -> str | None:
    """NFKC, zero-width characters dropped, trimmed, inner whitespace runs collapsed to one space.

    ``None``, NaN, ``''`` and whitespace-only text are missing: ``None``.

    >>> clean('  宜昌市\u3000西陵区   夷陵大道 ')
    '宜昌市 西陵区 夷陵大道'
    >>> clean('\u3000 ') is None
    True
    >>> clean('ＡＢＣ１２３')
    'ABC123'
    """
    if value is None:
        return None
    if not isinstance(value, str):
        if isinstance(value, float) and value != value:  # NaN
            return None
        value = str(value)
    value = nfkc(value)
    if not value.isascii():
        value = value.translate(_ZERO_WIDTH_TABLE)
    value = " ".join(value.split())
    return value or None


def remove_spaces(value: str) -> str:
    """All whitespace removed (identifiers, phone numbers: spaces are never part of them).

    >>> remove_spaces(' 420502 20130910 5521 ')
    '420502201309105521'
    """
    return "".join(value.split())


# -- vectorised (pyarrow) -----------------------------------------------------------------------


def as_string_array(values) -> pa.Array:
    """A pyarrow string array of ``values`` (a pandas Series or array), nulls for None/NaN.

    Non-string scalars (numbers a reader left unconverted) become their ``str()``.
    """
    try:
        array = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        array = None
    if array is None or not (
        pa.types.is_string(array.type) or pa.types.is_large_string(array.type)
    ):
        import pandas as pd

        series = pd.Series(values, dtype=object) if not isinstance(values, pd.Series) else values
        as_text = [
            None if v is None or (isinstance(v, float) and v != v) else str(v)
            for v in series.astype(object).tolist()
        ]
        array = pa.array(as_text, type=pa.string())
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array


# Text that NFKC leaves as it is, whatever the neighbours, and that holds no zero-width
# character: ASCII and the CJK unified ideographs (no decompositions, never composing). Most
# values are such text and skip the normalization.
_STABLE_RE2 = r"^[\x{0}-\x{7F}\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}]*$"


def _replace_where(array: pa.Array, mask: pa.Array, func) -> pa.Array:
    """``array`` with the values under ``mask`` replaced by ``func`` of them."""
    return pc.replace_with_mask(array, mask, func(array.filter(mask)))


def clean_array(array: pa.Array) -> pa.Array:
    """``clean`` on a whole pyarrow string array; empty results become null.

    Python's and pyarrow's NFKC agree on every assigned code point (checked in the tests); the
    whitespace class is Python's, spelled for RE2. Only values that need it are rewritten.
    """
    # ASCII is stable: a column of ASCII values (codes, dates, numbers) skips the regex.
    if pc.all(pc.string_is_ascii(array)).as_py() is not False:
        unstable = None
    else:
        unstable = pc.invert(pc.match_substring_regex(array, _STABLE_RE2).fill_null(True))
    if unstable is not None and pc.any(unstable).as_py():
        array = _replace_where(
            array,
            unstable,
            lambda a: pc.replace_substring_regex(pc.utf8_normalize(a, "NFKC"), ZERO_WIDTH_RE2, ""),
        )
    spaced = pc.match_substring_regex(array, _UNCLEAN_SPACE_RE2).fill_null(False)
    if pc.any(spaced).as_py():
        array = _replace_where(
            array,
            spaced,
            lambda a: pc.utf8_trim(pc.replace_substring_regex(a, WHITESPACE_RE2 + "+", " "), " "),
        )
    empty = pc.equal(pc.binary_length(array), 0).fill_null(False)
    if pc.any(empty).as_py():
        array = pc.if_else(empty, pa.scalar(None, array.type), array)
    return array


def remove_spaces_array(array: pa.Array) -> pa.Array:
    """``remove_spaces`` on a pyarrow string array."""
    return pc.replace_substring_regex(array, WHITESPACE_RE2 + "+", "")
