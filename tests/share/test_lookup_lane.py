"""The lookup lane answers ``GET /v1/persons/{citizen_id}`` exactly as the FastAPI route would:
same status, headers that matter, body, and audit row, for answers and for every refusal."""

from __future__ import annotations

import httpx
import pytest

from hub.share.app import create_app
from hub.share.lookup_lane import LookupLane

from .conftest import start_service


@pytest.fixture(scope="module")
def route_only(built_city, share_settings, service):
    """A second service on the same database with the lane switched off: FastAPI answers."""
    app = create_app(built_city.url, share_settings.model_copy(update={"lookup_lane": False}))
    assert not any(m.cls is LookupLane for m in app.user_middleware)
    server, thread, url = start_service(app)
    yield url
    server.should_exit = True
    thread.join(timeout=10)


def _cases(service, people) -> list[tuple[str, dict, dict]]:
    west, elsewhere = people["west"]["citizen_id"], people["elsewhere"]["citizen_id"]
    key = service.keys
    work = {"X-API-Key": key["mzj"], "X-Purpose": "allowance_case_work"}
    return [
        (f"/v1/persons/{west}", work, {}),
        (f"/v1/persons/{west}", work, {"fields": "name,phone"}),
        (f"/v1/persons/{west}", work, {"fields": "name", "other": "x"}),
        (f"/v1/persons/{west}", work, {"fields": "name,master_id"}),
        (
            f"/v1/persons/{west}",
            {"Authorization": f"Bearer {key['zjj']}", "X-Purpose": "housing_security"},
            {},
        ),
        ("/v1/persons/11010519491231002X", work, {}),
        ("/v1/persons/1' or '1'='1", work, {}),
        (f"/v1/persons/{west}", {"X-API-Key": key["mzj"]}, {}),
        (f"/v1/persons/{west}", {"X-API-Key": key["mzj"], "X-Purpose": "no_such_purpose"}, {}),
        (f"/v1/persons/{west}", {"X-Purpose": "allowance_case_work"}, {}),
        (f"/v1/persons/{west}", {"X-API-Key": "hubk_nonsense", "X-Purpose": "x"}, {}),
        (
            f"/v1/persons/{west}",
            {"X-API-Key": key["revoked"], "X-Purpose": "allowance_case_work"},
            {},
        ),
        (f"/v1/persons/{west}", {"X-API-Key": key["scjgj"], "X-Purpose": "market_supervision"}, {}),
        (
            f"/v1/persons/{elsewhere}",
            {"X-API-Key": key["county"], "X-Purpose": "allowance_case_work"},
            {},
        ),
    ]


def test_the_lane_answers_as_the_route_does(service, people, route_only):
    for path, headers, params in _cases(service, people):
        with httpx.Client(headers=headers, timeout=30) as client:
            lane = client.get(service.url + path, params=params)
            route = client.get(route_only + path, params=params)
        assert lane.status_code == route.status_code, path
        assert lane.content == route.content, (path, headers, params)
        for header in ("content-type", "content-length"):
            assert lane.headers.get(header) == route.headers.get(header), (path, header)


def test_the_lane_leaves_the_same_audit_row_as_the_route(service, people, route_only):
    cid = people["west"]["citizen_id"]
    headers = {"X-API-Key": service.keys["mzj"], "X-Purpose": "allowance_case_work"}
    for base in (service.url, route_only):
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            assert client.get(f"/v1/persons/{cid}").status_code == 200
            assert client.get("/v1/persons/not-an-id").status_code == 422
    rows = service.owner(
        "select endpoint, key_id, department, purpose, identifiers, records_returned, status, "
        "error_code from audit.request_log where key_id = %s and identifiers in "
        "(array[%s], array['not-an-id']) order by id desc limit 4",
        (service.key_ids["mzj"], cid),
    )
    lane_rows, route_rows = sorted(rows[2:]), sorted(rows[:2])
    assert lane_rows == route_rows
    assert {r[0] for r in rows} == {"/v1/persons/{citizen_id}"}
    assert {(r[6], r[7]) for r in rows} == {(200, None), (422, "invalid_identifier")}


def test_other_routes_pass_through_the_lane(service, people):
    cid = people["west"]["citizen_id"]
    with service.client("mzj", "allowance_case_work") as c:
        relations = c.get(f"/v1/persons/{cid}/relations", params={"include": "household"})
        search = c.get("/v1/persons", params={"name": people["west"]["name"]})
        head = c.head(f"/v1/persons/{cid}")
    assert relations.status_code == 200 and "household" in relations.json()
    assert search.status_code == 200 and search.json()["results"]
    assert head.status_code == 405  # as FastAPI answers a HEAD on a GET route


def test_a_department_over_its_rate_is_refused_alike_by_the_lane(service, people, route_only):
    path = f"/v1/persons/{people['west']['citizen_id']}"
    headers = {"X-API-Key": service.keys["slow"], "X-Purpose": "market_supervision"}
    answers = {}
    for base in (service.url, route_only):  # each service holds its own buckets
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            answers[base] = [client.get(path) for _ in range(6)]
    lane, route = answers[service.url][-1], answers[route_only][-1]
    assert lane.status_code == route.status_code == 429
    assert lane.content == route.content
    # the wait itself depends on each bucket's state: both name one, in whole seconds
    assert int(lane.headers["retry-after"]) >= 1 and int(route.headers["retry-after"]) >= 1
