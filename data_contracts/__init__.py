"""Data contracts: one YAML file per department extract, validated on load.

A contract says how a department delivers an extract (format, encoding, sheet, columns and
their aliases), what each column means (canonical field name, kind, required), which fields
form the extract's key, and whether a delivery is a full snapshot or an increment. Staging
tables, validation and documentation are derived from it; adding a department is a new file.
"""

from data_contracts.loader import ContractError, load_contract, load_contracts

__all__ = ["ContractError", "load_contract", "load_contracts"]
