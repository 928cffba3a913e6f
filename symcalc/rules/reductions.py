"""Vector reductions and the dot product (R8–R9)."""
from __future__ import annotations

from dataclasses import dataclass

from .. import expr as E
from .base import Rule, mm


@dataclass(frozen=True)
class SumReduction(Rule):
    """∂sum(f(x))/∂x = 1⃗ᵀ ∂f/∂x"""

    nodes = (E.Sum,)

    def jacobian(self, d, e):
        d.use(self)
        return mm(E.ones(d.out(e.arg)).T, d(e.arg))

    def example(self):
        x, z = E.vector("x"), E.scalar("z")
        return E.sum_(x * z), x


@dataclass(frozen=True)
class Dot(Rule):
    """w·x = sum(w ⊗ x): ∂/∂w = xᵀ, ∂/∂x = wᵀ"""

    nodes = (E.Dot,)

    def jacobian(self, d, e):
        d.use(self)
        terms = []
        if E.depends(e.left, d.x):
            terms.append(mm(E.transpose(e.right), d(e.left)))
        if E.depends(e.right, d.x):
            terms.append(mm(E.transpose(e.left), d(e.right)))
        return E.add(*terms)

    def example(self):
        w, x = E.vector("w"), E.vector("x")
        return w @ x, w


SUM_REDUCTION = SumReduction("sum_reduction", "R8", "vector sum reduction", "∂sum(f(x))/∂x = 1⃗ᵀ ∂f/∂x",
                             "reductions")
DOT = Dot("dot", "R9", "dot product", "w·x = sum(w ⊗ x): ∂/∂w = xᵀ, ∂/∂x = wᵀ", "reductions")
