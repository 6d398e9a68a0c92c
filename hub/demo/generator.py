"""``generate_city``: build the synthetic city once, then write the requested department
extracts (with their planted defects) and the truth behind them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from hub.demo import render_org, render_people, render_places
from hub.demo.config import load_config
from hub.demo.defects import plant
from hub.demo.schema import EXTRACTS, NAMES, ROLES
from hub.demo.truth import DEFECT_COLUMNS, MENTION_COLUMNS, RowLog, write_truth
from hub.demo.util import stream, table
from hub.demo.world import build_world
from hub.demo.writers import write_csv, write_json, write_jsonl, write_xlsx

AS_OF = np.datetime64("2026-10-31")  # the day after the last sample delivery
RENDER = {
    "gaj_rkxx": render_people.gaj_rkxx, "mzj_dbdx": render_people.mzj_dbdx, "mzj_hydj": render_people.mzj_hydj,
    "wjw_csyxzm": render_people.wjw_csyxzm, "wjw_swyxzm": render_people.wjw_swyxzm,
    "scjgj_qydj": render_org.scjgj_qydj, "rsj_cbxx": render_org.rsj_cbxx, "bdc_djxx": render_org.bdc_djxx,
    "zrzyj_bzdz": render_places.zrzyj_bzdz,
}  # fmt: skip


@dataclass
class CityManifest:
    """What was written: ``files`` in delivery order (by file date), ``counts`` the data rows
    delivered per extract (duplicates included; wgy_cj counts residents)."""

    out_dir: Path
    persons: int
    seed: int
    files: list[tuple[str, Path]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    truth_dir: Path | None = None
    truth_counts: dict[str, int] = field(default_factory=dict)


def generate_city(
    out_dir: Path,
    persons: int,
    seed: int = 20261123,
    extracts: Collection[str] | None = None,
    *,
    config: Path | None = None,
) -> CityManifest:
    """Write a consistent synthetic 宜昌市 of ``persons`` registered people into ``out_dir``:
    ``<extract>/<extract>_<YYYYMMDD>.<ext>`` per department (``extracts=None``: all of them)
    and ``truth/``. ``config``: a defect configuration instead of the packaged
    ``defects.yaml``. Deterministic for a given seed and configuration; the city stands on
    AS_OF, the day after the sample deliveries whose dates the files carry."""
    wanted = list(NAMES) if extracts is None else [n for n in NAMES if n in set(extracts)]
    unknown = set(extracts or ()) - set(NAMES)
    if unknown:
        raise ValueError(f"unknown extracts {sorted(unknown)}; known: {list(NAMES)}")
    if persons < 1:
        raise ValueError("persons must be at least 1")
    out_dir = Path(out_dir)
    cfg = load_config(config)
    world = build_world(persons, seed, AS_OF, cfg.anomaly_counts(persons))
    manifest = CityManifest(out_dir, persons, seed, truth_dir=out_dir / "truth")
    written: list[tuple[str, str, Path]] = []
    mentions = RowLog(manifest.truth_dir / "mentions.csv", MENTION_COLUMNS)
    defects = RowLog(manifest.truth_dir / "defects.csv", DEFECT_COLUMNS)
    for name in wanted:
        folder = out_dir / name
        folder.mkdir(parents=True, exist_ok=True)
        render_rng, defect_rng = stream(seed, f"render:{name}"), stream(seed, f"defects:{name}")
        if name == "wgy_cj":
            total = 0
            for upload in render_places.wgy_cj(
                world, cfg.for_extract(name), cfg.style(name), render_rng, defect_rng
            ):
                path = folder / upload.name
                write_json(path, upload.visits)
                written.append((upload.date, name, path))
                mentions.append(upload.mentions.assign(extract=name, file_name=upload.name))
                defects.append(
                    upload.defects.rename(columns={"outcome": "expected_outcome"}).assign(
                        extract=name, file_name=upload.name
                    )
                )
                total += sum(len(v["residents"]) for v in upload.visits)
            manifest.counts[name] = total
            continue
        extract = EXTRACTS[name]
        rendered = RENDER[name](world, cfg.style(name), render_rng)
        planted = plant(rendered.frame, extract, cfg.for_extract(name), defect_rng)
        path = folder / f"{name}_{extract.delivered}.{extract.ext}"
        if extract.fmt == "csv":
            write_csv(path, planted.frame, extract, planted.truncated)
        elif extract.fmt == "jsonl":
            write_jsonl(path, planted.frame, extract)
        else:
            write_xlsx(path, planted.frame, extract)
        written.append((extract.delivered, name, path))
        manifest.counts[name] = len(planted.frame)
        mentions.append(_delivered_mentions(rendered.mentions, planted.source, name, path.name))
        defects.append(
            planted.defects.assign(
                source_row=(planted.defects.row + 1).astype(str), extract=name, file_name=path.name
            ).rename(columns={"outcome": "expected_outcome"})
        )
    written.sort(key=lambda t: (t[0], NAMES.index(t[1]), t[2].name))
    manifest.files = [(name, path) for _, name, path in written]
    manifest.truth_counts = write_truth(world, manifest.truth_dir)
    manifest.truth_counts.update(mentions=mentions.close(), defects=defects.close())
    return manifest


def _delivered_mentions(
    m: pd.DataFrame, source: np.ndarray, name: str, file_name: str
) -> pd.DataFrame:
    """Mentions of clean rows → mentions of delivered rows (a duplicated row is mentioned twice)."""
    order = {role: i for i, (role, _) in enumerate(ROLES[name])}
    rows = table({"row": source, "position": np.arange(1, len(source) + 1)})
    out = rows.merge(m, on="row").assign(o=lambda d: d.role.map(order))
    out = out.sort_values(["position", "o", "subject"], kind="stable")
    return table(
        {
            "extract": name,
            "file_name": file_name,
            "source_row": out.position.astype(str),
            "role": out.role,
            "subject": out.subject,
            "key": out.key,
        }
    )
