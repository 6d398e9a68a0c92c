"""The ten delivered files as the extracts README describes them: columns (with what kind of
value each holds, which are required and which is the key), file format, encoding and the
delivery date the samples carry. Defects are only planted where a column's kind allows them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # citizen_id, person_name, date, phone … (see config.APPLICABLE)
    required: bool = False  # the data contract quarantines a row where it is empty
    key: bool = False  # the extract's own key: an invalid value quarantines the row
    fmt: str | None = None  # canonical date format (strftime), for date kinds
    parent: bool = False  # wgy_cj: a field of the visit, not of the resident


@dataclass(frozen=True)
class Extract:
    name: str
    fmt: str  # csv, jsonl, xlsx, json
    ext: str
    delivered: str  # YYYYMMDD of the delivery file
    columns: tuple[Column, ...]
    encoding: str = "utf-8"
    newline: str = "\n"
    sheet: str | None = None

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def fields_kept_when_truncated(self) -> int:
        """A truncated last row keeps its first half of fields."""
        return max(1, len(self.columns) // 2)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _c(name, kind, *, required=False, key=False, fmt=None, parent=False) -> Column:
    return Column(name, kind, required, key, fmt, parent)


D, DT = "%Y-%m-%d", "%Y-%m-%d %H:%M:%S"

EXTRACTS: dict[str, Extract] = {e.name: e for e in (
    Extract("zrzyj_bzdz", "csv", "csv", "20261001", (
        _c("标准地址编码", "address_code", required=True, key=True), _c("区县代码", "code"),
        _c("乡镇街道", "text"), _c("社区村", "text"), _c("网格编码", "grid_code"), _c("街路巷", "text"),
        _c("门牌号", "text"), _c("楼栋号", "text"), _c("单元", "text"), _c("户室", "text"),
        _c("经度", "decimal"), _c("纬度", "decimal"))),
    Extract("bdc_djxx", "csv", "csv", "20261019", (
        _c("不动产单元号", "unit_number", required=True, key=True), _c("不动产权证号", "text"),
        _c("坐落", "address"), _c("规划用途", "enum"), _c("建筑面积", "decimal"), _c("权利人", "person_name"),
        _c("权利人证件类型", "enum"), _c("权利人证件号", "party_id"), _c("共有情况", "enum"),
        _c("登记时间", "datetime", fmt=DT))),
    Extract("mzj_dbdx", "jsonl", "jsonl", "20261021", (
        _c("sfzh", "citizen_id"), _c("xm", "person_name", required=True), _c("xb", "sex_text"),
        _c("jtzz", "address"), _c("dbzt", "enum", required=True), _c("dbje", "amount"),
        _c("sqrq", "date"), _c("lxdh", "phone"), _c("hzsfzh", "citizen_id"))),
    Extract("rsj_cbxx", "xlsx", "xlsx", "20261024", (
        _c("证件号码", "citizen_id"), _c("姓名", "person_name", required=True), _c("性别", "sex_text"),
        _c("出生年月", "year_month", fmt="%Y-%m"), _c("单位统一社会信用代码", "employer_code"),
        _c("单位名称", "org_name"), _c("险种", "text"), _c("参保状态", "enum"),
        _c("首次参保日期", "excel_date", fmt=D), _c("手机号码", "phone")), sheet="参保人员"),
    Extract("scjgj_qydj", "csv", "csv", "20261028", (
        _c("统一社会信用代码", "credit_code", key=True), _c("注册号", "registration_number"),
        _c("组织机构代码", "organization_code"), _c("企业名称", "org_name", required=True),
        _c("企业类型", "text"), _c("法定代表人", "person_name"), _c("法定代表人证件类型", "text"),
        _c("法定代表人证件号码", "citizen_id"), _c("注册资本(万元)", "decimal"), _c("成立日期", "date", fmt=D),
        _c("住所", "address"), _c("登记机关", "text"), _c("登记状态", "enum"), _c("核准日期", "date", fmt=D)),
        encoding="utf-8-sig"),
    Extract("wjw_csyxzm", "csv", "csv", "20261029", (
        _c("出生医学证明编号", "cert_no", required=True, key=True), _c("新生儿姓名", "person_name"),
        _c("性别", "sex_text"), _c("出生日期", "date", required=True, fmt=D), _c("出生地点", "text"),
        _c("母亲姓名", "person_name"), _c("母亲身份证号", "citizen_id"), _c("父亲姓名", "person_name"),
        _c("父亲身份证号", "citizen_id"), _c("签发日期", "date", fmt=D))),
    Extract("wjw_swyxzm", "csv", "csv", "20261029", (
        _c("死亡医学证明编号", "cert_no", required=True, key=True), _c("姓名", "person_name", required=True),
        _c("身份证号", "citizen_id"), _c("性别", "sex_text"), _c("死亡日期", "date", required=True, fmt=D),
        _c("死亡地点", "text"))),
    Extract("gaj_rkxx", "csv", "csv", "20261030", (
        _c("GMSFHM", "citizen_id", required=True, key=True), _c("XM", "person_name", required=True),
        _c("XB", "sex_code"), _c("MZ", "code"), _c("CSRQ", "date", fmt="%Y%m%d"), _c("HJDZ_XZQHDM", "code"),
        _c("HJDZ_DZMC", "address"), _c("HH", "text"), _c("YHZGX", "code"), _c("RYZT", "code"),
        _c("GXSJ", "datetime", fmt="%Y%m%d%H%M%S")), encoding="gb18030", newline="\r\n"),
    Extract("mzj_hydj", "csv", "csv", "20261030", (
        _c("登记日期", "date", required=True, fmt=D), _c("登记类型", "enum", required=True),
        _c("男方姓名", "person_name"), _c("男方身份证号", "citizen_id"), _c("女方姓名", "person_name"),
        _c("女方身份证号", "citizen_id"), _c("登记机关", "text"))),
    Extract("wgy_cj", "json", "json", "", (
        _c("grid_code", "grid_code", parent=True), _c("std_address_code", "address_code", parent=True),
        _c("address_text", "address", parent=True), _c("collector_id", "text", parent=True),
        _c("collected_at", "datetime", required=True, fmt=DT, parent=True),
        _c("name", "person_name", required=True), _c("id_no", "citizen_id"), _c("phone", "phone"),
        _c("relation", "text"), _c("residence_type", "enum"))),
)}  # fmt: skip

NAMES: tuple[str, ...] = tuple(EXTRACTS)

# Who each data row is about: (role, subject) per extract, in the order mentions are listed.
ROLES: dict[str, tuple[tuple[str, str], ...]] = {
    "gaj_rkxx": (("person", "person"),),
    "scjgj_qydj": (("entity", "legal_entity"), ("legal_rep", "person")),
    "mzj_dbdx": (("recipient", "person"), ("household_head", "person")),
    "mzj_hydj": (("husband", "person"), ("wife", "person")),
    "rsj_cbxx": (("insured", "person"), ("employer", "legal_entity")),
    "bdc_djxx": (("house", "house"), ("owner", "person"), ("owner", "legal_entity")),
    "wjw_csyxzm": (("newborn", "person"), ("mother", "person"), ("father", "person")),
    "wjw_swyxzm": (("deceased", "person"),),
    "zrzyj_bzdz": (("place", "place"),),
    "wgy_cj": (("resident", "person"), ("place", "place")),
}


@dataclass
class Rendered:
    """A clean extract before defects: one row per data row, plus who each row is about.

    ``frame`` holds the file's columns as text (and hidden ``_``-prefixed helper columns);
    ``mentions`` has ``row`` (0-based into frame), ``role``, ``subject``, ``key``.
    """

    extract: str
    frame: object
    mentions: object
