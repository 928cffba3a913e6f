"""The rewrites of sums (Add): blocks added entry by entry, like terms collected."""
from __future__ import annotations

import sympy

from .. import expr as E
from .core import expand_to, rewrite


@rewrite(E.Add, "add.blocks", "[a, b] + [c, d] = [a + c, b + d]")
def _add_blocks(e):
    if len(e.items) > 1 and all(isinstance(t, E.Block) and t.shape == e.shape for t in e.items):
        return e.items[0].rebuild(tuple(E.add(*xs) for xs in zip(*(t.args for t in e.items))))
    return None


def _split_coeff(t):
    """(numeric coefficient, rest) of a term, for collecting like terms."""
    if isinstance(t, E.Mul) and isinstance(t.items[0], E.Const):
        rest = t.items[1:]
        return t.items[0].value, rest[0] if len(rest) == 1 else E.Mul(rest, t.shape)
    if isinstance(t, E.Const):
        return t.value, None
    return sympy.Integer(1), t


@rewrite(E.Add, "add.collect", "0 + x = x, 2x + 3x = 5x, x − x = 0 (a lone scalar in a vector sum keeps its 1⃗)")
def _add_collect(e):
    coeffs: dict = {}
    for t in e.items:
        if isinstance(t, E.Zero):
            continue
        c, rest = _split_coeff(t)
        coeffs[rest] = coeffs.get(rest, 0) + c
    items = []
    for rest, c in coeffs.items():
        if c == 0:
            continue
        if rest is None:
            items.append(E.Const(c))
        else:
            items.append(rest if c == 1 else E.mul(E.Const(c), rest))
    if not items:
        return E.zero(e.shape)
    # w + 2 + a − w leaves the scalar 2 + a, which still stands for (2 + a)·1⃗
    return expand_to(items[0] if len(items) == 1 else E.add(*items), e.shape)
