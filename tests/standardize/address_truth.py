"""A generated city's address texts beside the true standard address code behind each.

The register is read through its data contract (encoding, column names); each other extract's
address column is paired with the code its truth files give: the police register's 户籍地址
(persons.hj_address_code), civil affairs' family address and the gridworkers' visits (where
the household lives), real estate's 坐落 (houses.address_code), the enterprise register's 住所
(enterprises.address_code).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from data_contracts.loader import load_contract


def read_register(city: Path) -> pd.DataFrame:
    """The city's zrzyj_bzdz delivery with the contract's (staging) column names."""
    contract = load_contract("zrzyj_bzdz")
    (path,) = sorted((city / "zrzyj_bzdz").glob("*.csv"))
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=contract.encoding)
    return frame.rename(columns={f.column: f.name for f in contract.fields})


def _csv(city: Path, extract: str) -> pd.DataFrame:
    (path,) = sorted((city / extract).glob("*.csv"))
    encoding = load_contract(extract).encoding
    frame = pd.read_csv(
        path, dtype=str, keep_default_na=False, encoding=encoding, on_bad_lines="skip"
    )
    return frame.assign(source_row=[str(i + 1) for i in range(len(frame))])


def _keys(mentions: pd.DataFrame, extract: str, role: str) -> pd.Series:
    m = mentions[(mentions.extract == extract) & (mentions.role == role)]
    return m.drop_duplicates("source_row").set_index("source_row")["key"]


def address_mentions(city: Path) -> pd.DataFrame:
    """``extract, text, truth`` for every address text of the city's extracts."""
    truth = city / "truth"
    mentions = pd.read_csv(truth / "mentions.csv", dtype=str, keep_default_na=False)
    persons = pd.read_csv(truth / "persons.csv", dtype=str, keep_default_na=False)
    persons = persons.set_index("person_key")
    houses = pd.read_csv(truth / "houses.csv", dtype=str, keep_default_na=False)
    houses = houses.drop_duplicates("unit_number").set_index("unit_number")
    enterprises = pd.read_csv(truth / "enterprises.csv", dtype=str, keep_default_na=False)
    enterprises = enterprises.drop_duplicates("credit_code").set_index("credit_code")
    parts = []

    def add(extract: str, texts: pd.Series, rows: pd.Series, role: str, codes: pd.Series):
        key = rows.map(_keys(mentions, extract, role))
        parts.append(
            pd.DataFrame(
                {"extract": extract, "text": texts.to_numpy(), "truth": key.map(codes).to_numpy()}
            )
        )

    police = _csv(city, "gaj_rkxx")
    add("gaj_rkxx", police.HJDZ_DZMC, police.source_row, "person", persons.hj_address_code)
    estate = _csv(city, "bdc_djxx")
    add("bdc_djxx", estate["坐落"], estate.source_row, "house", houses.address_code)
    firms = _csv(city, "scjgj_qydj")
    add("scjgj_qydj", firms["住所"], firms.source_row, "entity", enterprises.address_code)
    (dbdx,) = sorted((city / "mzj_dbdx").glob("*.jsonl"))
    lines = [json.loads(line) for line in dbdx.read_text(encoding="utf-8").splitlines() if line]
    allowance = pd.DataFrame(lines).assign(source_row=[str(i + 1) for i in range(len(lines))])
    add(
        "mzj_dbdx",
        allowance.jtzz,
        allowance.source_row,
        "recipient",
        persons.current_address_code,
    )
    visits = []
    for path in sorted((city / "wgy_cj").glob("*.json")):
        for i, visit in enumerate(json.loads(path.read_text(encoding="utf-8"))):
            visits.append((path.name, f"{i + 1}.1", visit.get("address_text")))
    visit_frame = pd.DataFrame(visits, columns=["file", "source_row", "text"])
    places = mentions[(mentions.extract == "wgy_cj") & (mentions.role == "place")]
    places = places.rename(columns={"file_name": "file", "key": "truth"})
    visit_frame = visit_frame.merge(places[["file", "source_row", "truth"]], how="left")
    parts.append(visit_frame.assign(extract="wgy_cj")[["extract", "text", "truth"]])
    out = pd.concat(parts, ignore_index=True)
    return out[out.text.fillna("").str.strip() != ""].reset_index(drop=True)
