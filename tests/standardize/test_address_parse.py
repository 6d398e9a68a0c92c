"""Address parsing: every way the extracts write an address gives the same parts."""

from __future__ import annotations

import pandas as pd
import pytest

from hub.standardize.address_parse import (
    ParsedAddress,
    canonical_text,
    component,
    parse_address,
    parse_addresses,
)
from hub.standardize.code_tables import lookup

FULL = ("420502", "西陵区", "青岛路", "124", "2", "1", "102")


def _parts(p: ParsedAddress) -> tuple:
    return p.county_code, p.county, p.road, p.house_number, p.building, p.unit, p.room


@pytest.mark.parametrize(
    "text",
    [
        "湖北省宜昌市西陵区青岛路124号2栋1单元102室",  # the full form
        "宜昌市西陵区青岛路124号2栋1单元102室",  # without the province
        "西陵区青岛路124号2栋1单元102室",  # county only
        "湖北宜昌西陵区青岛路124号2栋1单元102室",  # 省/市 left out
        "湖北省宜昌市西陵区青岛路124號2棟1单元102室",  # traditional 號 and 棟
        "湖北省宜昌市西陵区青岛路124号2幢1单元102室",  # 幢
        "湖北省宜昌市西陵区青岛路124号2号楼1单元102室",  # 号楼
        "湖北省宜昌市西陵区青岛路124号2#1单元102室",  # 2# for building 2
        "湖北省宜昌市西陵区青岛路１２４号２栋１单元１０２室",  # full-width digits
        "湖北省宜昌市西陵区青岛路一百二十四号二栋一单元一〇二室",  # Chinese numerals
        "西陵区青岛路124号二栋一单元102",  # 室 left out
        "西陵区青岛路124号2-1-102",  # the short form
        "西陵区青岛路124-2-1-102",  # short form without 号
        " 西陵区 青岛路 124号 2栋 1单元 0102室 ",  # spaces, a leading zero
        "西陵区青岛路124号2栋1单元102号",  # 号 for the room
    ],
)
def test_every_spelling_of_one_dwelling_gives_the_same_parts(text):
    assert _parts(parse_address(text)) == FULL


def test_county_is_named_by_any_of_its_names_or_absent():
    assert parse_address("长阳土家族自治县清江路273号").county_code == "420528"
    assert parse_address("长阳县清江路273号").county_code == "420528"
    assert parse_address("宜昌市宜都市园林大道375号").county_code == "420581"
    no_county = parse_address("樵湖岭路249号1-3-302")
    assert (no_county.county_code, no_county.road, no_county.building, no_county.room) == (
        None,
        "樵湖岭路",
        "1",
        "302",
    )


def test_a_road_named_like_a_county_is_a_road():
    """五峰大道 is a road in 五峰土家族自治县; a bare 五峰 is not taken for the county."""
    p = parse_address("五峰大道12号3栋")
    assert (p.county_code, p.road, p.house_number, p.building) == (None, "五峰大道", "12", "3")


def test_numerals_in_names_stay_as_written():
    assert parse_address("西陵区西陵一路十二号").road == "西陵一路"
    assert parse_address("西陵区西陵一路十二号").house_number == "12"
    assert parse_address("夷陵区三斗坪镇高家冲村二组5号").street == "三斗坪镇"


def test_street_community_and_rural_group():
    p = parse_address("湖北省宜昌市宜都市姚家店镇金山村一组8號")
    assert (p.street, p.community, p.road, p.house_number) == ("姚家店镇", "金山村", "1组", "8")
    p = parse_address("西陵区西坝街道桂城社区青岛路124号2栋1单元102室")
    assert (p.street, p.community, p.road) == ("西坝街道", "桂城社区", "青岛路")


def test_suffix_characters_inside_names():
    assert parse_address("夷陵区小溪塔街道桔乡路145号").road == "桔乡路"  # 乡 in a road
    assert parse_address("秭归县沙镇溪镇金山村3组12号").street == "沙镇溪镇"  # 镇 twice
    assert parse_address("镇江路5号").road == "镇江路"


def test_shop_building_only_and_compound_names():
    shop = parse_address("长阳土家族自治县清江路273号103室")
    assert (shop.building, shop.unit, shop.room) == (None, None, "103")
    building = parse_address("秭归县茅坪大道240号3栋")
    assert (building.building, building.unit, building.room) == ("3", None, None)
    compound = parse_address("青岛路124号桂城小区3号楼2单元301")
    assert (compound.building, compound.unit, compound.room, compound.rest) == (
        "3",
        "2",
        "301",
        "桂城小区",
    )
    assert parse_address("青岛路124号附3号").house_number == "124附3"


def test_empty_text_has_no_parts():
    assert parse_address(None) == ParsedAddress()
    assert parse_address("  ") == ParsedAddress()


def test_parse_addresses_keeps_the_index_and_parses_each_value():
    values = pd.Series(
        ["西陵区青岛路124号2-1-102", None, "西陵区青岛路124号2-1-102"], index=[5, 6, 7]
    )
    frame = parse_addresses(values)
    assert list(frame.index) == [5, 6, 7]
    assert frame.loc[5, "room"] == "102" and frame.loc[7, "building"] == "2"
    assert frame.loc[6].isna().all()


def test_canonical_text_and_register_cells():
    assert canonical_text("青岛路十二號3幢二单元一〇二") == "青岛路12号3栋2单元102"
    assert component(" 132号", ("号",)) == "132"
    assert component("二", ("栋",)) == "2"


@pytest.mark.parametrize(
    ("value", "code"),
    [("HA", "01"), ("ha", "01"), ("TJ", "15"), ("MG", "02"), ("Tujia", "15"), ("土家族", "15")],
)
def test_ethnicity_accepts_gb3304_letter_codes_and_names(value, code):
    assert lookup("ethnicity", value) == code


def test_parsing_in_worker_processes_gives_the_same_rows(monkeypatch):
    """The link stage parses a city's distinct addresses in several processes: same rows, same
    order, nulls and repeats included."""
    import hub.standardize.address_parse as address_parse

    roads = ["青岛路", "西陵一路", "夷陵大道", "沿江大道", "东山大道"]
    texts = [
        f"西陵区{roads[i % 5]}{i % 300 + 1}号{i % 7 + 1}栋{i % 3 + 1}单元{i % 9 + 1}0{i % 4 + 1}室"
        for i in range(3_000)
    ]
    texts += ["西陵区青岛路124号2-1-102", None, "", texts[0], "不是地址"]
    values = pd.Series(texts, dtype=object)
    serial = parse_addresses(values)
    monkeypatch.setattr(address_parse, "PARALLEL_FROM", 10)
    parallel = parse_addresses(values, workers=2)
    pd.testing.assert_frame_equal(parallel, serial)
