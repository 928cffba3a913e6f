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
        spread = _spread_product(e, d.x)
        if spread is not None:  # diag(a) r = a ⊗ r: a column again, whose Jacobian the vector rules give
            return d(spread)
        return E.add(*(self.term(d, e, i) for i, f in enumerate(factors) if E.depends(f, d.x)))

    def term(self, d, e, i):
        """The product with factor i differentiated, the others held."""
        f, left, right = e.items[i], e.items[:i], e.items[i + 1 :]
        if f.shape[1] == 1:  # a column: the rest on the right is a 1×1 factor (x (uᵀv): one scaling, not a product)
            return mm(*left, d(f), mm(*right)) if right else mm(*left, d(f))
        if f.shape[0] == 1:  # a row meeting a column: a dot product (R9)
            d.use(DOT)
            rest = mm(*right) if right else E.one()
            return mm(*left, E.transpose(rest), d(f))
        raise UnsupportedError(f"the product {e} depends on {d.x.name} through the matrix {f} "
                               f"({fmt_shape(f.shape)}); its derivative is a tensor")

    def example(self):
        A, x = E.matrix("A", "m", "n"), E.vector("x")
        return A @ x, x


def _spread_product(e, x):
    """The column ``e`` (a product) with its first matrix factor that depends on x multiplied into the
    column on its right: diag(a) r = a ⊗ r, sums distributed, scalings kept, products applied right to
    left; None where there is no such factor, or where it is not built that way (a tensor, refused)."""
    for i, f in enumerate(e.items):
        if f.shape[0] != 1 and f.shape[1] != 1 and E.depends(f, x):
            column = _times(f, mm(*e.items[i + 1:]), x) if i + 1 < len(e.items) else None
            return None if column is None else mm(*e.items[:i], column)
    return None


def _times(f, r, x):
    """F r for a matrix F and a column r, written without F where F depends on x; None if it cannot be."""
    if f.shape[0] == 1 or f.shape[1] == 1 or not E.depends(f, x):
        return mm(f, r)
    if isinstance(f, E.Transpose):
        g = f.arg
        if isinstance(g, E.Diag):
            return _times(g, r, x)
        if isinstance(g, (E.Add, E.Mul)):  # (A + B)ᵀ = Aᵀ + Bᵀ, (cA)ᵀ = c Aᵀ
            return _times(type(g)(tuple(E.transpose(t) for t in g.items), f.shape), r, x)
        if isinstance(g, E.MatMul):  # (AB)ᵀ = BᵀAᵀ
            return _times(mm(*(E.transpose(t) for t in reversed(g.items))), r, x)
        return None
    if isinstance(f, E.Diag):
        return E.mul(f.arg, r)
    if isinstance(f, E.Identity):
        return r
    if isinstance(f, E.Add):
        if any(t.shape != f.shape for t in f.items):  # diag(u) + 2 adds 2 to every entry (2·1⃗1⃗ᵀ, not 2I)
            return None
        terms = [_times(t, r, x) for t in f.items]
        return None if any(t is None for t in terms) else E.add(*terms)
    if isinstance(f, E.Mul):  # scalars times one matrix
        scalars, (matrix, *rest) = [t for t in f.items if t.is_scalar], [t for t in f.items if not t.is_scalar]
        inner = None if rest else _times(matrix, r, x)
        return None if inner is None else E.mul(*scalars, inner)
    if isinstance(f, E.MatMul):
        for g in reversed(f.items):
            r = _times(g, r, x)
            if r is None:
                return None
        return r
    return None


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
