"""Tell the on-call steward that something failed: a webhook POST and/or a command.

Configured by environment (``HUB_NOTIFY_WEBHOOK``, ``HUB_NOTIFY_COMMAND``) so each city wires
its own channel (a WeCom/DingTalk robot behind a webhook, a mail script, a pager) without code.
The event is the same JSON for both: the webhook gets it as the body, the command on stdin
(and the one-line summary in ``HUB_EVENT_TEXT``).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from dataclasses import asdict, dataclass

import httpx

from hub.settings import HubSettings

TIMEOUT_SECONDS = 15


@dataclass
class FailureEvent:
    """A failed run, in the words a steward reads first."""

    event: str  # run_failure
    job: str
    run_id: str
    reason: str
    next_step: str
    hub_home: str

    @property
    def text(self) -> str:
        return (
            f"[hub] {self.event}: job {self.job} (run {self.run_id[:8]}) failed — {self.reason} "
            f"Next: {self.next_step}"
        )

    def payload(self) -> dict:
        return {**asdict(self), "text": self.text}


class NotificationError(RuntimeError):
    """A configured channel could not be reached; raised after every channel was tried."""


def notify(settings: HubSettings, event: FailureEvent) -> list[str]:
    """Send ``event`` to every configured channel; returns the channels reached."""
    reached, errors = [], []
    payload = event.payload()
    if settings.notify_webhook:
        try:
            response = httpx.post(settings.notify_webhook, json=payload, timeout=TIMEOUT_SECONDS)
            response.raise_for_status()
            reached.append("webhook")
        except httpx.HTTPError as exc:
            errors.append(f"webhook {settings.notify_webhook}: {exc}")
    if settings.notify_command:
        try:
            subprocess.run(
                shlex.split(settings.notify_command),
                input=json.dumps(payload, ensure_ascii=False),
                text=True,
                check=True,
                timeout=TIMEOUT_SECONDS,
                env={**os.environ, "HUB_EVENT_TEXT": event.text},
            )
            reached.append("command")
        except (OSError, subprocess.SubprocessError) as exc:
            errors.append(f"command {settings.notify_command!r}: {exc}")
    if errors:
        raise NotificationError("; ".join(errors))
    return reached
