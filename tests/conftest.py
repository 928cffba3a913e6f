"""Shared fixtures, and hypothesis settings: random examples on a developer's machine, the same
examples in CI (CI=true), so a run that lands is a run that can be repeated; new findings come from
local runs."""
from __future__ import annotations

import os

import pytest
from hypothesis import settings

import symcalc.engine

settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def broken_engine(monkeypatch):
    """Every closed form the engine produces is doubled: a deliberate bug for the checks to catch."""
    original = symcalc.engine.run

    def doubled(*args, **kw):
        steps, closed, graph = original(*args, **kw)
        return steps, {v: 2 * c for v, c in closed.items()}, graph

    monkeypatch.setattr(symcalc.engine, "run", doubled)
