"""Field-level least privilege: keep only granted fields, mask identifiers not granted in full.

>>> mask_citizen_id('42050219800101123X')
'420502********123X'
>>> mask_phone('13812345678')
'138****5678'
>>> project({'name': '张伟', 'phone': '13812345678', 'sex': '1'},
...         SubjectGrant(fields=('name', 'phone')), 'person')
{'name': '张伟', 'phone': '138****5678'}
"""

from __future__ import annotations

from typing import Any

from hub.share.grants import MASKABLE, SubjectGrant


def mask_citizen_id(value: str | None) -> str | None:
    """Area code and last four kept: enough to tell people apart on a screen, not to reuse."""
    if not value:
        return value
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str | None:
    """Operator prefix and last four kept, as on bank statements."""
    if not value:
        return value
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


_MASKERS = {"citizen_id": mask_citizen_id, "phone": mask_phone}


def project(record: dict[str, Any], grant: SubjectGrant, subject: str) -> dict[str, Any]:
    """The record cut down to the granted fields (a field not granted is absent), masked."""
    maskable = MASKABLE.get(subject, ())
    out = {}
    for field in grant.fields:
        value = record.get(field)
        if field in maskable and field not in grant.unmasked:
            value = _MASKERS[field](value)
        out[field] = value
    return out
