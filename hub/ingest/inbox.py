"""The inbox: departments (or their transfer jobs) drop files in ``$HUB_HOME/inbox/<extract>/``.

Each file is ingested in name order (delivery files carry their date in the name), then moved
to ``done/`` or, when refused, to ``rejected/`` beside it, so the inbox only ever shows what is
still waiting. A file is left where it is if the load crashed: the next run tries it again.
"""

from __future__ import annotations

from pathlib import Path

from data_contracts.loader import load_contracts
from hub.ingest.load import DeliveryResult, ingest_file
from hub.settings import HubSettings

DONE = "done"
REJECTED = "rejected"


def inbox_folder(settings: HubSettings, extract: str) -> Path:
    return settings.inbox_dir / extract


def ensure_inbox(settings: HubSettings) -> None:
    for extract in load_contracts():
        for sub in ("", DONE, REJECTED):
            (inbox_folder(settings, extract) / sub).mkdir(parents=True, exist_ok=True)


def waiting_files(settings: HubSettings, extract: str) -> list[Path]:
    """Files waiting in an extract's inbox (hidden and partial files are not ready yet)."""
    folder = inbox_folder(settings, extract)
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and not p.name.endswith((".partial", ".tmp"))
    )


def ingest_inbox(settings: HubSettings, extract: str, conninfo: str) -> list[DeliveryResult]:
    results = []
    for path in waiting_files(settings, extract):
        result = ingest_file(path, extract, conninfo, settings)
        target = inbox_folder(settings, extract) / (
            REJECTED if result.status == "rejected" else DONE
        )
        target.mkdir(parents=True, exist_ok=True)
        path.replace(target / path.name)
        results.append(result)
    return results
