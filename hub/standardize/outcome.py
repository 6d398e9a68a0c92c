"""What a standardizer returns: for one value (``Outcome``) and for a column (``Columns``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np

NO_EXTRA: Mapping[str, Any] = MappingProxyType({})


class Outcome(NamedTuple):
    """One standardized value: canonical value, at most one error and one warning, extras."""

    value: Any = None
    error: str | None = None
    warning: str | None = None
    extra: Mapping[str, Any] = NO_EXTRA


MISSING = Outcome()


@dataclass
class Columns:
    """A standardized column as numpy object arrays of equal length (None where empty)."""

    value: np.ndarray
    error: np.ndarray
    warning: np.ndarray
    extra: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def empty(cls, n: int, extras: tuple[str, ...] = ()) -> Columns:
        return cls(
            value=np.full(n, None, dtype=object),
            error=np.full(n, None, dtype=object),
            warning=np.full(n, None, dtype=object),
            extra={name: np.full(n, None, dtype=object) for name in extras},
        )

    @classmethod
    def from_outcomes(cls, outcomes: list[Outcome], extras: tuple[str, ...] = ()) -> Columns:
        n = len(outcomes)
        out = cls.empty(n, extras)
        if n:
            values, errors, warnings, extra_maps = zip(*outcomes, strict=True)
            out.value[:] = values
            out.error[:] = errors
            out.warning[:] = warnings
            for name in extras:
                out.extra[name][:] = [m.get(name) for m in extra_maps]
        return out

    def take(self, indices: np.ndarray) -> Columns:
        return Columns(
            self.value.take(indices),
            self.error.take(indices),
            self.warning.take(indices),
            {k: v.take(indices) for k, v in self.extra.items()},
        )

    def put(self, positions: np.ndarray, other: Columns) -> None:
        """Write ``other`` (one entry per position) into this at ``positions``."""
        self.value[positions] = other.value
        self.error[positions] = other.error
        self.warning[positions] = other.warning
        for name, values in other.extra.items():
            self.extra[name][positions] = values
