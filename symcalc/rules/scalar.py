"""Scalar rules (R1–R2), and the Jacobians of +, ⊗, ⊘, powers, functions and max of any shape.

Each node's Jacobian is computed by one object here; it cites itself for a scalar node and the
element-wise rule (:mod:`.elementwise`) when the node is a vector's, as the paper's tables do.
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import expr as E
from ..budget import spend
from ..functions import FUNCTIONS
from .base import Rule, mm
from .elementwise import ELEMENTWISE, ELEMENTWISE_MAX, ELEMENTWISE_UNARY, PIECEWISE_CONSTANT, SCALAR_EXPANSION


def _x():
    return E.scalar("x")


@dataclass(frozen=True)
class Constant(Rule):
    """d/dx c = 0"""

    def example(self):
        return _x() + 99, _x()


@dataclass(frozen=True)
class ConstantMultiple(Rule):
    """d/dx c f = c df/dx"""

    def example(self):
        return 3 * _x(), _x()


@dataclass(frozen=True)
class Power(Rule):
    """d/dx xᵏ = k xᵏ⁻¹ (element-wise for a vector base, R6); an exponent in x is the exponential rule."""

    nodes = (E.Pow,)

    def jacobian(self, d, e):
        a, k = e.left, e.right
        terms = []
        if E.depends(a, d.x):
            d.use(self if e.is_scalar else ELEMENTWISE_UNARY)
            factor = k * a ** (k - 1) if not isinstance(k, E.Const) else E.mul(k, E.power(a, E.Const(k.value - 1)))
            terms.append(d.scaled(factor, d(a), e))
        if E.depends(k, d.x):
            d.use(EXPONENTIAL)
            terms.append(d.scaled(e * E.apply("log", a), d(k), e))
        return E.add(*terms)

    def example(self):
        return _x() ** 3, _x()


@dataclass(frozen=True)
class SumRule(Rule):
    """d/dx (f + g) = df/dx + dg/dx (element-wise for vectors, R5; a scalar term expands, R7)."""

    nodes = (E.Add,)

    def jacobian(self, d, e):
        if sum(E.depends(t, d.x) for t in e.items) > 1:
            d.use(ELEMENTWISE if not e.is_scalar else self)
        terms = []
        for t in e.items:
            if not E.depends(t, d.x):
                if isinstance(t, E.Const):
                    d.use(CONSTANT)
                continue
            j = d(t)
            if t.is_scalar and not e.is_scalar:
                d.use(SCALAR_EXPANSION)
                j = mm(E.ones(d.out(e)), j)
            terms.append(j)
        return E.add(*terms)

    def example(self):
        return _x() ** 2 + 3 * _x(), _x()


@dataclass(frozen=True)
class Product(Rule):
    """d/dx fg = f dg/dx + g df/dx (element-wise ⊗ for vectors, R5; a scalar factor expands, R7)."""

    nodes = (E.Mul,)

    def jacobian(self, d, e):
        live = [i for i, f in enumerate(e.items) if E.depends(f, d.x)]
        d.use(self.cited(e, live))
        terms = []
        for i in live:
            spend(len(e.items))  # the product of the others is rebuilt for every live factor
            others = e.items[:i] + e.items[i + 1 :]
            terms.append(d.scaled(E.mul(*others) if others else E.one(), d(e.items[i]), e))
        return E.add(*terms)

    def cited(self, e, live):
        if len(live) == 1 and all(E.is_const(f) for i, f in enumerate(e.items) if i != live[0]):
            return CONSTANT_MULTIPLE
        if e.is_scalar:
            return self if len(live) > 1 else CONSTANT_MULTIPLE
        return ELEMENTWISE if all(not f.is_scalar for f in e.items) else SCALAR_EXPANSION

    def example(self):
        return _x() ** 2 * _x(), _x()


@dataclass(frozen=True)
class Quotient(Rule):
    """d/dx f/g = (g df/dx − f dg/dx)/g² (element-wise ⊘ for vectors, R5)."""

    nodes = (E.Div,)

    def jacobian(self, d, e):
        a, b = e.left, e.right
        d.use(ELEMENTWISE if not e.is_scalar else self if E.depends(b, d.x) else CONSTANT_MULTIPLE)
        terms = []
        if E.depends(a, d.x):
            terms.append(d.scaled(E.div(1, b), d(a), e))
        if E.depends(b, d.x):
            terms.append(d.scaled(-(a / b**2), d(b), e))
        return E.add(*terms)

    def example(self):
        return E.apply("sin", _x()) / _x(), _x()


@dataclass(frozen=True)
class Exponential(Rule):
    """d/dx a^g = a^g (ln a dg/dx + g/a da/dx)"""

    def example(self):
        return _x() ** _x(), _x()


@dataclass(frozen=True)
class Elementary(Rule):
    """d/dx f(x) = f′(x), f′ from the function's record (element-wise diag(f′(xᵢ)) for vectors, R6)."""

    nodes = (E.Func,)

    def jacobian(self, d, e):
        d.use(self if e.is_scalar else ELEMENTWISE_UNARY)
        if e.name in ("sign",):
            d.use(PIECEWISE_CONSTANT)
        return d.scaled(FUNCTIONS[e.name].derivative(e.arg), d(e.arg), e)

    def example(self):
        return E.apply("tanh", _x()), _x()


