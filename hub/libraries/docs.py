"""The dbt documentation site of the subject libraries: every model and column with its
description, the lineage from the staging tables to the marts, and the database's catalog
(column types, row counts) — what a department analyst reads beside docs/schema.md.

Generated into the hub's home (not ``dbt_project/target``, which the build's own dbt runs use)
as dbt writes it, plus dbt's single-file ``static_index.html`` that opens without a server.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from hub.libraries.dbt import PROJECT_DIR, dbt_env, dbt_executable
from hub.settings import HubSettings


class DocsFailed(RuntimeError):
    """dbt could not generate the site (its output says why)."""


def docs_dir(settings: HubSettings) -> Path:
    # absolute: dbt runs in the project folder and would read a relative home from there
    return Path(settings.home).resolve() / "dbt-docs"


def _dbt(settings: HubSettings, *args: str, **run) -> subprocess.CompletedProcess:
    command = [
        dbt_executable(),
        "docs",
        *args,
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(docs_dir(settings)),
    ]
    env = {**os.environ, **dbt_env(settings)}
    return subprocess.run(command, cwd=PROJECT_DIR, env=env, **run)


def generate_docs(settings: HubSettings) -> Path:
    """Generate the site against the hub's database; the path of its single-file page."""
    done = _dbt(settings, "generate", "--static", capture_output=True, text=True)
    if done.returncode != 0:
        raise DocsFailed(f"dbt docs generate failed:\n{done.stdout[-4000:]}{done.stderr[-2000:]}")
    return docs_dir(settings) / "static_index.html"


def serve_docs(settings: HubSettings, port: int, host: str) -> int:
    """Serve the generated site (``dbt docs serve``) until interrupted; its exit code."""
    return _dbt(settings, "serve", "--port", str(port), "--host", host, "--no-browser").returncode
