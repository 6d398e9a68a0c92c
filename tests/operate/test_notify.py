"""A failed run reaches the on-call steward: a webhook on a local HTTP server, and a command."""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import dagster as dg
import pytest

from hub.settings import get_settings
from orchestration.defs.operate.sensors import notify_on_run_failure


@pytest.fixture
def webhook():
    """A webhook receiver on 127.0.0.1 that keeps what it was sent."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(json.loads(body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()


@dg.asset
def allowance_list():
    raise dg.Failure(description="mzj_dbdx_20261105.jsonl: missing required column(s) 'xm'")


def _failure_context(instance: dg.DagsterInstance) -> dg.RunFailureSensorContext:
    result = dg.materialize([allowance_list], instance=instance, raise_on_error=False)
    assert not result.success
    return dg.build_run_status_sensor_context(
        sensor_name="notify_on_run_failure",
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        dagster_event=result.get_run_failure_event(),
    ).for_run_failure()


def test_a_failed_run_calls_the_webhook_and_the_command(webhook, tmp_path, monkeypatch):
    url, received = webhook
    written = tmp_path / "event.json"
    command = f"{sys.executable} -c \"import sys; open('{written}', 'w').write(sys.stdin.read())\""
    monkeypatch.setenv("HUB_NOTIFY_WEBHOOK", url)
    monkeypatch.setenv("HUB_NOTIFY_COMMAND", command)
    get_settings.cache_clear()

    with dg.DagsterInstance.ephemeral() as instance:
        notify_on_run_failure(_failure_context(instance))

    [event] = received
    assert event["event"] == "run_failure" and event["job"] == "__ephemeral_asset_job__"
    assert "missing required column(s) 'xm'" in event["reason"]
    assert "re-execute" in event["next_step"] and event["text"].startswith("[hub] run_failure")
    assert json.loads(written.read_text(encoding="utf-8")) == event


def test_an_unreachable_webhook_fails_the_sensor_tick_loudly(monkeypatch):
    from hub.operate.notify import NotificationError

    monkeypatch.setenv("HUB_NOTIFY_WEBHOOK", "http://127.0.0.1:9/nobody-listens")
    monkeypatch.delenv("HUB_NOTIFY_COMMAND", raising=False)

    with dg.DagsterInstance.ephemeral() as instance, pytest.raises(NotificationError):
        notify_on_run_failure(_failure_context(instance))


def test_without_a_channel_configured_nothing_is_sent(monkeypatch):
    monkeypatch.delenv("HUB_NOTIFY_WEBHOOK", raising=False)
    monkeypatch.delenv("HUB_NOTIFY_COMMAND", raising=False)

    with dg.DagsterInstance.ephemeral() as instance:
        notify_on_run_failure(_failure_context(instance))  # logs "nobody to tell", no error
