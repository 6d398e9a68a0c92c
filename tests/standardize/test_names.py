"""Person and organization names: traditional characters, dots, padding spaces, homophones."""

from __future__ import annotations

import pytest

from hub.standardize import address, names


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("劉萱若", "刘萱若"),  # gaj_rkxx
        ("趙宇皓 ", "赵宇皓"),
        ("孫華", "孙华"),
        ("萬佳婧", "万佳婧"),
        ("楊洪", "杨洪"),
        (" 高元广", "高元广"),
        ("叶 华丽", "叶华丽"),  # padded two-character given name
        ("雷 慧", "雷慧"),
        ("阿依古丽•买买提", "阿依古丽·买买提"),  # bullet
        ("阿依古丽．买买提", "阿依古丽·买买提"),  # full-width full stop
        ("阿依古丽.买买提", "阿依古丽·买买提"),
        ("阿依古丽・买买提", "阿依古丽·买买提"),  # katakana middle dot
        ("阿依古丽‧买买提", "阿依古丽·买买提"),  # hyphenation point
        ("阿依古丽 · 买买提", "阿依古丽·买买提"),
        ("阿依古丽··买买提", "阿依古丽·买买提"),
        ("JOHN  SMITH", "JOHN SMITH"),  # Latin names keep one space
    ],
)
def test_person_names(raw, canonical):
    assert names.normalize_person_name(raw) == canonical


def test_names_with_digits_or_symbols_are_flagged():
    assert names.standardize_person_name("张3").error == "invalid_characters"
    assert names.standardize_person_name("李?").error == "invalid_characters"
    assert names.standardize_person_name("O'Neil").error is None


@pytest.mark.parametrize(
    ("a", "b"), [("张伟", "张玮"), ("刘凯诚", "刘凯程"), ("李逸宇", "李逸雨"), ("劉萱若", "刘萱若")]
)
def test_homophones_share_a_phonetic_key(a, b):
    assert names.phonetic_key(a) == names.phonetic_key(b)


def test_phonetic_key_shape():
    assert names.phonetic_key("张伟") == "zhangwei"
    assert names.phonetic_key("阿依古丽·买买提") == "ayigulimaimaiti"
    assert names.phonetic_key("王敬") != names.phonetic_key("王静静")
    assert names.phonetic_key("") is None


def test_batch_conversion_agrees_with_one_by_one():
    values = [
        "劉萱若",
        None,
        "",
        "陳慧英",
        "著作",
        "看著",
        "乾隆",
        "叶 华丽",
        "阿依古丽•买买提",
        "ABC",
    ]
    assert names.person_name_outcomes(values) == [names.standardize_person_name(v) for v in values]
    assert names.org_name_outcomes(values) == [names.standardize_org_name(v) for v in values]


@pytest.mark.parametrize(
    ("raw", "canonical", "key"),
    [
        ("宜昌瑞美建材有限公司", "宜昌瑞美建材有限公司", "宜昌瑞美建材有限公司"),
        (
            "宜昌瑞美建材有限责任公司",
            "宜昌瑞美建材有限责任公司",
            "宜昌瑞美建材有限公司",
        ),  # registered form kept
        ("宜昌瑞美建材 有限公司", "宜昌瑞美建材有限公司", "宜昌瑞美建材有限公司"),  # rsj_cbxx
        (
            "宜昌市某某商贸中心（普通合伙）",
            "宜昌市某某商贸中心(普通合伙)",
            "宜昌市某某商贸中心(普通合伙)",
        ),
        (
            "宜昌楚達酒店管理有限責任公司",
            "宜昌楚达酒店管理有限责任公司",
            "宜昌楚达酒店管理有限公司",
        ),
        (
            "宜昌某某股份有限公司",
            "宜昌某某股份有限公司",
            "宜昌某某股份有限公司",
        ),  # a different form
    ],
)
def test_organization_names(raw, canonical, key):
    outcome = names.standardize_org_name(raw)
    assert outcome.value == canonical
    assert outcome.extra["comparison_key"] == key == names.org_comparison_key(raw)


def test_limited_and_joint_stock_companies_stay_apart():
    assert names.org_comparison_key("宜昌某某有限公司") != names.org_comparison_key(
        "宜昌某某股份有限公司"
    )


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        (
            "湖北省宜昌市西陵区夷陵大道41號1栋1单元202室",
            "湖北省宜昌市西陵区夷陵大道41号1栋1单元202室",
        ),
        (
            "湖北省宜昌市秭归县茅坪大道２４０号３栋１单元４０２室",
            "湖北省宜昌市秭归县茅坪大道240号3栋1单元402室",
        ),
        ("  宜昌市  西陵区 ", "宜昌市 西陵区"),
        ("湖北省宜昌市伍家岗区花艳路380号3-1-302", "湖北省宜昌市伍家岗区花艳路380号3-1-302"),
    ],
)
def test_addresses(raw, canonical):
    assert address.normalize_address(raw) == canonical


def test_the_fast_han_check_only_covers_letters():
    import unicodedata

    for low, high in names.HAN_RANGES:
        assert all(unicodedata.category(chr(c)) == "Lo" for c in range(low, high + 1))
    assert names.standardize_person_name("李〇").error is None  # 〇 is Nl, but used in names
    assert names.standardize_person_name("李⺀").error == "invalid_characters"  # a radical (So)
    values = ["李〇", "李⺀", "张三"]
    assert names.person_name_outcomes(values) == [names.standardize_person_name(v) for v in values]
