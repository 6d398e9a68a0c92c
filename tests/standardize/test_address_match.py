"""Address matching: the right standard address code, or none — never a wrong one."""

from __future__ import annotations

import pandas as pd
import pytest

from hub.demo import generate_city
from hub.standardize.address_match import AddressMatcher, match_to_register
from tests.standardize.address_truth import address_mentions, read_register

COLUMNS = ["std_address_code", "county_code", "street", "community", "grid_code", "road",
           "house_number", "building", "unit", "room"]  # fmt: skip
B1 = "42050200100100100101"  # 青岛路124号1栋: two units
B2 = "42050200100100100201"  # 青岛路124号2栋: one unit
SHOP = "42050200100100100301"  # 青岛路130号: a row of shops
RURAL1, RURAL2 = "42058100200100100101", "42058100200200100101"


def _rows() -> list[list[str]]:
    grid = "420502001001001"
    rows = [[B1, "420502", "西坝街道", "桂城社区", grid, "青岛路", "124号", "1", "", ""]]
    for unit in ("1", "2"):
        for room in ("101", "102", "201"):
            rows.append([f"{B1}-{unit}-{room}", "420502", "西坝街道", "桂城社区", grid, "青岛路",
                         "124", "1", unit, room])  # fmt: skip
    rows.append([B2, "420502", "西坝街道", "桂城社区", grid, "青岛路", "124", "2", "", ""])
    for room in ("101", "102"):
        rows.append([f"{B2}-1-{room}", "420502", "西坝街道", "桂城社区", grid, "青岛路", "124",
                     "2", "1", room])  # fmt: skip
    rows.append([SHOP, "420502", "西坝街道", "桂城社区", grid, "青岛路", "130", "1", "", ""])
    rows.append([f"{SHOP}-1-103", "420502", "西坝街道", "桂城社区", grid, "青岛路", "130", "1",
                 "1", "103"])  # fmt: skip
    rows.append([B1.replace("420502001001", "420502001002"), "420502", "西坝街道", "东洲社区",
                 "420502001002001", "西陵一路", "5", "1", "", ""])  # fmt: skip
    rows.append([RURAL1, "420581", "姚家店镇", "金山村", "420581002001001", "1组", "8", "", "", ""])
    rows.append([RURAL2, "420581", "姚家店镇", "银河村", "420581002002001", "1组", "8", "", "", ""])
    rows.append(["", "420502", "西坝街道", "桂城社区", grid, "青岛路", "999", "1", "", ""])
    return rows


@pytest.fixture(scope="module")
def matcher() -> AddressMatcher:
    return AddressMatcher(pd.DataFrame(_rows(), columns=COLUMNS))


def _one(matcher: AddressMatcher, text: str | None) -> dict:
    return matcher.match(pd.Series([text], dtype=object)).iloc[0].to_dict()


@pytest.mark.parametrize(
    "text",
    [
        "湖北省宜昌市西陵区青岛路124号1栋2单元102室",
        "西陵区青岛路124號一棟二单元一〇二",
        "西陵区 青岛路 124号 1-2-102",
        "西陵区西坝街道桂城社区青岛路124号1栋2单元102室",
    ],
)
def test_every_component_given_is_an_exact_match(matcher, text):
    result = _one(matcher, text)
    assert result == {
        "std_address_code": f"{B1}-2-102",
        "score": 1.0,
        "method": "exact",
        "level": "dwelling",
    }


def test_without_county_the_match_is_parsed_and_scores_lower(matcher):
    result = _one(matcher, "青岛路124号1-2-102")
    assert (result["std_address_code"], result["method"]) == (f"{B1}-2-102", "parsed")
    assert result["score"] == pytest.approx(0.95)


def test_a_unit_left_out_is_inferred_where_the_building_has_one(matcher):
    result = _one(matcher, "西陵区青岛路124号2栋102室")
    assert (result["std_address_code"], result["method"]) == (f"{B2}-1-102", "parsed")
    assert result["score"] == pytest.approx(0.9)


