"""The work one derivation may do, counted in steps, so a short input cannot run for minutes.

Deriving a power tower x**x**…**x of depth 199 or a product of 5,000 factors is well-formed but
grows the chain rule's expressions quadratically or worse. Each unit of work (a node simplified,
a rewrite, a Jacobian node, a sympy round trip weighted by its size) is charged here, and the
derivation stops with a :class:`~symcalc.errors.LimitError` that names the limit once the budget
is spent. Nested derivations (the trace rule derives an inner one) share the outer budget.

>>> with budget(10):
...     spend(4)
...     spend(7)
Traceback (most recent call last):
...
symcalc.errors.LimitError: this derivation needs more than 10 steps of work (the limit); ...
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from .errors import LimitError

MAX_WORK = 50_000  # about 2 s; the largest catalog entry needs under 5,000 (bench/work_budget.py)
MAX_PRINTED = 60_000  # nodes in all of a derivation's printed steps together

_left: ContextVar[list | None] = ContextVar("symcalc_work_left", default=None)


@contextmanager
def budget(limit: int | None = None):
    """Run the block with ``limit`` steps of work, MAX_WORK by default (the outer budget if one
    is already running)."""
    if _left.get() is not None:
        yield
        return
    limit = MAX_WORK if limit is None else limit
    token = _left.set([limit, limit])
    try:
        yield
    finally:
        _left.reset(token)


def spend(units: int = 1) -> None:
    """Charge ``units`` steps of work to the running budget (free outside one)."""
    left = _left.get()
    if left is None:
        return
    left[0] -= units
    if left[0] < 0:
        raise LimitError(f"this derivation needs more than {left[1]:,} steps of work (the limit); "
                         "it grows too fast to show step by step: derive a smaller part of it, or "
                         "introduce your own intermediates")


def used() -> int:
    """Steps spent so far in the running budget (0 outside one)."""
    left = _left.get()
    return 0 if left is None else left[1] - left[0]


def check_printed(steps) -> None:
    """Refuse a derivation whose steps would print more than MAX_PRINTED nodes (a tree printed in
    full can be exponentially larger than the shared structure the engine holds)."""
    from .expr import tree_size

    total = sum(tree_size(side) for step in steps for side in step.sides)
    if total > MAX_PRINTED:
        raise LimitError(f"this derivation would print {total:,} symbols; the limit is {MAX_PRINTED:,}: "
                         "derive a smaller part of it, or introduce your own intermediates")
