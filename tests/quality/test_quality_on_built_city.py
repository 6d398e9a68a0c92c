"""Scorecards, anomalies and the report on the shared demo city (read-only: nothing is stored)."""

from __future__ import annotations

import csv
import itertools
import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
import yaml

from data_contracts import load_contracts
from hub.demo.config import DEFAULT_CONFIG
from quality.anomalies import KINDS, find_anomalies
from quality.report import write_report
from quality.scorecard import compute_scorecard

# Planted defect kinds that are not a validity problem: missing values (completeness), repeated
# rows (uniqueness), plausible wrong values only another department can contradict (consistency).
NOT_VALIDITY = {"missing_value", "missing_required", "duplicate_row", "homophone_typo", "wrong_sex"}


def _planted_rates(counts) -> dict[str, float]:
    """Per extract, the share of rows carrying a planted defect of the kinds ``counts`` accepts."""
    extracts = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))["extracts"]
    rates = {}
    for extract, spec in extracts.items():
        rate = spec.get("duplicate_row", 0) if counts("duplicate_row") else 0
        for kinds in spec.get("columns", {}).values():
            rate += sum(r for kind, r in kinds.items() if counts(kind))
        rates[extract] = rate
    return rates


@pytest.fixture(scope="module")
def scorecard(built_city):
    with psycopg.connect(built_city.url) as conn:
        return compute_scorecard(conn, load_contracts(), datetime.now(UTC))


@pytest.fixture(scope="module")
def anomalies(built_city):
    with psycopg.connect(built_city.url) as conn:
        return find_anomalies(conn)


def _out_of_order(scorecard, dimension: str, rates: dict[str, float]) -> list[tuple[str, str]]:
    """Pairs whose planted rates differ at least twofold but whose scores do not follow.

    Rates closer than that are ties, and so is a dirtier extract expected to carry fewer than
    three defective rows: a 2,000-person city's small extracts (34 death certificates) are too
    few for sampling noise to separate them.
    """
    lines = [r for r in scorecard if r.extract is not None and r.delivery_id is None]
    scores = {r.extract: r.scores[dimension] for r in lines}
    rows = {r.extract: r.rows for r in lines}
    return [
        (clean, dirty)
        for clean, dirty in itertools.permutations(rates, 2)
        if rates[clean] * 2 <= rates[dirty]
        and rates[dirty] * rows[dirty] >= 3
        and not scores[clean] > scores[dirty]
    ]


def _by_extract(scorecard, dimension: str) -> dict[str, float]:
    return {
        r.extract: r.scores[dimension]
        for r in scorecard
        if r.extract is not None and r.delivery_id is None
    }


def test_validity_ranks_extracts_as_the_planted_invalid_values_say(scorecard):
    rates = _planted_rates(lambda kind: kind not in NOT_VALIDITY)
    assert _out_of_order(scorecard, "validity", rates) == [], _by_extract(scorecard, "validity")


def test_overall_score_ranks_extracts_as_the_planted_defect_rates_say(scorecard):
    rates = _planted_rates(lambda kind: True)
    scores = _by_extract(scorecard, "overall")
    assert _out_of_order(scorecard, "overall", rates) == [], scores
    assert min(scores, key=scores.get) == "wgy_cj"  # the gridworkers: the dirtiest on purpose
    assert max(scores, key=scores.get) == "gaj_rkxx"  # the police register: the cleanest


def test_every_current_delivery_has_a_scorecard_line_and_departments_roll_up(built_city, scorecard):
    loaded = built_city.query("select count(*) from staging.delivery where status = 'loaded'")
    assert sum(r.delivery_id is not None for r in scorecard) == loaded[0][0]
    departments = {r.department for r in scorecard if r.extract is None}
    assert departments == {c.department for c in load_contracts().values()}
    for r in scorecard:
        assert all(v is None or 0 <= v <= 1 for v in r.scores.values())


def _truth(built_city, name: str) -> list[dict]:
    with open(built_city.truth / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _planted_anomalies(built_city) -> set[tuple[str, str]]:
    """The truth, keyed as the hub keys it: person master id, entity master id, address code."""
    citizen = {r["person_key"]: r["citizen_id"] for r in _truth(built_city, "persons")}
    firms = {r["credit_code"]: r for r in _truth(built_city, "enterprises")}
    person = dict(built_city.query("select citizen_id, master_id from hub.person"))
    entity = {}
    for master_id, *codes in built_city.query(
        "select master_id, credit_code, organization_code, registration_number "
        "from hub.legal_entity"
    ):
        entity.update({code: master_id for code in codes if code})
    planted = set()
    for row in _truth(built_city, "anomalies"):
        kind = row["kind"]
        if kind == "unknown_gridworker_address":
            planted.add((kind, row["place_key"]))
        elif kind == "dissolved_enterprise_paying_insurance":
            firm = firms[row["entity_key"]]
            codes = (firm["credit_code"], firm["organization_code"], firm["registration_number"])
            planted.add((kind, next(entity[c] for c in codes if c in entity)))
        else:
            planted.add((kind, person[citizen[row["person_key"]]]))
    return planted


def test_every_planted_anomaly_is_found_and_nothing_else(built_city, anomalies):
    found = {
        (a.kind, a.details["std_address_code"] if a.subject == "place" else a.master_id)
        for a in anomalies
    }
    planted = _planted_anomalies(built_city)
    assert {kind for kind, _ in planted} == {k.kind for k in KINDS}
    assert found - planted == set(), "false anomalies"
    assert planted - found == set(), "planted anomalies missed"


def test_report_shows_a_trend_chart_per_department_and_the_anomalies(
    tmp_path, scorecard, anomalies
):
    now = datetime.now(UTC)
    departments = [r for r in scorecard if r.extract is None]
    history = {r.department: [(now, r.scores["overall"])] for r in departments}
    page = write_report(tmp_path, now, scorecard, history, anomalies, [])
    html = page.read_text(encoding="utf-8")
    assert html.count("<svg") == len(departments)
    assert "<polyline" in html and "deceased_receiving_allowance" in html
    assert "http" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")  # offline


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="no chromium (apt-get install chromium)")
def test_the_report_opens_in_headless_chromium_with_its_charts(tmp_path, scorecard, anomalies):
    """The page a steward opens: Chromium renders it (DOM with the charts) and screenshots it."""
    now = datetime.now(UTC)
    departments = [r for r in scorecard if r.extract is None]
    history = {
        r.department: [(now - timedelta(days=1), 0.5), (now, r.scores["overall"])]
        for r in departments
    }
    page = write_report(tmp_path, now, scorecard, history, anomalies, [])
    flags = ["--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'p'}"]
    dom = subprocess.run(
        [CHROMIUM, *flags, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert dom.count("<svg") == len(departments) and "<polyline" in dom
    shot = tmp_path / "report.png"
    subprocess.run(
        [CHROMIUM, *flags, "--window-size=1280,1600", f"--screenshot={shot}", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.stat().st_size > 20_000
