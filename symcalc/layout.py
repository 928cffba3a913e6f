"""Denominator layout: every derivative transposed, every chain product reversed.

The engine derives in numerator layout (the paper's); this turns the finished steps into the
other convention consistently, so renderers never transpose anything themselves.

>>> import symcalc as sc
>>> w, x = sc.vector("w"), sc.vector("x")
>>> print(sc.derive(w @ x, w, layout="denominator").closed_form())
x
"""
from __future__ import annotations

from dataclasses import replace

from . import expr as E
from .simplify import simplify
from .steps import printed_order


def _label(p):
    """∂y/∂x (or ∇f, J) standing for the transposed derivative."""
    if isinstance(p, E.Var):
        return E.Var(p.name, (p.shape[1], p.shape[0]), p.kind)
    return E.Partial(p.num, p.den, (p.shape[1], p.shape[0]), p.total)


def _reverse(side):
    """Transpose a product structurally (reverse it) without simplifying it away."""
    if isinstance(side, E.Partial):
        return _label(side)
    if isinstance(side, E.Block):  # a written-out matrix of labels: transpose it entry by entry
        return E.block([[_reverse(side.rows[i][j]) for i in range(len(side.rows))] for j in range(len(side.rows[0]))])
    if isinstance(side, E.Add):
        return E.add(*(_reverse(t) for t in side.items))
    if isinstance(side, (E.MatMul, E.Mul)):
        items = tuple(_reverse(f) for f in reversed(side.items))
        return type(side)(items, (side.shape[1], side.shape[0]))
    return simplify(E.transpose(side))  # a local derivative: already simplified, just turned


def _value(side):
    if isinstance(side, E.Cases):
        below, above = _value(side.below), _value(side.above)
        return E.Cases(side.arg, below, above, above.shape)
    return simplify(E.transpose(side))


def transpose_step(step):
    if step.phase in ("define", "backward"):  # gradients G_V have V's shape in either layout
        return step
    label, *middle, last = step.sides
    # chain steps show the product itself, assembled ∇f / J steps their matrix of labels
    turn = _reverse if step.phase == "chain" or isinstance(label, E.Var) else _value
    sides = (_label(label), *(turn(s) for s in middle), _value(last))
    # the product is reversed, but a 1×1 factor still prints first: its shape goes with it
    shapes = printed_order((s[1], s[0]) for s in reversed(step.factor_shapes))
    return replace(step, sides=sides, shape=sides[-1].shape, factor_shapes=shapes)


def to_denominator(steps, results):
    """The steps turned, and the closed forms: lazy ones (the backward form's, built only when asked
    for) stay lazy, each turned when it is built."""
    if hasattr(results, "map"):
        return [transpose_step(s) for s in steps], results.map(_value)
    return [transpose_step(s) for s in steps], {v: _value(c) for v, c in results.items()}
