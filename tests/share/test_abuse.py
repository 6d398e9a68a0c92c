"""Abuse resistance: bad keys, purposes not granted, injection strings, oversized requests,
unknown fields, rate limits — each answered with clear JSON and the right status."""

from __future__ import annotations

import pytest

INJECTIONS = [
    "' or '1'='1",
    "1; drop table hub.person; --",
    "420502' union select * from share.api_key --",
    "%' or name like '%",
]


@pytest.mark.parametrize(
    ("key", "code"),
    [
        (None, "missing_key"),
        ("hubk_000000000000_" + "A" * 43, "invalid_key"),
        ("not-a-key", "invalid_key"),
        ("expired", "expired_key"),
        ("revoked", "revoked_key"),
    ],
)
def test_bad_keys_are_401(service, people, key, code):
    with service.client(key, "allowance_case_work") as c:
        r = c.get(f"/v1/persons/{people['west']['citizen_id']}")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == code


def test_a_wrong_secret_for_a_real_key_id_is_401(service, people):
    real = service.keys["mzj"]
    forged = real[:-4] + ("AAAA" if not real.endswith("AAAA") else "BBBB")
    with service.client(forged, "allowance_case_work") as c:
        assert c.get(f"/v1/persons/{people['west']['citizen_id']}").status_code == 401


def test_purpose_must_be_declared_and_granted(service, people):
    cid = people["west"]["citizen_id"]
    with service.client("mzj") as c:
        missing = c.get(f"/v1/persons/{cid}")
    with service.client("mzj", "market_supervision") as c:
        other = c.get(f"/v1/persons/{cid}")
    with service.client("mzj_screening_only", "allowance_case_work") as c:
        narrowed = c.get(f"/v1/persons/{cid}")
    assert missing.status_code == 422 and missing.json()["error"]["code"] == "purpose_missing"
    assert other.status_code == 403 and other.json()["error"]["code"] == "purpose_not_granted"
    assert narrowed.status_code == 403


def test_a_key_of_a_department_without_grants_is_403(service, people):
    with service.client("unknown_department", "allowance_case_work") as c:
        assert c.get(f"/v1/persons/{people['west']['citizen_id']}").status_code == 403


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_strings_are_malformed_identifiers_not_queries(service, text):
    with service.client("mzj", "allowance_case_work") as c:
        person = c.get(f"/v1/persons/{text}")
        entity = c.get(f"/v1/legal-entities/{text}")
        search = c.get("/v1/persons", params={"name": text})
    assert person.status_code == 422 and person.json()["error"]["code"] == "invalid_identifier"
    assert entity.status_code in (404, 422)
    assert search.status_code in (200, 422)
    if search.status_code == 200:
        assert search.json()["results"] == []
    assert service.owner("select count(*) from hub.person")[0][0] > 0


def test_injection_strings_in_a_batch_are_reported_per_item(service):
    with service.client("mzj", "allowance_screening") as c:
        r = c.post("/v1/checks", json={"citizen_ids": INJECTIONS})
    assert r.status_code == 200
    assert all(item["error"] for item in r.json()["results"])


def test_a_batch_over_ten_thousand_is_413(service):
    ids = [f"{i:018d}" for i in range(10_001)]
    with service.client("mzj", "allowance_screening") as c:
        r = c.post("/v1/checks", json={"citizen_ids": ids})
    assert r.status_code == 413 and r.json()["error"]["code"] == "batch_too_large"


def test_a_body_over_the_size_limit_is_413(service):
    with service.client("mzj", "allowance_screening") as c:
        declared = c.post(
            "/v1/checks",
            content=b'{"citizen_ids": ["' + b"1" * 2_000_000 + b'"]}',
            headers={"content-type": "application/json"},
        )

        def chunks():
            yield b'{"citizen_ids": ["'
            for _ in range(40):
                yield b"1" * 50_000
            yield b'"]}'

        streamed = c.post(
            "/v1/checks", content=chunks(), headers={"content-type": "application/json"}
        )
    assert declared.status_code == 413
    assert streamed.status_code == 413
    assert streamed.json()["error"]["code"] == "body_too_large"


def test_unknown_fields_in_a_request_are_422(service, people):
    with service.client("mzj", "allowance_screening") as c:
        r = c.post(
            "/v1/checks",
            json={"citizen_ids": [people["west"]["citizen_id"]], "include_everything": True},
        )
        bad_check = c.post(
            "/v1/checks", json={"citizen_ids": [people["west"]["citizen_id"]], "checks": ["x"]}
        )
        not_json = c.post("/v1/checks", content=b"{", headers={"content-type": "application/json"})
    for response in (r, bad_check, not_json):
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "invalid_request"


def test_unknown_field_names_are_refused(service, people):
    with service.client("mzj", "allowance_case_work") as c:
        r = c.get(f"/v1/persons/{people['west']['citizen_id']}", params={"fields": "password"})
    assert r.status_code == 403


def test_a_department_over_its_rate_is_429(service):
    with service.client("slow", "market_supervision") as c:
        codes = [c.get("/v1/legal-entities/91420500MA2G0F8R8M").status_code for _ in range(6)]
    assert codes[:3] != [429, 429, 429]
    assert codes[-1] == 429
    with service.client("slow", "market_supervision") as c:
        r = c.get("/v1/legal-entities/91420500MA2G0F8R8M")
    assert r.headers["retry-after"]
    assert r.json()["error"]["code"] == "rate_limited"
