"""The share service on a real port, on the session's built demo city, with keys per department.

The service role, ``audit`` and ``share`` schemas are added to the built city's database; its
``hub.*`` tables are only read.
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest
import uvicorn
import yaml

from hub.share.app import create_app
from hub.share.database import ensure_share_database
from hub.share.keys import issue_key, revoke_key
from hub.share.serving import refresh_serving_tables
from hub.share.settings import DEFAULT_GRANTS, ShareSettings

SLOW = {
    "name": "a department with a tiny rate limit",
    "rate_limit": {"per_second": 0.5, "burst": 3},
    "grants": [{"purposes": ["market_supervision"], "legal_entity": {"fields": ["name"]}}],
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_service(app, log_level: str = "error") -> tuple[uvicorn.Server, threading.Thread, str]:
    """Serve ``app`` with uvicorn on a free port in a thread; returns (server, thread, base URL)
    once it accepts requests. Stop it with ``server.should_exit = True`` and ``thread.join``."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level=log_level))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the share service did not start")
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}"


@dataclass
class Service:
    url: str
    owner_url: str
    keys: dict[str, str]
    key_ids: dict[str, str]

    def client(self, key: str | None, purpose: str | None = None) -> httpx.Client:
        headers = {}
        if key:
            headers["X-API-Key"] = self.keys.get(key, key)
        if purpose:
            headers["X-Purpose"] = purpose
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)

    def owner(self, sql: str, params=None) -> list[tuple]:
        with psycopg.connect(self.owner_url) as conn:
            return conn.execute(sql, params).fetchall()


@pytest.fixture(scope="session")
def share_settings(built_city, tmp_path_factory) -> ShareSettings:
    grants = yaml.safe_load(DEFAULT_GRANTS.read_text(encoding="utf-8"))
    grants["departments"]["slow"] = SLOW
    path = Path(tmp_path_factory.mktemp("share")) / "grants.yaml"
    path.write_text(yaml.safe_dump(grants, allow_unicode=True), encoding="utf-8")
    return ShareSettings(grants_file=path, pool_size=4)


@pytest.fixture(scope="session")
def service(built_city, share_settings) -> Service:
    now = dt.datetime.now(dt.UTC)
    with psycopg.connect(built_city.url, autocommit=True) as conn:
        ensure_share_database(conn, share_settings)
        refresh_serving_tables(conn)
        issued = {
            "mzj": issue_key(conn, "mzj"),
            "mzj_screening_only": issue_key(conn, "mzj", purposes=("allowance_screening",)),
            "zjj": issue_key(conn, "zjj"),
            "scjgj": issue_key(conn, "scjgj"),
            "county": issue_key(conn, "xlq_mz"),
            "slow": issue_key(conn, "slow"),
            "expired": issue_key(conn, "mzj", expires_at=now - dt.timedelta(minutes=1)),
            "revoked": issue_key(conn, "mzj", expires_at=now + dt.timedelta(days=1)),
            "unknown_department": issue_key(conn, "nobody"),
        }
        revoke_key(conn, issued["revoked"].key_id)
    server, thread, url = start_service(create_app(built_city.url, share_settings), "warning")
    yield Service(
        url,
        built_city.url,
        {name: k.key for name, k in issued.items()},
        {name: k.key_id for name, k in issued.items()},
    )
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def people(service) -> dict[str, dict]:
    """Persons of the demo city picked for what each test needs (from the serving copy)."""

    def pick(where: str) -> dict:
        with psycopg.connect(service.owner_url) as conn:
            cur = conn.execute(
                "select p.citizen_id, p.name, p.phone, p.birth_date, p.counties, c.* "
                "from share.person as p join share.person_check as c using (master_id) "
                f"where {where} order by p.master_id limit 1"
            )
            row = cur.fetchone()
            assert row is not None, where
            return dict(zip([c.name for c in cur.description], row, strict=False))

    return {
        "west": pick("'420502' = any(p.counties) and p.phone is not null"),
        "elsewhere": pick("not ('420502' = any(p.counties)) and cardinality(p.counties) > 0"),
        "owner": pick("c.dwellings_owned > 0"),
        "representative": pick("c.active_enterprises_represented > 0"),
        "insured": pick("c.insured"),
    }
