"""The rewrites of steps (Step), entries (Index) and blocks (Block)."""
from __future__ import annotations

import sympy

from .. import expr as E
from .core import _is_zero, rewrite


@rewrite(E.Step, "step.constant", "[c > 0] = 1 or 0 for a number c")
def _step_constant(e):
    if isinstance(e.arg, E.Const):
        positive = e.arg.value > 0
        if isinstance(positive, (bool, sympy.logic.boolalg.BooleanAtom)):  # a size such as n − 3 stays
            return E.Const(sympy.Integer(1 if positive else 0))
    return None


@rewrite(E.Index, "index.block", "[a, b]₁ = a")
def _index_block(e):
    return e.arg.rows[e.i][0] if isinstance(e.arg, E.Block) else None


@rewrite(E.Block, "block.zero", "[0, 0] = 0⃗")
def _block_zero(e):
    return E.zero(e.shape) if all(_is_zero(x) for x in e.args) else None


@rewrite(E.Block, "block.diag", "[[a, 0], [0, b]] = diag([a, b])")
def _block_diag(e):
    k = len(e.rows)
    if k > 1 and k == len(e.rows[0]) and all(_is_zero(e.rows[i][j]) for i in range(k) for j in range(k) if i != j):
        return E.diag(E.stack([e.rows[i][i] for i in range(k)]))
    return None
