"""Batch checks (批量核验): per citizen ID, the answers a county needs to screen an application —
found, alive, allowance status, dwellings owned, active enterprises represented, insured —
cut to what the caller's grant allows. A malformed ID is answered with its error, not by failing
the batch; an ID outside a county operator's scope is answered as not found.
"""

from __future__ import annotations

import pandas as pd

from hub.share import queries
from hub.share.access import Caller
from hub.share.errors import ShareError
from hub.share.vocabulary import Check, ErrorCode


def wanted_checks(caller: Caller, asked: list[Check] | None) -> list[Check]:
    """The checks to answer: those asked (each must be granted) or all that are granted."""
    granted = list(caller.grant.checks)
    if not granted:
        raise ShareError(
            ErrorCode.CHECK_NOT_GRANTED, f"no batch checks are granted for {caller.purpose!r}"
        )
    if asked is None:
        return granted
    refused = [c.value for c in asked if c not in granted]
    if refused:
        raise ShareError(
            ErrorCode.CHECK_NOT_GRANTED,
            f"checks not granted for {caller.purpose!r}: {', '.join(refused)}",
            detail={"granted": [c.value for c in granted]},
        )
    return list(dict.fromkeys(asked))


def run_batch(conn, caller: Caller, citizen_ids: list[str], checks: list[Check]) -> list[dict]:
    """One answer per ID given, in the order given."""
    from hub.standardize.registry import standardize

    std = standardize("citizen_id", pd.Series(citizen_ids, dtype=object))
    canonical = std.value.tolist()
    errors = std.error.tolist()
    valid = list({c for c, e in zip(canonical, errors, strict=True) if c and not e})
    found = queries.batch_check(conn, valid, caller.county) if valid else {}
    names = [c.value for c in checks]
    results = []
    for given, value, error in zip(citizen_ids, canonical, errors, strict=True):
        if error or not value:
            results.append({"citizen_id": given, "error": error or "missing"})
            continue
        row = found.get(value)
        answer = {"citizen_id": given, "found": row is not None}
        for name in names:
            answer[name] = row[name] if row is not None else None
        results.append(answer)
    return results