@dataclass(frozen=True)
class MaxScalar(Rule):
    """d/dz max(0, z) = [z > 0] (element-wise for vectors, R6); max(a, b) splits at a = b."""

    nodes = (E.Max,)

    def jacobian(self, d, e):
        a, b = e.left, e.right
        d.use(self if e.is_scalar else ELEMENTWISE_MAX)
        gap = b if a == E.zero() or a == E.Const(0) else b - a
        terms = []
        if E.depends(b, d.x):
            terms.append(d.scaled(E.Step(gap, gap.shape), d(b), e))
        if E.depends(a, d.x):
            terms.append(d.scaled(1 - E.Step(gap, gap.shape), d(a), e))
        return E.add(*terms)

    def example(self):
        z = E.scalar("z")
        return E.relu(z), z


@dataclass(frozen=True)
class Partial(Rule):
    """∂f/∂x holds the other variables constant"""

    def example(self):
        x, y = _x(), E.scalar("y")
        return 3 * x**2 * y, x


CONSTANT = Constant("constant", "R1", "constant rule", "d/dx c = 0", "scalar")
CONSTANT_MULTIPLE = ConstantMultiple("constant_multiple", "R1", "constant multiple rule", "d/dx c f = c df/dx",
                                     "scalar")
POWER = Power("power", "R1", "power rule", "d/dx xᵏ = k xᵏ⁻¹", "scalar")
SUM_RULE = SumRule("sum_rule", "R1", "sum rule", "d/dx (f + g) = df/dx + dg/dx", "scalar")
PRODUCT = Product("product", "R1", "product rule", "d/dx fg = f dg/dx + g df/dx", "scalar")
QUOTIENT = Quotient("quotient", "R1", "quotient rule", "d/dx f/g = (g df/dx − f dg/dx)/g²", "scalar")
EXPONENTIAL = Exponential("exponential", "R1", "exponential rule", "d/dx a^g = a^g (ln a dg/dx + g/a da/dx)",
                          "scalar")
ELEMENTARY = Elementary("elementary", "R1", "elementary function",
                        "d/dx f(x) = f′(x) (exp, ln, sin, cos, tanh, σ, ...)", "scalar")
MAX_SCALAR = MaxScalar("max_scalar", "R1", "max(0, ·) rule", "d/dz max(0, z) = [z > 0]", "scalar")
PARTIAL = Partial("partial", "R2", "partial derivative", "∂f/∂x holds the other variables constant", "gradients")
