"""A synthetic 宜昌市 for demos and tests: nine departments' extracts with realistic, declared
defects, and the truth behind them (``generate_city``)."""

from hub.demo.config import DefectKind, load_config
from hub.demo.generator import AS_OF, CityManifest, generate_city

__all__ = ["AS_OF", "CityManifest", "DefectKind", "generate_city", "load_config"]
