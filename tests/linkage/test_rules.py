"""Person and entity linkage rules, on small frames (no database)."""

from __future__ import annotations

import pandas as pd

from hub.linkage.entities import link_entities
from hub.linkage.persons import link_persons
from tests.oracles import citizen_id_is_valid

PERSON_COLUMNS = [
    "mention_id",
    "extract",
    "role",
    "citizen_id",
    "citizen_id_as_read",
    "citizen_id_suggestion",
    "name",
    "name_phonetic_key",
    "sex",
    "birth_date",
    "phone",
    "address_code",
    "mention_key",
]


def persons(*rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame([{c: row.get(c) for c in PERSON_COLUMNS} for row in rows])
    frame["mention_key"] = frame["mention_id"]
    return frame


A = "11010519491231002X"  # the published example ID
B = "420502197304302914"


def test_the_oracle_agrees_with_the_fixture_ids():
    assert citizen_id_is_valid(A) and citizen_id_is_valid(B)


def by_mention(decisions) -> dict[str, tuple[str, str]]:
    return {r.mention_id: (r.cluster, r.method) for r in decisions.members.itertuples(index=False)}


def test_valid_ids_link_and_two_different_valid_ids_are_never_merged():
    out = by_mention(
        link_persons(
            persons(
                {
                    "mention_id": "police:1",
                    "extract": "gaj_rkxx",
                    "citizen_id": A,
                    "name": "张三",
                    "birth_date": "1949-12-31",
                },
                {"mention_id": "rsj:1", "extract": "rsj_cbxx", "citizen_id": A, "name": "张叁"},
                # same name and birth date, different valid ID: a different person
                {
                    "mention_id": "rsj:2",
                    "extract": "rsj_cbxx",
                    "citizen_id": B,
                    "name": "张三",
                    "birth_date": "1949-12-31",
                },
            )
        )
    )
    assert out["police:1"] == ("id:" + A, "valid_key") == out["rsj:1"]
    assert out["rsj:2"] == ("id:" + B, "valid_key")


def test_a_one_edit_typo_with_the_same_name_is_a_repaired_key():
    typo = A[:-1] + "5"
    out = by_mention(
        link_persons(
            persons(
                {
                    "mention_id": "police:1",
                    "extract": "gaj_rkxx",
                    "citizen_id": A,
                    "name": "张三",
                    "name_phonetic_key": "zhangsan",
                },
                {
                    "mention_id": "wgy:1",
                    "extract": "wgy_cj",
                    "citizen_id_as_read": typo,
                    "citizen_id_suggestion": A,
                    "name": "张三",
                    "name_phonetic_key": "zhangsan",
                },
                # the same typo under another name is not evidence enough
                {
                    "mention_id": "wgy:2",
                    "extract": "wgy_cj",
                    "citizen_id_as_read": typo,
                    "citizen_id_suggestion": A,
                    "name": "李四",
                    "name_phonetic_key": "lisi",
                },
            )
        )
    )
    assert out["wgy:1"] == ("id:" + A, "repaired_key")
    assert out["wgy:2"][1] == "no_key"


def test_a_newborn_links_by_name_and_birth_date_and_ambiguity_goes_to_review():
    known = [
        {
            "mention_id": "police:1",
            "extract": "gaj_rkxx",
            "citizen_id": B,
            "name": "李明",
            "name_phonetic_key": "liming",
        },
    ]
    newborn = {
        "mention_id": "birth:1",
        "extract": "wjw_csyxzm",
        "role": "newborn",
        "name": "李明",
        "name_phonetic_key": "liming",
        "birth_date": "1973-04-30",
    }
    out = by_mention(link_persons(persons(*known, newborn)))
    assert out["birth:1"] == ("id:" + B, "fuzzy")

    twin = "420502197304302930"
    assert citizen_id_is_valid(twin)
    decisions = link_persons(
        persons(
            *known,
            newborn,
            {
                "mention_id": "police:2",
                "extract": "gaj_rkxx",
                "citizen_id": twin,
                "name": "李明",
                "name_phonetic_key": "liming",
            },
        )
    )
    assert by_mention(decisions)["birth:1"][1] == "no_key"
    assert set(decisions.review["candidate"]) == {"id:" + B, "id:" + twin}

    # A steward's decision is reused: accepted → linked as `steward`.
    decided = pd.DataFrame(
        [{"mention_key": "birth:1", "candidate": "id:" + twin, "status": "accepted"}]
    )
    again = link_persons(
        persons(
            *known,
            newborn,
            {
                "mention_id": "police:2",
                "extract": "gaj_rkxx",
                "citizen_id": twin,
                "name": "李明",
                "name_phonetic_key": "liming",
            },
        ),
        decided,
    )
    assert by_mention(again)["birth:1"] == ("id:" + twin, "steward")
    assert again.review.empty


def test_keyless_repeats_share_one_person():
    out = by_mention(
        link_persons(
            persons(
                {
                    "mention_id": "wgy:1",
                    "extract": "wgy_cj",
                    "name": "王五",
                    "phone": "13800000000",
                },
                {
                    "mention_id": "wgy:2",
                    "extract": "wgy_cj",
                    "name": "王五",
                    "phone": "13800000000",
                },
                {
                    "mention_id": "wgy:3",
                    "extract": "wgy_cj",
                    "name": "王五",
                    "phone": "13900000000",
                },
            )
        )
    )
    assert out["wgy:1"] == out["wgy:2"] != out["wgy:3"]
    assert out["wgy:1"][1] == "no_key"


ENTITY_COLUMNS = [
    "mention_id",
    "extract",
    "role",
    "credit_code",
    "credit_code_as_read",
    "organization_code",
    "registration_number",
    "name",
    "name_comparison_key",
]


def entities(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame([{c: row.get(c) for c in ENTITY_COLUMNS} for row in rows])


def test_entities_join_by_credit_code_organization_code_registration_number_and_name():
    code = "91420500MA4F1W8K2C"
    out = by_mention(
        link_entities(
            entities(
                {
                    "mention_id": "scjgj:1",
                    "extract": "scjgj_qydj",
                    "role": "entity",
                    "credit_code": code,
                    "organization_code": "MA4F1W8K2",
                    "registration_number": "420500000123456",
                    "name": "宜昌市某某科技有限责任公司",
                },
                {"mention_id": "rsj:1", "role": "employer", "organization_code": "MA4F1W8K2"},
                {
                    "mention_id": "rsj:2",
                    "role": "employer",
                    "registration_number": "420500000123456",
                },
                {"mention_id": "rsj:3", "role": "employer", "name": "宜昌市某某科技有限公司"},
                {"mention_id": "rsj:4", "role": "employer", "name": "另一家有限公司"},
                {
                    "mention_id": "rsj:5",
                    "role": "employer",
                    "credit_code": "91420500MA4F1W8K3F",
                    "name": "宜昌市某某科技有限公司",
                },
            )
        )
    )
    assert out["scjgj:1"] == ("uscc:" + code, "valid_key")
    assert out["rsj:1"] == ("uscc:" + code, "organization_code")
    assert out["rsj:2"] == ("uscc:" + code, "registration_number")
    assert out["rsj:3"] == ("uscc:" + code, "fuzzy")
    assert out["rsj:4"][1] == "no_key"
    # another valid credit code with the same name stays another entity
    assert out["rsj:5"] == ("uscc:91420500MA4F1W8K3F", "valid_key")
