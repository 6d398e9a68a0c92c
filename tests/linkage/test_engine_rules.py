"""Person and entity linkage through the matching engine (person.yaml / legal_entity.yaml), on a
small synthetic register: keyless mentions, typo IDs, newborns, review and steward decisions,
and never two valid IDs in one cluster."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hub.linkage.entities import link_entities
from hub.linkage.fuzzy import match_to_anchors
from hub.linkage.persons import engine_match, link_persons, person_settings
from tests.oracles import citizen_id_is_valid

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def with_check(body: str) -> str:
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS, strict=True)) % 11]


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
PINYIN = {c: f"p{k}" for k, c in enumerate(SURNAMES + GIVEN)}


def phonetic(name: str) -> str:
    return "".join(PINYIN.get(c, c) for c in name)


def register(n: int = 300, seed: int = 7) -> tuple[pd.DataFrame, list[dict]]:
    """n police persons, each insured (phone) and most visited (phone + address)."""
    rng = np.random.default_rng(seed)
    rows, people = [], []
    for k in range(n):
        birth = pd.Timestamp("1950-01-01") + pd.Timedelta(days=int(rng.integers(0, 25000)))
        cid = with_check(f"420502{birth:%Y%m%d}{k % 1000:03d}")
        name = (
            SURNAMES[k % 20]
            + GIVEN[rng.integers(0, len(GIVEN))]
            + GIVEN[rng.integers(0, len(GIVEN))]
        )
        phone = f"139{k:08d}"
        code = f"42050200100100100{k // 3:03d}-1-101"
        household = f"420502{k // 3:06d}"
        p = {
            "cid": cid,
            "name": name,
            "birth": f"{birth:%Y-%m-%d}",
            "phone": phone,
            "code": code,
            "household": household,
        }
        people.append(p)
        common = {
            "citizen_id": cid,
            "citizen_id_as_read": cid,
            "name": name,
            "name_phonetic_key": phonetic(name),
        }
        rows.append(
            {
                "mention_id": f"gaj_rkxx:1:{k}:person",
                "extract": "gaj_rkxx",
                "role": "person",
                "birth_date": p["birth"],
                "household_number": household,
                "sex": "1" if int(cid[16]) % 2 else "2",
                **common,
            }
        )
        rows.append(
            {
                "mention_id": f"rsj_cbxx:1:{k}:insured",
                "extract": "rsj_cbxx",
                "role": "insured",
                "phone": phone,
                **common,
            }
        )
        if k % 4:
            rows.append(
                {
                    "mention_id": f"wgy_cj:1:{k}.1:resident",
                    "extract": "wgy_cj",
                    "role": "resident",
                    "phone": phone,
                    "address_code": code,
                    **common,
                }
            )
    return pd.DataFrame(rows), people


def frame(base: pd.DataFrame, *extra: dict) -> pd.DataFrame:
    out = pd.concat([base, pd.DataFrame(list(extra))], ignore_index=True)
    for column in (
        "citizen_id",
        "citizen_id_as_read",
        "citizen_id_suggestion",
        "name",
        "name_phonetic_key",
        "sex",
        "birth_date",
        "phone",
        "address_code",
        "address_text",
        "household_number",
        "mother_citizen_id",
        "birth_month",
    ):
        if column not in out.columns:
            out[column] = None
    out = out.astype(object).where(out.notna(), None)
    out["mention_key"] = out["mention_id"]
    return out


def result(decisions) -> dict[str, tuple[str, str]]:
    return {r.mention_id: (r.cluster, r.method) for r in decisions.members.itertuples(index=False)}


def test_with_check_makes_valid_ids():
    assert citizen_id_is_valid(with_check("42050219800101001"))


def test_a_resident_without_id_links_on_name_and_phone():
    base, people = register()
    p = people[5]
    out = result(
        link_persons(
            frame(
                base,
                {
                    "mention_id": "wgy_cj:2:1.1:resident",
                    "extract": "wgy_cj",
                    "role": "resident",
                    "name": p["name"],
                    "name_phonetic_key": phonetic(p["name"]),
                    "phone": p["phone"],
                },
            )
        )
    )
    assert out["wgy_cj:2:1.1:resident"] == ("id:" + p["cid"], "fuzzy")


def test_the_same_name_with_nothing_else_in_common_stays_apart():
    base, people = register()
    p = people[6]
    out = result(
        link_persons(
            frame(
                base,
                {
                    "mention_id": "wgy_cj:2:1.1:resident",
                    "extract": "wgy_cj",
                    "role": "resident",
                    "name": p["name"],
                    "name_phonetic_key": phonetic(p["name"]),
                    "phone": "13000000000",
                },
            )
        )
    )
    assert out["wgy_cj:2:1.1:resident"][1] == "no_key"


def test_an_invalid_id_one_digit_off_without_suggestion_links_with_the_same_name():
    base, people = register()
    p = people[9]
    typo = p["cid"][:8] + str((int(p["cid"][8]) + 3) % 10) + p["cid"][9:]
    assert not citizen_id_is_valid(typo)
    out = result(
        link_persons(
            frame(
                base,
                {
                    "mention_id": "mzj_hydj:1:3:husband",
                    "extract": "mzj_hydj",
                    "role": "husband",
                    "citizen_id_as_read": typo,
                    "name": p["name"],
                    "name_phonetic_key": phonetic(p["name"]),
                },
            )
        )
    )
    assert out["mzj_hydj:1:3:husband"] == ("id:" + p["cid"], "fuzzy")


def test_a_newborn_with_a_variant_name_links_through_the_mothers_household():
    base, people = register()
    mother, child = people[30], people[31]  # one household (k // 3)
    assert mother["household"] == child["household"]
    variant = child["name"][:-1] + "X"  # written differently, pronounced the same
    out = result(
        link_persons(
            frame(
                base,
                {
                    "mention_id": "wjw_csyxzm:1:1:newborn",
                    "extract": "wjw_csyxzm",
                    "role": "newborn",
                    "name": variant,
                    "name_phonetic_key": phonetic(child["name"]),
                    "birth_date": child["birth"],
                    "mother_citizen_id": mother["cid"],
                },
            )
        )
    )
    assert out["wjw_csyxzm:1:1:newborn"] == ("id:" + child["cid"], "fuzzy")


def test_two_valid_ids_are_never_merged_even_when_a_keyless_mention_fits_both():
    base, people = register()
    a, b = people[40], people[41]
    # b gets a's name: the keyless mention has a's name, a's phone and b's address
    base.loc[base["citizen_id"] == b["cid"], ["name", "name_phonetic_key"]] = [
        a["name"],
        phonetic(a["name"]),
    ]
    decisions = link_persons(
        frame(
            base,
            {
                "mention_id": "wgy_cj:2:1.1:resident",
                "extract": "wgy_cj",
                "role": "resident",
                "name": a["name"],
                "name_phonetic_key": phonetic(a["name"]),
                "phone": a["phone"],
                "address_code": b["code"],
            },
        )
    )
    members = decisions.members.merge(
        frame(base)[["mention_id", "citizen_id"]], on="mention_id", how="left"
    )
    per_cluster = members.dropna(subset=["citizen_id"]).groupby("cluster")["citizen_id"].nunique()
    assert (per_cluster == 1).all()
    out = result(decisions)
    assert (
        out["wgy_cj:2:1.1:resident"][0] != "id:" + b["cid"]
        or out["wgy_cj:2:1.1:resident"][1] != "fuzzy"
    )


def test_between_the_thresholds_goes_to_review_and_a_steward_decision_is_reused():
    base, people = register()
    p = people[12]
    m = frame(
        base,
        {
            "mention_id": "wgy_cj:2:1.1:resident",
            "extract": "wgy_cj",
            "role": "resident",
            "name": p["name"],
            "name_phonetic_key": phonetic(p["name"]),
            "phone": p["phone"],
        },
    )
    todo = m["mention_id"] == "wgy_cj:2:1.1:resident"
    strict = person_settings().model_copy(
        update={
            "thresholds": person_settings().thresholds.model_copy(
                update={"upper": 1.0, "lower": 0.5}
            )
        }
    )
    matched = engine_match(m, todo, strict)
    assert matched.linked.empty
    assert list(matched.review["candidate"]) == ["id:" + p["cid"]]
    assert matched.review["evidence"].iloc[0]["phone"] == "exact"

    # the pair in the queue: a steward accepts it, and the next run reuses the decision
    import hub.linkage.persons as persons

    original = persons.engine_match
    persons.engine_match = lambda m, todo, **kw: original(m, todo, strict, **kw)
    try:
        decided = pd.DataFrame(
            [
                {
                    "mention_key": "wgy_cj:2:1.1:resident",
                    "candidate": "id:" + p["cid"],
                    "status": "accepted",
                }
            ]
        )
        again = link_persons(m, decided)
        rejected = link_persons(m, decided.assign(status="rejected"))
    finally:
        persons.engine_match = original
    assert result(again)["wgy_cj:2:1.1:resident"] == ("id:" + p["cid"], "steward")
    assert again.review.empty
    assert result(rejected)["wgy_cj:2:1.1:resident"][1] == "no_key"
    assert rejected.review.empty


def test_keyless_repeats_without_a_known_person_share_one_cluster():
    base, _ = register()
    stranger = {
        "extract": "wgy_cj",
        "role": "resident",
        "name": "欧阳修",
        "name_phonetic_key": "ouyangxiu",
        "phone": "13712345678",
    }
    out = result(
        link_persons(
            frame(
                base,
                {"mention_id": "wgy_cj:3:1.1:resident", **stranger},
                {"mention_id": "wgy_cj:4:1.1:resident", **stranger},
            )
        )
    )
    assert out["wgy_cj:3:1.1:resident"] == out["wgy_cj:4:1.1:resident"]
    assert out["wgy_cj:3:1.1:resident"][1] == "no_key"


def test_match_to_anchors_needs_anchors():
    matched = match_to_anchors(
        pd.DataFrame({"mention_id": ["x"]}), pd.DataFrame(), person_settings()
    )
    assert matched.linked.empty and matched.review.empty


CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_code(body: str) -> str:
    total = sum(CODE_ALPHABET.index(c) * w for c, w in zip(body, CODE_WEIGHTS, strict=True))
    return body + CODE_ALPHABET[(31 - total % 31) % 31]


def test_entities_an_employer_with_a_typo_code_and_a_name_variant_links_two_codes_never():
    rng = np.random.default_rng(3)
    words = "山水云天星河林江海湖光明华兴盛达安康泰丰源恒信诚德宏远新金银峰"
    rows = []
    for k in range(150):
        code = credit_code(f"91420500MA{k:06d}X"[:17])
        word = "".join(rng.choice(list(words), 3))
        name = f"宜昌市{word}{'科技商贸建材物流'[2 * (k % 4) : 2 * (k % 4) + 2]}有限公司"
        key = name.replace("有限公司", "")
        rows.append(
            {
                "mention_id": f"scjgj:{k}",
                "extract": "scjgj_qydj",
                "role": "entity",
                "credit_code": code,
                "credit_code_as_read": code,
                "organization_code": code[8:17],
                "name": name,
                "name_comparison_key": key,
            }
        )
        variant = key + "分" if k % 5 == 0 else key  # employers write the name their way
        rows.append(
            {
                "mention_id": f"rsj:{k}",
                "extract": "rsj_cbxx",
                "role": "employer",
                "credit_code": code,
                "credit_code_as_read": code,
                "organization_code": code[8:17],
                "name": name,
                "name_comparison_key": variant,
            }
        )
    target = rows[22]
    typo = (
        target["credit_code"][:12]
        + ("1" if target["credit_code"][12] != "1" else "2")
        + target["credit_code"][13:]
    )
    rows.append(
        {
            "mention_id": "rsj:typo",
            "extract": "rsj_cbxx",
            "role": "employer",
            "credit_code_as_read": typo,
            "name": target["name"] + "（分）",
            "name_comparison_key": target["name_comparison_key"] + "分",
        }
    )
    m = pd.DataFrame(rows)
    for column in ("registration_number",):
        m[column] = None
    m = m.astype(object).where(m.notna(), None)
    out = result(link_entities(m))
    assert out["rsj:typo"] == ("uscc:" + target["credit_code"], "fuzzy")
    clusters = pd.DataFrame(
        [(k, v[0]) for k, v in out.items()], columns=["mention_id", "cluster"]
    ).merge(m[["mention_id", "credit_code"]], on="mention_id")
    assert (clusters.dropna().groupby("cluster")["credit_code"].nunique() == 1).all()
