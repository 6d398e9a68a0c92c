"""Lookups, search, relations and batch checks on the real service: each grant rule, masking,
county isolation."""

from __future__ import annotations

import psycopg


def test_a_person_has_only_the_granted_fields_with_phone_masked(service, people):
    west = people["west"]
    with service.client("mzj", "allowance_case_work") as c:
        body = c.get(f"/v1/persons/{west['citizen_id']}").json()
    assert body["citizen_id"] == west["citizen_id"]  # mzj holds it unmasked
    assert body["phone"] == west["phone"][:3] + "****" + west["phone"][-4:]
    assert "ethnicity" not in body and "registration_address" not in body
    assert "master_id" not in body


def test_citizen_id_is_masked_unless_granted(service, people):
    west = people["west"]
    with service.client("zjj", "housing_security") as c:
        body = c.get(f"/v1/persons/{west['citizen_id']}").json()
    assert set(body) == {"name", "citizen_id", "alive"}
    assert body["citizen_id"] == west["citizen_id"][:6] + "********" + west["citizen_id"][-4:]


def test_fields_can_be_narrowed_but_not_widened(service, people):
    cid = people["west"]["citizen_id"]
    with service.client("zjj", "housing_security") as c:
        assert c.get(f"/v1/persons/{cid}", params={"fields": "name"}).json() == {
            "name": people["west"]["name"]
        }
        refused = c.get(f"/v1/persons/{cid}", params={"fields": "name,phone"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "field_not_granted"


def test_a_subject_not_granted_is_forbidden(service, people):
    with service.client("scjgj", "market_supervision") as c:
        r = c.get(f"/v1/persons/{people['west']['citizen_id']}")
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "subject_not_granted"


def test_a_county_operator_sees_its_county_only(service, people):
    with service.client("county", "allowance_case_work") as c:
        mine = c.get(f"/v1/persons/{people['west']['citizen_id']}")
        other = c.get(f"/v1/persons/{people['elsewhere']['citizen_id']}")
        checks = c.post(
            "/v1/checks",
            json={"citizen_ids": [people["west"]["citizen_id"], people["elsewhere"]["citizen_id"]]},
        ).json()
    assert mine.status_code == 200
    assert other.status_code == 404
    assert [r["found"] for r in checks["results"]] == [True, False]


def test_unknown_person_is_404(service):
    with service.client("mzj", "allowance_case_work") as c:
        r = c.get("/v1/persons/11010519491231002X")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


def test_legal_entity_by_credit_or_organization_code(service):
    with psycopg.connect(service.owner_url) as conn:
        credit, org, name = conn.execute(
            "select credit_code, organization_code, name from share.legal_entity "
            "where credit_code is not null and organization_code is not null limit 1"
        ).fetchone()
    with service.client("scjgj", "market_supervision") as c:
        by_credit = c.get(f"/v1/legal-entities/{credit}").json()
        by_org = c.get(f"/v1/legal-entities/{org}").json()
    assert by_credit["name"] == by_org["name"] == name
    assert "legal_rep_master_id" not in by_credit


def test_house_by_unit_number(service, people):
    with psycopg.connect(service.owner_url) as conn:
        (unit,) = conn.execute("select unit_number from share.house limit 1").fetchone()
    with service.client("zjj", "housing_security") as c:
        body = c.get(f"/v1/houses/{unit}").json()
    assert body["unit_number"] == unit and "certificate_number" in body


def test_search_tolerates_traditional_characters_and_homophones(service):
    with psycopg.connect(service.owner_url) as conn:
        name, birth = conn.execute(
            "select name, birth_date from share.person "
            "where name like '刘%%' and citizen_id is not null order by master_id limit 1"
        ).fetchone()
    traditional = "劉" + name[1:]
    with service.client("mzj", "allowance_case_work") as c:
        exact = c.get("/v1/persons", params={"name": traditional, "birth_date": str(birth)}).json()
        homophone = c.get("/v1/persons", params={"name": "留" + name[1:]}).json()
    assert exact["query"]["name"] == name
    assert exact["results"][0]["name"] == name and exact["results"][0]["match"] == "name"
    assert any(r["name"] == name and r["match"] == "phonetic" for r in homophone["results"])


def test_search_needs_its_own_grant(service):
    with service.client("zjj", "housing_security") as c:
        r = c.get("/v1/persons", params={"name": "张伟"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "search_not_granted"


def test_relations_list_household_houses_entities_employer(service, people):
    with service.client("mzj", "allowance_case_work") as c:
        owner = c.get(f"/v1/persons/{people['owner']['citizen_id']}/relations").json()
        rep = c.get(f"/v1/persons/{people['representative']['citizen_id']}/relations").json()
        insured = c.get(
            f"/v1/persons/{people['insured']['citizen_id']}/relations",
            params={"include": "employer"},
        ).json()
    assert any(h["is_dwelling"] for h in owner["houses"])
    assert any(e["active"] for e in rep["entities"])
    assert set(insured) == {"person", "employer"} and insured["employer"]


def test_a_relation_not_granted_is_forbidden(service, people):
    with service.client("zjj", "housing_security") as c:
        r = c.get(
            f"/v1/persons/{people['owner']['citizen_id']}/relations",
            params={"include": "household"},
        )
    assert r.status_code == 403 and r.json()["error"]["code"] == "relation_not_granted"


def test_batch_check_answers_per_id_and_reports_malformed_ones(service, people):
    ids = [people[k]["citizen_id"] for k in ("owner", "representative", "insured")]
    with service.client("mzj", "allowance_screening") as c:
        body = c.post("/v1/checks", json={"citizen_ids": [*ids, "12345", "11010519491231002X"]})
    results = body.json()["results"]
    assert body.status_code == 200 and len(results) == 5
    assert results[0]["dwellings_owned"] >= 1
    assert results[1]["active_enterprises_represented"] >= 1
    assert results[2]["insured"] is True
    assert results[3] == {"citizen_id": "12345", "error": "invalid_length"}
    assert results[4]["found"] is False


def test_batch_check_gives_only_the_granted_answers(service, people):
    cid = people["owner"]["citizen_id"]
    with service.client("zjj", "housing_security") as c:
        ok = c.post("/v1/checks", json={"citizen_ids": [cid]}).json()
        refused = c.post("/v1/checks", json={"citizen_ids": [cid], "checks": ["insured"]})
    assert set(ok["results"][0]) == {"citizen_id", "found", "dwellings_owned"}
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "check_not_granted"


def test_the_openapi_document_lists_the_endpoints(service):
    paths = httpx_get(service, "/openapi.json")["paths"]
    assert {"/v1/persons/{citizen_id}", "/v1/checks", "/v1/persons"} <= set(paths)


def httpx_get(service, path):
    with service.client(None) as c:
        return c.get(path).json()
