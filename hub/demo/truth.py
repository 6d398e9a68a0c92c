"""The truth behind the extracts, for tests of linkage, quality scorecards and anomaly
detection: the real people, entities, houses and places, and for every delivered row who it
is about (mentions) and what was spoilt in it (defects)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from hub.demo.util import fmt_dates

MENTION_COLUMNS = ["extract", "file_name", "source_row", "role", "subject", "key"]
DEFECT_COLUMNS = ["extract", "file_name", "source_row", "field", "kind", "expected_outcome"]


def _write(frame: pd.DataFrame | dict, path: Path) -> None:
    """Truth tables are plain CSV for any reader; written by pyarrow (every text value quoted),
    which keeps a million-person truth to a second or two. A dict of columns skips pandas."""
    columns = {}
    for c, series in frame.items():
        values = series.to_numpy() if isinstance(series, pd.Series) else np.asarray(series)
        if values.dtype == bool:
            values = np.where(values, "True", "False")
        if values.dtype.kind in "iuf":
            columns[c] = pa.array(values)
        else:
            columns[c] = pa.array(values, type=pa.string(), from_pandas=True)  # None/NaN → empty
    pacsv.write_csv(pa.table(columns), path, pacsv.WriteOptions(quoting_header="none"))


class RowLog:
    """``mentions.csv`` / ``defects.csv``, appended extract by extract so that five million
    mentions of a big city never sit in memory together."""

    def __init__(self, path: Path, columns: list[str]):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.columns = columns
        self.rows = 0
        self._schema = pa.schema([(c, pa.string()) for c in columns])
        self._writer = pacsv.CSVWriter(
            path, self._schema, write_options=pacsv.WriteOptions(quoting_header="none")
        )

    def append(self, frame: pd.DataFrame) -> None:
        arrays = [
            pa.array(frame[c].to_numpy(dtype=object), type=pa.string(), from_pandas=True)
            for c in self.columns
        ]
        self._writer.write_table(pa.Table.from_arrays(arrays, schema=self._schema))
        self.rows += len(frame)

    def close(self) -> int:
        self._writer.close()
        return self.rows


def write_truth(world, folder: Path) -> dict[str, int]:
    """The subject tables (persons, enterprises, houses and owners, places, anomalies)."""
    folder.mkdir(parents=True, exist_ok=True)
    p, places, hh = world.persons, world.places, world.households
    codes = np.append(places.code.to_numpy(dtype=object), "")
    persons = ({
        "person_key": p.person_key, "citizen_id": p.citizen_id, "name": p.name, "sex": p.sex,
        "birth_date": fmt_dates(p.birth.to_numpy(), "%Y-%m-%d"), "ethnicity": p.ethnicity,
        "hj_county": p.hj_county, "hj_address_code": codes[p.hj_place.to_numpy()],
        "household_number": np.where(p.registered, hh.hh_number.to_numpy()[p.hh.to_numpy()], ""),
        "relation": p.relation, "current_address_code": codes[p.cur_place.to_numpy()], "phone": p.phone,
        "alive": p.death.isna(), "death_date": fmt_dates(p.death.to_numpy(), "%Y-%m-%d"),
        "police_status": np.where(p.registered, p.police_status.astype(str), ""),
        "marital_status": p.marital, "allowance_status": p.allowance, "in_police_register": p.registered,
        "residence_type": p.residence_type,
    })  # fmt: skip
    _write(persons, folder / "persons.csv")
    f = world.firms
    _write(({
        "credit_code": f.credit_code, "organization_code": f.org_code, "registration_number": f.reg_no,
        "credit_code_in_register": f.shows_credit_code, "name": f.name, "type": f.type,
        "legal_rep_key": p.person_key.to_numpy()[f.rep.to_numpy()], "status": f.status,
        "established": fmt_dates(f.established.to_numpy(), "%Y-%m-%d"),
        "approved": fmt_dates(f.approved.to_numpy(), "%Y-%m-%d"), "county": f.county,
        "address_code": codes[f.place.to_numpy()],
    }), folder / "enterprises.csv")  # fmt: skip
    h = world.houses
    _write(({
        "unit_number": h.unit_number, "certificate": h.certificate, "address_code": codes[h.place.to_numpy()],
        "use": h.use, "area": h.area, "registered_at": fmt_dates(h.registered.to_numpy(), "%Y-%m-%d %H:%M:%S"),
    }), folder / "houses.csv")  # fmt: skip
    o = world.owners
    entity = o.kind.to_numpy() == "entity"
    owner = o.owner.to_numpy()
    _write(({
        "unit_number": h.unit_number.to_numpy()[o.house.to_numpy()],
        "owner_subject": np.where(entity, "legal_entity", "person"),
        "owner_key": np.where(entity, f.credit_code.to_numpy(dtype=object)[np.where(entity, owner, 0)],
                              p.person_key.to_numpy(dtype=object)[np.where(entity, 0, owner)]),
        "share": o.share,
    }), folder / "house_owners.csv")  # fmt: skip
    _write(({
        "address_code": places.code, "county": places.county, "street": places.street, "community": places.community,
        "grid_code": places.grid_code, "road": places.road, "house_no": places.house_no,
        "building": places.building_no, "unit": places.unit_text, "room": places.room_text, "kind": places.kind,
        "in_register": places.in_register, "longitude": places.lon, "latitude": places.lat,
    }), folder / "places.csv")  # fmt: skip
    _write(world.anomalies, folder / "anomalies.csv")
    return {
        "persons": len(p),
        "enterprises": len(f),
        "houses": len(h),
        "places": len(places),
        "anomalies": len(world.anomalies),
    }
