"""The cleaning every standardizer starts from, scalar and vectorised."""

from __future__ import annotations

import unicodedata

import pyarrow as pa
import pyarrow.compute as pc

from hub.standardize import text


def test_clean():
    assert text.clean("  宜昌市\u3000西陵区   夷陵大道 ") == "宜昌市 西陵区 夷陵大道"
    assert text.clean("ＡＢＣ１２３") == "ABC123"
    assert text.clean("张\u200b三") == "张三"  # zero-width space from copy-paste
    assert text.clean("\ufeff420502") == "420502"
    for empty in (None, float("nan"), "", "  ", "\u3000", "\t\n"):
        assert text.clean(empty) is None
    assert text.clean(680) == "680"


def test_clean_array_agrees_with_clean():
    samples = [
        "  a  b ",
        "ＡＢＣ",
        "\u3000",
        "",
        None,
        "x\u2028y",
        "a\x1cb",
        "张\u200b三",
        "\u00a0x\u00a0",
        "a\u1680b",
    ]
    samples += [f"a{c}b" for c in text.WHITESPACE]
    result = text.clean_array(pa.array(samples, type=pa.string())).to_pylist()
    assert result == [text.clean(s) for s in samples]


def test_the_whitespace_class_is_pythons():
    assert set(text.WHITESPACE) == {chr(c) for c in range(0x110000) if chr(c).isspace()}


def test_arrow_and_python_nfkc_agree_on_every_assigned_character():
    characters = [
        chr(c)
        for c in range(0x110000)
        if not 0xD800 <= c <= 0xDFFF and unicodedata.category(chr(c)) != "Cn"
    ]
    arrow = pc.utf8_normalize(pa.array(characters), "NFKC").to_pylist()
    assert arrow == [unicodedata.normalize("NFKC", c) for c in characters]
