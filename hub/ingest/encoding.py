"""Decode a delivered file in the encoding its contract declares, and refuse mojibake.

GB18030 decodes almost any byte sequence, so "it decoded" proves nothing: a UTF-8 file read as
GB18030 turns into plausible-looking nonsense (锟斤拷, 鍒樿悕). Real GB18030 Chinese text is
practically never valid UTF-8, while UTF-8 Chinese text always is — so a GB18030 extract that
is valid UTF-8 and holds non-ASCII bytes is rejected as mis-encoded.
"""

from __future__ import annotations

import codecs

from hub.ingest.errors import DeliveryRejected
from hub.vocabulary import DeliveryWarning


def decode(data: bytes, expected: str, file_name: str) -> tuple[str, list[tuple[str, str]]]:
    """The file's text, and warnings; raises DeliveryRejected on a wrong encoding."""
    warnings: list[tuple[str, str]] = []
    has_bom = data.startswith(codecs.BOM_UTF8)
    if expected == "gb18030":
        refuse_other_than_gb18030(data, file_name)
        try:
            return data.decode("gb18030"), warnings
        except UnicodeDecodeError as exc:
            raise DeliveryRejected(gb18030_error(data, exc.start, file_name)) from exc
    # utf-8 and utf-8-sig
    if expected == "utf-8-sig" and not has_bom:
        warnings.append(
            (DeliveryWarning.MISSING_BOM, f"{file_name}: no UTF-8 byte-order mark; read as UTF-8")
        )
    body = data[len(codecs.BOM_UTF8) :] if has_bom else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        guess = (
            " It decodes as GB18030/GBK: the department exported the wrong encoding."
            if _decodes(body, "gb18030")
            else ""
        )
        raise DeliveryRejected(
            f"{file_name}: not valid UTF-8 at byte {exc.start} "
            f"({body[exc.start : exc.start + 8]!r}); the contract expects {expected}.{guess}"
        ) from exc
    _refuse_double_encoding(text, file_name, expected)
    return text, warnings


def refuse_other_than_gb18030(data: bytes, file_name: str) -> None:
    """The checks of a GB18030 file that come before decoding it: no byte-order mark, not
    UTF-8 text (which GB18030 would decode into mojibake)."""
    if data.startswith(codecs.BOM_UTF8):
        raise DeliveryRejected(
            f"{file_name}: starts with a UTF-8 byte-order mark, but the contract expects "
            "GB18030. Ask the department to export it as GB18030 (or fix the contract)."
        )
    if _is_utf8_text(data):
        raise DeliveryRejected(
            f"{file_name}: the file is UTF-8 encoded, but the contract expects GB18030; "
            "read as GB18030 it would load as mojibake. Ask the department to re-export it "
            "as GB18030 (or fix the contract's encoding)."
        )


def gb18030_error(data: bytes, start: int, file_name: str) -> str:
    """The message refusing a file that is not valid GB18030 from byte ``start`` on."""
    return (
        f"{file_name}: not valid GB18030 at byte {start} "
        f"({data[start : start + 8]!r}); the contract expects GB18030."
    )


def _is_utf8_text(data: bytes) -> bool:
    if data.isascii():
        return False
    # GB18030 text is usually invalid UTF-8 within its first bytes: find out from a prefix
    # (an incremental decoder does not mind a character cut at the prefix's end) instead of
    # failing on the whole file, whose error would copy it.
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data[: 1 << 16], final=False)
    except UnicodeDecodeError:
        return False
    return _decodes(data, "utf-8")


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _refuse_double_encoding(text: str, file_name: str, expected: str) -> None:
    """UTF-8 bytes decoded once too often show up as runs of Latin-1 letters (Ã¥Â…) and no CJK."""
    sample = text[:200_000]
    latin = sum(1 for ch in sample if "\u00c0" <= ch <= "\u00ff")
    cjk = sum(1 for ch in sample if "\u4e00" <= ch <= "\u9fff")
    if latin > 20 and latin > 2 * cjk:
        raise DeliveryRejected(
            f"{file_name}: the text looks double-encoded (many characters like 'Ã', 'å' and few "
            f"Chinese ones), although it is valid {expected}. Ask the department to re-export it."
        )
