"""Find, read and validate contract files; a bad file is a clear error naming file and key."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from data_contracts.model import Contract

CONTRACTS_DIR = Path(__file__).resolve().parent


class ContractError(ValueError):
    """A contract file is missing, unreadable, or does not follow the contract schema."""


def _known_kinds() -> frozenset[str]:
    from hub.standardize.registry import KINDS

    return KINDS


def load_contract_file(path: Path) -> Contract:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ContractError(f"{path}: cannot read contract: {exc}") from exc
    try:
        contract = Contract.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ContractError(f"{path}: {problems}") from exc
    if contract.extract != path.stem:
        raise ContractError(f"{path}: extract {contract.extract!r} must match the file name")
    kinds = _known_kinds()
    for i, field in enumerate(contract.fields):
        if field.kind not in kinds:
            raise ContractError(
                f"{path}: fields.{i}.kind: unknown kind {field.kind!r} (known: {sorted(kinds)})"
            )
    return contract


@cache
def load_contracts(folder: Path = CONTRACTS_DIR) -> dict[str, Contract]:
    """Every contract in ``folder``, by extract name."""
    return {p.stem: load_contract_file(p) for p in sorted(Path(folder).glob("*.yaml"))}


def load_contract(extract: str, folder: Path = CONTRACTS_DIR) -> Contract:
    contracts = load_contracts(folder)
    if extract not in contracts:
        raise ContractError(
            f"No contract for extract {extract!r}; known extracts: {', '.join(sorted(contracts))}"
        )
    return contracts[extract]
