"""The spec's sample extracts, read plainly (no hub code) for the standardization tests."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "extracts" / "samples"


def cells(path: Path) -> list[str]:
    if path.suffix == ".csv":
        encoding = "gb18030" if path.parent.name == "gaj_rkxx" else "utf-8-sig"
        frame = pd.read_csv(path, dtype=str, encoding=encoding, keep_default_na=False)
        return [str(v) for v in frame.to_numpy().ravel().tolist()] + list(frame.columns)
    if path.suffix == ".xlsx":
        frame = pd.read_excel(path, dtype=str, engine="openpyxl", keep_default_na=False)
        return [str(v) for v in frame.to_numpy().ravel().tolist()]
    if path.suffix == ".jsonl":
        records = [
            json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line
        ]
    else:
        records = []
        for visit in json.loads(path.read_text(encoding="utf-8")):
            records.append({k: v for k, v in visit.items() if k != "residents"})
            records.extend(visit.get("residents", []))
    return [str(v) for record in records for v in record.values() if v is not None]
