"""The audit trail: every request is logged, and the service's role cannot rewrite it."""

from __future__ import annotations

import json

import psycopg
import pytest
from psycopg.conninfo import make_conninfo
from typer.testing import CliRunner

from hub.cli import app


def _last_rows(service, n=5):
    return service.owner(
        "select department, key_id, endpoint, purpose, identifiers, records_returned, status, "
        "error_code from audit.request_log order by id desc limit %s",
        (n,),
    )


def test_every_request_is_logged_with_who_what_why(service, people):
    cid = people["west"]["citizen_id"]
    with service.client("mzj", "allowance_case_work") as c:
        c.get(f"/v1/persons/{cid}")
    department, key_id, endpoint, purpose, identifiers, returned, status, error = _last_rows(
        service
    )[0]
    assert (department, key_id, purpose) == ("mzj", service.key_ids["mzj"], "allowance_case_work")
    assert endpoint == "/v1/persons/{citizen_id}"
    assert identifiers == [cid] and returned == 1 and status == 200 and error is None


def test_refused_requests_are_logged_too(service, people):
    with service.client("revoked", "allowance_case_work") as c:
        c.get(f"/v1/persons/{people['west']['citizen_id']}")
    row = _last_rows(service)[0]
    assert row[1] == service.key_ids["revoked"] and row[6] == 401 and row[7] == "revoked_key"


def test_a_batch_logs_every_identifier_asked(service, people):
    ids = [people[k]["citizen_id"] for k in ("owner", "insured")] + ["bad"]
    with service.client("mzj", "allowance_screening") as c:
        c.post("/v1/checks", json={"citizen_ids": ids})
    row = _last_rows(service)[0]
    assert row[4] == ids and row[5] == 2


@pytest.mark.parametrize(
    "statement",
    [
        "update audit.request_log set status = 200",
        "delete from audit.request_log",
        "truncate audit.request_log",
        "drop table audit.request_log",
        "update share.api_key set revoked_at = null",
        "delete from hub.person",
    ],
)
def test_the_service_role_cannot_rewrite_history(service, share_settings, statement):
    conninfo = make_conninfo(service.owner_url, user=share_settings.service_role)
    with psycopg.connect(conninfo) as conn:
        assert conn.execute("select count(*) from audit.request_log").fetchone()[0] > 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)


def test_even_the_owner_is_stopped_by_the_append_only_trigger(service):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        service.owner("delete from audit.request_log")


def test_hub_audit_filters_by_department_and_identifier(service, people, monkeypatch):
    cid = people["insured"]["citizen_id"]
    with service.client("zjj", "housing_security") as c:
        c.get(f"/v1/persons/{cid}")
    monkeypatch.setenv("HUB_DATABASE_URL", service.owner_url)
    from hub.settings import get_settings

    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(
            app, ["audit", "--department", "zjj", "--identifier", cid, "--json"]
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows and all(r["department"] == "zjj" for r in rows)
    assert rows[0]["first_identifiers"] == [cid]
