"""Element-wise operations (R5–R7): the rules the scalar rules cite when their operands are vectors.

The Jacobians of +, ⊗, ⊘, powers and functions are computed by the scalar rules' objects
(:mod:`.scalar`), which cite these when the node is element-wise; the indicator [x > 0] is
differentiated here.
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import expr as E
from .base import Rule


@dataclass(frozen=True)
class Elementwise(Rule):
    """∂(f(w) ○ g(x))/∂w = diag(∂(fᵢ ○ gᵢ)/∂wᵢ)"""

    def example(self):
        w, x = E.vector("w"), E.vector("x")
        return w * x, w


@dataclass(frozen=True)
class ElementwiseUnary(Rule):
    """∂f(x)/∂x = diag(f′(xᵢ))"""

    def example(self):
        x = E.vector("x")
        return E.apply("exp", x), x


@dataclass(frozen=True)
class ElementwiseMax(Rule):
    """∂max(0, x)/∂x = diag([xᵢ > 0])"""

    def example(self):
        x = E.vector("x")
        return E.relu(x), x


@dataclass(frozen=True)
class ScalarExpansion(Rule):
    """∂(x + z)/∂z = 1⃗, ∂(xz)/∂x = Iz, ∂(xz)/∂z = x"""

    def example(self):
        x, z = E.vector("x"), E.scalar("z")
        return x * z, z


@dataclass(frozen=True)
class PiecewiseConstant(Rule):
    """d/dx [x > 0] = 0 and d/dx sign(x) = 0 away from 0"""

    nodes = (E.Step,)

    def jacobian(self, d, e):
        d.use(self)
        return E.zero((d.out(e), d.n))

    def example(self):
        x, z = E.scalar("x"), E.scalar("z")
        return E.Step(z, z.shape) * x, z


ELEMENTWISE = Elementwise("elementwise", "R5", "element-wise diagonal",
                          "∂(f(w) ○ g(x))/∂w = diag(∂(fᵢ ○ gᵢ)/∂wᵢ)", "elementwise")
ELEMENTWISE_UNARY = ElementwiseUnary("elementwise_unary", "R6", "element-wise function", "∂f(x)/∂x = diag(f′(xᵢ))",
                                     "elementwise")
ELEMENTWISE_MAX = ElementwiseMax("elementwise_max", "R6", "element-wise max(0, ·)", "∂max(0, x)/∂x = diag([xᵢ > 0])",
                                 "elementwise")
SCALAR_EXPANSION = ScalarExpansion("scalar_expansion", "R7", "scalar expansion",
                                   "∂(x + z)/∂z = 1⃗, ∂(xz)/∂x = Iz, ∂(xz)/∂z = x", "expansion")
PIECEWISE_CONSTANT = PiecewiseConstant("piecewise_constant", "", "piecewise constant",
                                       "d/dx [x > 0] = 0 and d/dx sign(x) = 0 away from 0", "beyond")
