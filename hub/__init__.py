"""The hub: a city's population and legal-entity master data hub (数据共享交换平台)."""

__version__ = "0.1.0"
