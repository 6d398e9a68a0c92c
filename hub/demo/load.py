"""A demo city end to end: generate it, ingest every file, optionally build the libraries."""

from __future__ import annotations

from hub.demo.generator import CityManifest, generate_city
from hub.ingest.load import DeliveryResult, ingest_file
from hub.settings import HubSettings


def load_demo_city(
    settings: HubSettings,
    conninfo: str,
    persons: int = 2000,
    seed: int = 20261123,
    *,
    build: bool = False,
) -> tuple[CityManifest, list[DeliveryResult]]:
    """Generate a city under ``$HUB_HOME/demo`` and ingest it (and build, if asked)."""
    out = settings.demo_dir / f"city_{persons}_{seed}"
    manifest = generate_city(out, persons, seed=seed)
    results = [ingest_file(path, extract, conninfo, settings) for extract, path in manifest.files]
    if build:
        from hub.libraries.build import build_libraries

        build_libraries(settings, ephemeral=True)
    return manifest, results
