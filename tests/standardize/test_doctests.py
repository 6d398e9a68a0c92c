"""The docstrings' examples are real examples: run them."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import hub.standardize

MODULES = sorted(
    name
    for _, name, _ in pkgutil.iter_modules(hub.standardize.__path__, "hub.standardize.")
    if not name.endswith(".benchmark")
)


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
