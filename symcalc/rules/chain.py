"""The chain rules (R10–R12), applied by the engine when it combines local derivatives."""
from __future__ import annotations

from dataclasses import dataclass

from .. import expr as E
from .base import Rule


@dataclass(frozen=True)
class Chain(Rule):
    """dy/dx = dy/du du/dx"""

    def example(self):
        x = E.scalar("x")
        return E.apply("sin", x**2), x


@dataclass(frozen=True)
class Total(Rule):
    """∂f/∂x = Σᵢ ∂f/∂uᵢ ∂uᵢ/∂x"""

    def example(self):
        x = E.scalar("x")
        return E.apply("sin", x + x**2), x


@dataclass(frozen=True)
class VectorChain(Rule):
    """∂f(g(x))/∂x = ∂f/∂g ∂g/∂x"""

    def example(self):
        w, x, z = E.vector("w"), E.vector("x"), E.scalar("z")
        return E.relu(w @ x + z), w


CHAIN = Chain("chain", "R10", "single-variable chain rule", "dy/dx = dy/du du/dx", "chain")
TOTAL = Total("total", "R11", "total-derivative chain rule", "∂f/∂x = Σᵢ ∂f/∂uᵢ ∂uᵢ/∂x", "chain")
VECTOR_CHAIN = VectorChain("vector_chain", "R12", "vector chain rule", "∂f(g(x))/∂x = ∂f/∂g ∂g/∂x", "chain")
