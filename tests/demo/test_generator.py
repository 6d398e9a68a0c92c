"""The synthetic city's files look like the samples, are reproducible, and their truth
(mentions, defects) describes exactly what was written."""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from opencc import OpenCC
from stdnum.cn import ric

from hub.demo import CityManifest, generate_city
from hub.demo.config import DefectKind, load_config
from hub.demo.schema import EXTRACTS, NAMES
from tests.demo.reading import canonical_id, id_invalid, parses_as_date, read_rows, ric_ok, truth

PERSONS = 600


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> CityManifest:
    return generate_city(tmp_path_factory.mktemp("city"), PERSONS, seed=7)


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_deterministic_by_seed(tmp_path):
    a = generate_city(tmp_path / "a", 250, seed=11)
    b = generate_city(tmp_path / "b", 250, seed=11)
    c = generate_city(tmp_path / "c", 250, seed=12, extracts={"gaj_rkxx"})
    assert _digest(a.out_dir) == _digest(b.out_dir)
    assert a.counts == b.counts
    gaj = "gaj_rkxx/gaj_rkxx_20261030.csv"
    assert _digest(c.out_dir)[gaj] != _digest(a.out_dir)[gaj]


def test_police_register_is_the_same_alone_or_with_the_city(tmp_path, city):
    alone = generate_city(tmp_path / "alone", PERSONS, seed=7, extracts={"gaj_rkxx"})
    assert [name for name, _ in alone.files] == ["gaj_rkxx"]
    assert (
        alone.files[0][1].read_bytes()
        == (city.out_dir / "gaj_rkxx" / "gaj_rkxx_20261030.csv").read_bytes()
    )
    assert not (tmp_path / "alone" / "mzj_dbdx").exists()


def test_unknown_extract_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown extracts"):
        generate_city(tmp_path, 10, extracts={"gaj"})


def test_every_extract_is_written_with_sample_file_names(city):
    assert {name for name, _ in city.files} == set(NAMES)
    dates = []
    for name, path in city.files:
        assert path.parent == city.out_dir / name
        if name == "wgy_cj":
            m = re.fullmatch(r"wgy_cj_(4205\d\d)_(\d{8})_(\d{3})\.json", path.name)
            assert m, path.name
            dates.append(m.group(2))
        else:
            spec = EXTRACTS[name]
            assert path.name == f"{name}_{spec.delivered}.{spec.ext}"
            dates.append(spec.delivered)
        assert city.counts[name] > 0
    assert dates == sorted(dates), "files are listed in delivery order"


