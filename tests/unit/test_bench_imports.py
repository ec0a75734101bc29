"""The benchmark's modules import (``make bench`` runs rarely; a renamed library function must
not wait for it to be noticed)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import bench

MODULES = sorted(
    f"bench.{info.name}" for info in pkgutil.walk_packages(bench.__path__) if not info.ispkg
)


@pytest.mark.parametrize("name", MODULES)
def test_every_benchmark_module_imports(name: str) -> None:
    importlib.import_module(name)
