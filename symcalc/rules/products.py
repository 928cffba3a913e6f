"""Beyond the paper: the matrix–vector product, the transpose, and the trace rule for matrices."""
from __future__ import annotations

from dataclasses import dataclass

from .. import expr as E
from ..errors import UnsupportedError
from ..shapes import ONE, fmt_shape, is_row
from .base import Rule, mm
from .reductions import DOT
from .scalar import PRODUCT


@dataclass(frozen=True)
class Matvec(Rule):
    """∂(Av)/∂v = A, ∂(uᵀv)/∂u = vᵀ; by a scalar, the product rule through the factors."""

    nodes = (E.MatMul,)

    def jacobian(self, d, e):
        factors = e.items
        if d.x.is_scalar:  # by a scalar each factor's derivative keeps its shape: (ABc)' = A'Bc + AB'c + ABc'
            d.use(PRODUCT)
            prod = d.product_by_scalar(e)
            return E.transpose(prod) if is_row(e.shape) else prod
        if is_row(e.shape):  # (ABc)ᵀ = cᵀBᵀAᵀ: differentiate the column with the same elements
            return d(E.MatMul(tuple(E.transpose(f) for f in reversed(factors)), (e.shape[1], ONE)))
        d.use(self)
        return E.add(*(self.term(d, e, i) for i, f in enumerate(factors) if E.depends(f, d.x)))

    def term(self, d, e, i):
        """The product with factor i differentiated, the others held."""
        f, left, right = e.items[i], e.items[:i], e.items[i + 1 :]
        if f.shape[1] == 1:  # a column: the rest on the right is a 1×1 factor
            return mm(*left, d(f), *right)
        if f.shape[0] == 1:  # a row meeting a column: a dot product (R9)
            d.use(DOT)
            rest = mm(*right) if right else E.one()
            return mm(*left, E.transpose(rest), d(f))
        raise UnsupportedError(f"the product {e} depends on {d.x.name} through the matrix {f} "
                               f"({fmt_shape(f.shape)}); its derivative is a tensor")

    def example(self):
        A, x = E.matrix("A", "m", "n"), E.vector("x")
        return A @ x, x


@dataclass(frozen=True)
class Transpose(Rule):
    """∂xᵀ/∂x lists the same elements as ∂x/∂x"""

    nodes = (E.Transpose,)

    def jacobian(self, d, e):
        d.use(self)
        return d(e.arg)

    def example(self):
        w = E.vector("w")
        return w.T, w


@dataclass(frozen=True)
class Trace(Rule):
    """z = Wb: df = ∂f/∂z dW b = tr(b ∂f/∂z dW), so ∂f/∂W = b ∂f/∂z (applied by :mod:`symcalc.matrixgrad`)."""

    def example(self):
        A, x = E.matrix("A", "m", "n"), E.vector("x")
        return E.vector("y", "m") @ (A @ x), A


MATVEC = Matvec("matvec", "", "matrix–vector product", "∂(Av)/∂v = A, ∂(uᵀv)/∂u = vᵀ", "beyond")
TRANSPOSE = Transpose("transpose", "", "transpose", "∂xᵀ/∂x lists the same elements as ∂x/∂x", "beyond")
TRACE = Trace("trace", "", "trace rule for matrices",
              "z = Wb: df = ∂f/∂z dW b = tr(b ∂f/∂z dW), so ∂f/∂W = b ∂f/∂z", "beyond")
