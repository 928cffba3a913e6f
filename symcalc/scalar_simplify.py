"""Scalar pieces of an expression, simplified by sympy (it is good at that) and brought back.

Anything with vectors inside travels as an opaque symbol; the round trip is skipped where sympy
could combine nothing, because it costs more than the rest of a derivation.

>>> from symcalc.expr import scalar
>>> x = scalar("x")
>>> print(simplify_scalars(2 * x / x ** 2))
2/x
"""
from __future__ import annotations

import sympy

from . import expr as E
from .budget import spend
from .sympy_scalars import from_sympy, is_structural_scalar, scalar_to_sympy
from .errors import UnsupportedError


def simplify_scalars(e):
    """Every maximal scalar piece of ``e`` through sympy; vector structure is left as it is."""
    if is_structural_scalar(e) and e.args:
        return _sympy_simplify(e)
    if isinstance(e, E.Mul):
        scalars = [f for f in e.items if f.is_scalar]
        if len(scalars) > 1:
            rest = [simplify_scalars(f) for f in e.items if not f.is_scalar]
            return E.mul(_sympy_simplify(E.mul(*scalars)), *rest)
    if not e.args:
        return e
    return e.rebuild(tuple(simplify_scalars(a) for a in e.args))


SYMPY_MAX_DEPTH = 40  # sympy's printers and simplifiers recurse; deeper pieces stay as they are


def _worth_sympy(e) -> bool:
    """Only arithmetic sympy could combine is worth the round trip (it is not cheap)."""
    if E.depth(e) > SYMPY_MAX_DEPTH:
        return False
    for node in E.walk(e):
        if not is_structural_scalar(node):
            continue
        if isinstance(node, (E.Mul, E.Div, E.Pow)):
            return True
        if isinstance(node, E.Add) and (any(isinstance(t, E.Const) for t in node.items)
                                         or len(set(node.items)) < len(node.items)):
            return True
    return False


def _sympy_simplify(e):
    # Opaque parts (dot products, sums, ...) are simplified structurally on their own.
    if not _worth_sympy(e):
        return e.rebuild(tuple(simplify_scalars(a) for a in e.args)) if e.args else e
    spend(20 + 5 * len(set(E.walk(e))))  # a sympy round trip costs far more than a rewrite
    s, back = scalar_to_sympy(e)
    back = {k: simplify_scalars(v) for k, v in back.items()}
    for best in sorted(candidates(s), key=sympy.count_ops):
        try:
            return from_sympy(best, back)
        except UnsupportedError:  # sympy chose a form symcalc has no node for: try the next
            continue
    return e


FACTOR_MAX_OPS = 80
FACTOR_MAX_DEGREE = 12


def candidates(s, factor=True):
    yield s
    if sympy.count_ops(s) > FACTOR_MAX_OPS or not _cheap_to_factor(s):
        return
    yield sympy.cancel(s)
    if factor:
        yield sympy.factor(s)


def _cheap_to_factor(s) -> bool:
    """cancel and factor run polynomial algorithms whose cost grows with the degree: x^(x^x) or
    x^999 would take them seconds to minutes, for a form that reads no better."""
    return all(p.exp.is_Integer and abs(p.exp) <= FACTOR_MAX_DEGREE for p in s.atoms(sympy.Pow))
