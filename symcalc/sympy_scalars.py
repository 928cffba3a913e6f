"""Scalar pieces of an expression to sympy and back, for simplification (sympy is good at that).

Anything with vectors inside is carried through as an opaque symbol. (The conversion of a whole
closed form for users is :mod:`symcalc.sympy_export`.)

>>> from symcalc.expr import scalar
>>> x = scalar("x")
>>> print(from_sympy(*scalar_to_sympy(x * x ** 2)))
x³
"""
from __future__ import annotations

import sympy

from . import expr as E
from .errors import UnsupportedError
from .functions import FUNCTIONS, SYMPY_NAMES
from .visitor import Visitor, on

_STRUCTURAL = (E.Add, E.Mul, E.Div, E.Pow, E.Func, E.Max, E.Step, E.Const, E.Var)


def is_structural_scalar(e) -> bool:
    """A scalar node sympy can see into (its children are scalars too)."""
    return e.is_scalar and isinstance(e, _STRUCTURAL) and all(a.is_scalar for a in e.args)


class _ToScalar(Visitor):
    what = "conversion of scalars to sympy"

    real: dict = {}  # assumptions of the opaque symbols (the scalar pieces' kept sympy's defaults)

    def __init__(self):
        self.back: dict = {}  # sympy symbol → symcalc expression

    def __call__(self, e):
        if not is_structural_scalar(e):
            return self.opaque(e)
        return self.visit(e)

    def opaque(self, e):
        for s, v in self.back.items():
            if v == e:
                return s
        s = sympy.Dummy(f"o{len(self.back)}", **self.real)
        self.back[s] = e
        return s

    @on(E.Var)
    def _Var(self, e):
        s = sympy.Symbol(e.name, real=True)  # so sympy does not bring in re() and im()
        self.back[s] = e
        return s

    @on(E.Const)
    def _Const(self, e):
        return e.value

    @on(E.Add)
    def _Add(self, e):
        return sympy.Add(*map(self, e.items))

    @on(E.Mul)
    def _Mul(self, e):
        return sympy.Mul(*map(self, e.items))

    @on(E.Div)
    def _Div(self, e):
        return self(e.left) / self(e.right)

    @on(E.Pow)
    def _Pow(self, e):
        return sympy.Pow(self(e.left), self(e.right))

    @on(E.Func)
    def _Func(self, e):
        return FUNCTIONS[e.name].sympy(self(e.arg))

    @on(E.Max)
    def _Max(self, e):
        return sympy.Max(self(e.left), self(e.right))

    @on(E.Step)
    def _Step(self, e):
        return sympy.Heaviside(self(e.arg), 0)


def scalar_to_sympy(e):
    """(sympy expression, map back) for a scalar expression."""
    conv = _ToScalar()
    return conv(e), conv.back


def from_sympy(s, back: dict) -> E.Expr:
    """Rebuild a symcalc expression from what :func:`scalar_to_sympy` produced."""
    if s in back:
        return back[s]
    if s.is_Number:
        return E.Const(s)
    if s.is_Add:
        return E.add(*(from_sympy(a, back) for a in _ordered(s.args)))
    if s.is_Mul:
        return E.mul(*(from_sympy(a, back) for a in s.as_ordered_factors()))
    if s.is_Pow:
        base, k = from_sympy(s.base, back), from_sympy(s.exp, back)
        if k == E.Const(sympy.Rational(1, 2)):
            return E.apply("sqrt", base)
        return E.power(base, k)
    if isinstance(s, sympy.Heaviside):
        arg = from_sympy(s.args[0], back)
        return E.Step(arg, arg.shape)
    if isinstance(s, sympy.Max) and len(s.args) == 2:
        return E.maximum(*(from_sympy(a, back) for a in s.args))
    if isinstance(s, sympy.Function) and s.func in SYMPY_NAMES:
        return E.apply(SYMPY_NAMES[s.func], from_sympy(s.args[0], back))
    if s.is_Symbol:  # sizes such as n (from sum(1⃗) = n) stay numbers-like constants
        return E.Const(s)
    raise UnsupportedError(f"cannot bring sympy's {s} back into symcalc")


def _ordered(args):
    """Terms with a positive lead first, so 1 + 2x rather than −x + 1 style where possible."""
    return sorted(args, key=lambda a: (a.could_extract_minus_sign(), sympy.default_sort_key(a)))


_ELEMENTWISE = (E.Add, E.Mul, E.Div, E.Pow, E.Func, E.Max, E.Step)


def is_elementwise(e) -> bool:
    """A vector or matrix node computed entry by entry from operands of its shape and scalars."""
    return (not e.is_scalar and isinstance(e, _ELEMENTWISE)
            and all(a.is_scalar or a.shape == e.shape for a in e.args))


class _ToElementwise(_ToScalar):
    """An element-wise tree as one entry of it: each operand of its shape that is not element-wise
    (a product XW, a variable y) is one symbol, so sympy's algebra holds entry by entry."""

    what = "conversion of element-wise pieces to sympy"

    def __call__(self, e):
        if is_elementwise(e) or is_structural_scalar(e):
            return self.visit(e)
        return self.opaque(e)

    real = {"real": True}  # entries are real: no re() and im()

    @on(E.Var)
    def _Var(self, e):
        return super()._Var(e) if e.is_scalar else self.opaque(e)


def elementwise_to_sympy(e):
    """(sympy expression of one entry, map back) for an element-wise tree."""
    conv = _ToElementwise()
    return conv(e), conv.back
