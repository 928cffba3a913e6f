"""Hypothesis settings: random examples on a developer's machine, the same examples in CI (CI=true),
so a run that lands is a run that can be repeated; new findings come from local runs."""
from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")
