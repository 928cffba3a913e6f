"""Gradients and Jacobians (R3–R4): the identity, and vectors written out element by element."""
from __future__ import annotations

from dataclasses import dataclass

from .. import expr as E
from ..errors import UnsupportedError
from ..shapes import ONE
from .base import Rule


def _xy():
    return E.scalar("x"), E.scalar("y")


@dataclass(frozen=True)
class Gradient(Rule):
    """∇f = [∂f/∂x₁, …, ∂f/∂xₙ]"""

    def example(self):
        x, y = _xy()
        return 3 * x**2 * y, [x, y]


@dataclass(frozen=True)
class Jacobian(Rule):
    """J = [∇f₁; …; ∇fₘ], m×n: a vector written out is differentiated row by row; gᵢ is row i."""

    nodes = (E.Block, E.Index)

    def jacobian(self, d, e):
        return self.block(d, e) if isinstance(e, E.Block) else self.row(d, e)

    def block(self, d, e):
        d.use(self)
        items = list(e.args)
        if d.x.is_scalar:
            return E.stack([d(item) for item in items])
        if not d.n.is_Integer:
            raise UnsupportedError(f"a vector written out element by element, {e}, needs {d.x.name} of concrete size")
        k = int(d.n)
        rows = [_row_entries(d(item), k) for item in items]
        if any(r is None for r in rows):
            raise UnsupportedError(f"cannot write the Jacobian of {e} with respect to {d.x.name} element by element")
        return E.block(rows)

    def row(self, d, e):
        """∂gᵢ/∂x is row i of ∂g/∂x, which must be written out to take it."""
        if e.arg == d.x:
            return E.block([[1 if j == e.i else 0 for j in range(int(d.n))]])
        from ..simplify import simplify

        whole = simplify(d(e.arg))
        if isinstance(whole, E.Block):
            return E.block([list(whole.rows[e.i])])
        if isinstance(whole, E.Zero):
            return E.zero((ONE, d.n))
        raise UnsupportedError(f"cannot take row {e.i + 1} of the Jacobian of {e.arg}")

    def example(self):
        x, y = _xy()
        return E.stack([3 * x**2 * y, 2 * x + y**8]), [x, y]


def _row_entries(row, k):
    """The k scalar entries of a 1×k Jacobian row, or None if it is not written out."""
    from ..simplify import simplify

    row = simplify(row)
    if isinstance(row, E.Block):
        return list(row.rows[0])
    if isinstance(row, E.Zero):
        return [E.zero()] * k
    return None


@dataclass(frozen=True)
class Identity(Rule):
    """∂x/∂x = I"""

    nodes = (E.Var,)

    def jacobian(self, d, e):
        d.use(self)
        return E.one() if d.x.is_scalar else E.identity(d.n)

    def example(self):
        x = E.vector("x")
        return x, x


GRADIENT = Gradient("gradient", "R3", "gradient", "∇f = [∂f/∂x₁, …, ∂f/∂xₙ]", "gradients")
JACOBIAN = Jacobian("jacobian", "R4", "Jacobian", "J = [∇f₁; …; ∇fₘ], m×n", "gradients")
IDENTITY = Identity("identity", "R4", "identity", "∂x/∂x = I", "gradients")
