"""The rewrites of quotients (Div) and powers (Pow)."""
from __future__ import annotations

import sympy

from .. import expr as E
from .core import _ONE, expand_to, rewrite


@rewrite(E.Div, "div.zero", "0 ⊘ b = 0")
def _div_zero(e):
    return E.zero(e.shape) if isinstance(e.left, E.Zero) else None


@rewrite(E.Div, "div.one", "a ⊘ 1 = a")
def _div_one(e):
    return expand_to(e.left, e.shape) if e.right == _ONE else None


@rewrite(E.Div, "div.constant", "a ⊘ c = (1/c) a")
def _div_constant(e):
    a, b = e.left, e.right
    if isinstance(b, E.Const) and b.value != 0 and a.shape == e.shape:
        return E.mul(E.Const(1 / b.value), a)
    return None


@rewrite(E.Pow, "pow.one", "a¹ = a")
def _pow_one(e):
    return e.left if e.right == _ONE else None


@rewrite(E.Pow, "pow.zero", "a⁰ = 1")
def _pow_zero(e):
    return expand_to(_ONE, e.shape) if e.right == E.Const(sympy.Integer(0)) else None


@rewrite(E.Pow, "pow.constants", "2³ = 8")
def _pow_constants(e):
    if isinstance(e.left, E.Const) and isinstance(e.right, E.Const):
        return E.Const(e.left.value**e.right.value)
    return None