def test_a_shop_is_found_by_its_room_alone(matcher):
    assert _one(matcher, "西陵区青岛路130号103室")["std_address_code"] == f"{SHOP}-1-103"


def test_without_a_room_the_building_is_the_answer(matcher):
    result = _one(matcher, "西陵区青岛路124号2栋")
    assert (result["std_address_code"], result["level"]) == (B2, "building")
    assert result["score"] == pytest.approx(0.8)


def test_a_room_in_two_units_of_one_building_gives_the_building(matcher):
    result = _one(matcher, "西陵区青岛路124号1栋102室")
    assert (result["std_address_code"], result["level"]) == (B1, "building")
    assert result["score"] <= 0.7


def test_rural_houses_are_told_apart_by_their_village(matcher):
    assert _one(matcher, "宜都市姚家店镇金山村一组8号")["std_address_code"] == RURAL1
    assert _one(matcher, "宜都市银河村1组8號")["std_address_code"] == RURAL2
    assert _one(matcher, "宜都市1组8号")["std_address_code"] is None  # which village?


def test_a_misspelled_road_or_village_is_a_fuzzy_match(matcher):
    result = _one(matcher, "西陵区清岛路124号1栋2单元102室")
    assert (result["std_address_code"], result["method"]) == (f"{B1}-2-102", "fuzzy")
    assert 0 < result["score"] <= 0.85
    assert _one(matcher, "西陵区青岛124号2栋1单元101室")["std_address_code"] == f"{B2}-1-101"
    assert _one(matcher, "宜都市姚家店镇金珊村1组8号")["std_address_code"] == RURAL1


@pytest.mark.parametrize(
    "text",
    [
        "西陵区青岛路124号1栋2单元902室",  # no such room
        "西陵区青岛路125号1栋2单元102室",  # no such number
        "西陵区西陵二路5号1栋",  # 二路 is not 一路
        "西陵区西坝街道东洲社区青岛路124号1栋2单元102室",  # the answer is in another community
        "西陵区青岛路124号102室",  # which building?
        "伍家岗区青岛路124号1栋2单元102室",  # no 青岛路 in that county
        "西陵区青岛路999号1栋",  # its code is missing in the register
        "西陵区西坝街道桂城社区",
        "",
        None,
    ],
)
def test_what_fits_nothing_or_more_than_one_gets_no_code(matcher, text):
    result = _one(matcher, text)
    assert (result["std_address_code"], result["score"], result["method"]) == (None, 0.0, None)


def test_match_to_register_keeps_the_index():
    texts = pd.Series(["西陵区青岛路124号2-1-101", "nowhere"], index=["a", "b"])
    result = match_to_register(texts, pd.DataFrame(_rows(), columns=COLUMNS))
    assert list(result.columns) == ["std_address_code", "score", "method", "level"]
    assert list(result.index) == ["a", "b"]
    assert result.loc["a", "std_address_code"] == f"{B2}-1-101"
    assert result.loc["b", "std_address_code"] is None


def test_a_demo_citys_addresses_match_their_true_codes(tmp_path):
    """Every address text of a generated city (police, real estate, enterprises, allowance,
    gridworkers) against its register: measured 2026-11 on 2,000 persons — precision 1.000,
    recall 0.998 of all texts (the rest are buildings missing from the register)."""
    generate_city(tmp_path, persons=2000)
    mentions = address_mentions(tmp_path)
    mentions = mentions[mentions.truth.fillna("") != ""].reset_index(drop=True)
    result = AddressMatcher(read_register(tmp_path)).match(mentions.text)
    answered = result.std_address_code.notna()
    correct = result.std_address_code == mentions.truth
    precision = correct[answered].mean()
    recall = correct.mean()
    print(
        f"address matching: {len(mentions)} texts, precision {precision:.4f}, recall {recall:.4f}"
    )
    assert len(mentions) > 2500
    assert precision >= 0.99
    assert recall >= 0.97