def test_police_register_is_gb18030_with_crlf(city):
    raw = (city.out_dir / "gaj_rkxx" / "gaj_rkxx_20261030.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("gb18030")
    assert text.startswith("GMSFHM,XM,XB,MZ,CSRQ,HJDZ_XZQHDM,HJDZ_DZMC,HH,YHZGX,RYZT,GXSJ\r\n")
    assert text.count("\r\n") == text.count("\n") == city.counts["gaj_rkxx"] + 1


def test_encodings_and_headers(city):
    for name, path in city.files:
        spec = EXTRACTS[name]
        raw = path.read_bytes()
        if name == "scjgj_qydj":
            assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\xef\xbb\xbf") == 1
        elif spec.fmt in ("csv", "jsonl", "json") and spec.encoding == "utf-8":
            assert not raw.startswith(b"\xef\xbb\xbf")
            raw.decode("utf-8")
        if spec.fmt == "csv":
            header = raw.decode(spec.encoding).splitlines()[0]
            assert header.split(",") == spec.column_names


def test_xlsx_sheet_dates_and_jsonl(city):
    path = city.out_dir / "rsj_cbxx" / "rsj_cbxx_20261024.xlsx"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["参保人员"]
    ws = wb["参保人员"]
    assert [c.value for c in ws[1]] == EXTRACTS["rsj_cbxx"].column_names
    first = [c for c in ws["I"][1:] if c.value is not None]
    assert sum(c.is_date for c in first) >= 0.95 * len(first)
    assert first[0].number_format == "yyyy-mm-dd"
    lines = (
        (city.out_dir / "mzj_dbdx" / "mzj_dbdx_20261021.jsonl")
        .read_text(encoding="utf-8")
        .splitlines()
    )
    objects = [json.loads(line) for line in lines]
    assert all(list(o) == EXTRACTS["mzj_dbdx"].column_names for o in objects)
    assert any(isinstance(o["dbje"], int) for o in objects)


def test_gridworker_uploads_are_json_arrays_of_visits(city):
    uploads = [p for name, p in city.files if name == "wgy_cj"]
    assert len(uploads) > 5
    for path in uploads:
        visits = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(visits, list) and visits
        county = path.name.split("_")[2]
        for visit in visits:
            assert list(visit) == [
                "grid_code",
                "std_address_code",
                "address_text",
                "collector_id",
                "collected_at",
                "residents",
            ]
            assert visit["grid_code"].startswith(county)
            assert visit["residents"]
            for r in visit["residents"]:
                assert list(r) == ["name", "id_no", "phone", "relation", "residence_type"]
                assert r["residence_type"] in ("户籍人口", "流动人口", "境外人员")


def test_true_citizen_ids_are_valid(city):
    persons = truth(city.out_dir, "persons")
    ids = persons.citizen_id[persons.citizen_id != ""]
    assert all(ric_ok(i) for i in ids)
    for i in ids[:200]:
        assert ric.calc_check_digit(i) == i[-1]
    chinese = [i for i in ids if not i.startswith(("8", "9"))]
    assert sum(ric.is_valid(i) for i in chinese) >= 0.99 * len(
        chinese
    )  # area codes valid for the birth year
    assert ids.is_unique
    born = persons[persons.citizen_id != ""]
    assert (born.citizen_id.str.slice(6, 14) == born.birth_date.str.replace("-", "")).all()
    odd = born.citizen_id.str.slice(16, 17).astype(int) % 2 == 1
    assert ((born.sex == "1") == odd).all()


def test_mentions_cover_every_data_row(city):
    mentions = truth(city.out_dir, "mentions")
    by_file = mentions.groupby("file_name").source_row.apply(set).to_dict()
    for name, path in city.files:
        _, rows = read_rows(name, path)
        assert set(rows) == by_file[path.name], path.name
        roles = set(mentions.role[mentions.extract == name])
        assert roles <= {
            r for r, _ in __import__("hub.demo.schema", fromlist=["ROLES"]).ROLES[name]
        }


def _name_field_roles() -> dict[tuple[str, str], str]:
    return {("gaj_rkxx", "XM"): "person", ("mzj_dbdx", "xm"): "recipient", ("mzj_hydj", "男方姓名"): "husband",
            ("mzj_hydj", "女方姓名"): "wife", ("rsj_cbxx", "姓名"): "insured", ("bdc_djxx", "权利人"): "owner",
            ("wjw_csyxzm", "新生儿姓名"): "newborn", ("wjw_csyxzm", "母亲姓名"): "mother",
            ("wjw_csyxzm", "父亲姓名"): "father", ("wjw_swyxzm", "姓名"): "deceased",
            ("scjgj_qydj", "法定代表人"): "legal_rep", ("wgy_cj", "name"): "resident",
            ("gaj_rkxx", "XB"): "person", ("mzj_dbdx", "xb"): "recipient", ("rsj_cbxx", "性别"): "insured",
            ("wjw_csyxzm", "性别"): "newborn", ("wjw_swyxzm", "性别"): "deceased"}  # fmt: skip


def test_defects_point_at_rows_that_carry_them(city):
    assert len(_verify_defects(city)) >= 18


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_defects_hold_for_other_seeds(tmp_path, seed):
    _verify_defects(generate_city(tmp_path, 400, seed=seed))


def _verify_defects(city: CityManifest) -> Counter:
    """Every row of defects.csv names a cell (or row) that really shows that defect."""
    persons = truth(city.out_dir, "persons").set_index("person_key")
    firms = truth(city.out_dir, "enterprises").set_index("credit_code")
    mentions = truth(city.out_dir, "mentions")
    mention = {(r.file_name, r.source_row, r.role): r.key for r in mentions.itertuples()}
    files = {p.name: (name, p) for name, p in city.files}
    roles = _name_field_roles()
    checked = Counter()
    cache: dict[str, dict] = {}
    for d in truth(city.out_dir, "defects").itertuples():
        name, path = files[d.file_name]
        if d.file_name not in cache:
            cache[d.file_name] = read_rows(name, path)[1]
        rows = cache[d.file_name]
        value = (
            ""
            if d.field == "" or rows[d.source_row][d.field] is None
            else str(rows[d.source_row][d.field])
        )
        person = mention.get((d.file_name, d.source_row, roles.get((name, d.field), "")))
        employer = mention.get((d.file_name, d.source_row, "employer"))
        context = {
            "column": EXTRACTS[name].column(d.field) if d.field else None, "rows": rows, "source_row": d.source_row,
            "true_name": persons.name.get(person, ""), "true_sex": persons.sex.get(person, ""),
            "firm_name": firms.name.get(employer, ""),
        }  # fmt: skip
        kind = DefectKind(d.kind)
        assert _carries(kind, value, **context), (d.file_name, d.source_row, d.field, kind, value)
        checked[kind] += 1
    return checked


_T2S = OpenCC("t2s")


def _carries(kind, value, column, rows, source_row, true_name, true_sex, firm_name) -> bool:
    """Whether ``value`` (the delivered cell) really shows a defect of ``kind``."""
    k = DefectKind
    if kind == k.SURROUNDING_SPACE:
        return value != value.strip()
    if kind == k.INNER_SPACE:
        return " " in value.strip()
    if kind == k.FULLWIDTH_CHARS:
        return any("\uff10" <= c <= "\uff5a" for c in value)
    if kind == k.LOWERCASE_X:
        return value.strip().endswith("x")
    if kind in (k.WRONG_CHECK_CHAR, k.ID_DIGIT_TYPO):
        return id_invalid(value, column.kind)
    if kind == k.LEGACY_ID_15:
        return re.fullmatch(r"\d{15}", value) is not None
    if kind in (k.MISSING_REQUIRED, k.MISSING_VALUE):
        return value == ""
    if kind == k.TRADITIONAL_CHARS:
        return _T2S.convert(value) != value
    if kind == k.HOMOPHONE_TYPO:
        return (
            len(value) == len(true_name)
            and sum(a != b for a, b in zip(value, true_name, strict=True)) == 1
        )
    if kind == k.MIDDLE_DOT_VARIANT:
        return any(c in value for c in "•．・")
    if kind == k.DATE_FORMAT_VARIANT:
        return parses_as_date(value) and not _canonical(value, column)
    if kind == k.IMPOSSIBLE_DATE:
        return not parses_as_date(value)
    if kind == k.WRONG_SEX:
        return {"男": "1", "女": "2"}.get(value, value) != true_sex
    if kind == k.AMOUNT_WITH_UNIT:
        return value.endswith("元")
    if kind == k.PHONE_COUNTRY_CODE:
        return value.startswith("+86 ")
    if kind == k.PHONE_SEPARATORS:
        return re.fullmatch(r"\d{3}([- ])\d{4}\1\d{4}", value) is not None
    if kind == k.LEGACY_ORG_ID:
        return re.fullmatch(r"[0-9A-Z]{8}-[0-9X]|\d{15}", value) is not None
    if kind == k.ORG_NAME_VARIANT:
        return value != firm_name
    if kind == k.EXACT_DUPLICATE:
        return _previous_same(rows, source_row)
    if kind == k.TRUNCATED_ROW:
        return any(v is None for v in rows[source_row].values())
    raise AssertionError(f"no check for {kind}")


def _canonical(value: str, column) -> bool:
    pattern = {"%Y-%m-%d": r"\d{4}-\d{2}-\d{2}", "%Y%m%d": r"\d{8}", "%Y-%m": r"\d{4}-\d{2}",
               "%Y-%m-%d %H:%M:%S": r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"}[column.fmt]  # fmt: skip
    return re.fullmatch(pattern, value) is not None


def _previous_same(rows: dict, source_row: str) -> bool:
    if "." in source_row:  # a duplicated visit: the same resident of the visit just before
        v, r = map(int, source_row.split("."))
        return v > 1 and rows.get(f"{v - 1}.{r}") == rows[source_row]
    return int(source_row) > 1 and rows[str(int(source_row) - 1)] == rows[source_row]


def test_outcomes_follow_the_rules(city):
    defects = truth(city.out_dir, "defects")
    quarantine = defects[defects.expected_outcome == "quarantine"]
    assert set(quarantine.kind) <= {
        "missing_required",
        "impossible_date",
        "exact_duplicate",
        "truncated_row",
        "wrong_check_char",
        "id_digit_typo",
    }
    keyed = quarantine[quarantine.kind.isin(["wrong_check_char", "id_digit_typo"])]
    assert set(keyed.field) <= {"GMSFHM", "统一社会信用代码"}
    assert set(defects.expected_outcome) == {"quarantine", "flag"}


def _observed_rates(
    city_dir: Path, manifest: CityManifest
) -> dict[str, dict[tuple[str, str], tuple[int, int]]]:
    """{extract: {(field, kind): (count on original rows, original rows)}}; wgy visit fields per visit."""
    defects = truth(city_dir, "defects")
    out: dict[str, dict] = {}
    for name in manifest.counts:
        d = defects[defects.extract == name]
        dups = d[d.kind == "exact_duplicate"]
        rows_total = manifest.counts[name]
        if name == "wgy_cj":
            visit_fields = {c.name for c in EXTRACTS[name].columns if c.parent}
            keyed = d.assign(visit=d.file_name + ":" + d.source_row.str.split(".").str[0])
            dup_rows = set(zip(dups.file_name, dups.source_row, strict=True))
            original = keyed[
                [
                    (f, r) not in dup_rows
                    for f, r in zip(keyed.file_name, keyed.source_row, strict=True)
                ]
            ]
            n_res = rows_total - len(dups)
            visits = (
                _visit_count(manifest)
                - dups.assign(v=dups.file_name + dups.source_row.str.split(".").str[0]).v.nunique()
            )
            counts = {}
            for (field, kind), g in original.groupby(["field", "kind"]):
                counts[(field, kind)] = (
                    (g.visit.nunique(), visits) if field in visit_fields else (len(g), n_res)
                )
            out[name] = counts
            continue
        dup_rows = set(dups.source_row)
        original = d[~d.source_row.isin(dup_rows)]
        n = rows_total - len(dup_rows)
        out[name] = {k: (len(g), n) for k, g in original.groupby(["field", "kind"])}
        out[name][("", "exact_duplicate")] = (len(dup_rows), n)
    return out


def _visit_count(manifest: CityManifest) -> int:
    return sum(
        len(json.loads(p.read_text(encoding="utf-8")))
        for name, p in manifest.files
        if name == "wgy_cj"
    )


SCARCE = {"middle_dot_variant", "lowercase_x"}  # few values qualify: fewer may be planted


def test_planted_rates_match_the_config(city):
    cfg = load_config()
    observed = _observed_rates(city.out_dir, city)
    for name, spec in cfg.extracts.items():
        seen = observed[name]
        for field, rates in spec.columns.items():
            for kind, rate in rates.items():
                count, n = seen.get(
                    (field, str(kind)), (0, seen.get(("", "exact_duplicate"), (0, 0))[1])
                )
                if name != "wgy_cj":
                    n = seen[("", "exact_duplicate")][1]
                assert count <= math.ceil(rate * n), (name, field, kind, count, rate * n)
                if str(kind) not in SCARCE:
                    assert count >= math.floor(rate * n), (name, field, kind, count, rate * n)


def test_rates_converge_on_a_large_police_register(tmp_path):
    """On 20 000 people every configured rate is met to within a fifth of itself."""
    m = generate_city(tmp_path, 20_000, seed=3, extracts={"gaj_rkxx"})
    cfg = load_config().for_extract("gaj_rkxx")
    observed = _observed_rates(tmp_path, m)["gaj_rkxx"]
    n = observed[("", "exact_duplicate")][1]
    for field, rates in cfg.columns.items():
        for kind, rate in rates.items():
            count = observed.get((field, str(kind)), (0, n))[0]
            if str(kind) in SCARCE:
                continue
            assert abs(count / n - rate) <= 0.2 * rate + 1 / n, (field, kind, count / n, rate)
    assert (
        abs(observed[("", "exact_duplicate")][0] / n - cfg.duplicate_row)
        <= 0.2 * cfg.duplicate_row + 1 / n
    )


def test_departments_rank_by_defect_rate(tmp_path):
    """Police cleanest, gridworkers dirtiest, and the order in between close to the config's."""
    city = generate_city(tmp_path, 5000, seed=5)
    defects = truth(city.out_dir, "defects")
    observed = {name: len(defects[defects.extract == name]) / city.counts[name] for name in NAMES}
    cfg = load_config()
    declared = {
        name: cfg.for_extract(name).duplicate_row
        + sum(sum(r.values()) for r in cfg.for_extract(name).columns.values())
        for name in NAMES
    }
    assert min(observed, key=observed.get) == "gaj_rkxx"
    assert max(observed, key=observed.get) == "wgy_cj"
    rank_o = {n: i for i, n in enumerate(sorted(observed, key=observed.get))}
    rank_d = {n: i for i, n in enumerate(sorted(declared, key=declared.get))}
    assert sum(abs(rank_o[n] - rank_d[n]) for n in NAMES) <= 8


def test_police_ids_mostly_clean_and_ids_canonicalise(city):
    _, rows = read_rows("gaj_rkxx", city.out_dir / "gaj_rkxx" / "gaj_rkxx_20261030.csv")
    persons = truth(city.out_dir, "persons")
    registered = set(persons.citizen_id[persons.in_police_register == "True"])
    ids = [canonical_id(r["GMSFHM"]) for r in rows.values()]
    assert sum(i in registered for i in ids) >= 0.99 * len(ids)
    assert unicodedata.normalize("NFKC", "４２") == "42"


@pytest.mark.parametrize("persons", [1, 3, 12])
def test_tiny_cities_still_come_out_whole(tmp_path, persons):
    m = generate_city(tmp_path, persons, seed=persons)
    assert m.counts["gaj_rkxx"] >= persons and {name for name, _ in m.files} == set(NAMES)
