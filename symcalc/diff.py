"""Jacobians by the paper's rules, in numerator layout: ∂e/∂x is len(e)×len(x).

The :class:`Differ` is the context a rule works in (the variable, its length, the rules used);
the Jacobian of each node is computed by the rule object registered for the node's class
(:data:`symcalc.rules.JACOBIANS`), which cites itself or the case it applied. A node no rule
covers raises :class:`UnsupportedError`.

>>> from symcalc.expr import vector
>>> w, x = vector("w"), vector("x")
>>> d = Differ(w)
>>> print(d(w * x), [r.number for r in d.used])
diag(x) I ['R5', 'R4']
"""
from __future__ import annotations

from . import expr as E
from .budget import spend
from .errors import UnsupportedError
from .functions import FUNCTIONS
from .rules import JACOBIANS, col, mm  # noqa: F401 - col and mm are part of this module's API
from .rules.elementwise import ELEMENTWISE_UNARY, SCALAR_EXPANSION
from .rules.scalar import PRODUCT
from .shapes import fmt_shape, is_row, is_scalar, is_vectorish, length


class Differ:
    """Computes ∂e/∂x for one variable x, recording the rules used in ``self.used``."""

    def __init__(self, x: E.Var):
        if not is_vectorish(x.shape) or is_row(x.shape):
            raise UnsupportedError(
                f"differentiating with respect to {x.name} ({fmt_shape(x.shape)}) is not supported: "
                "symcalc differentiates with respect to scalars and column vectors"
            )
        self.x = x
        self.n = length(x.shape)
        self.used: list = []

    def use(self, rule):
        """Cite a rule object in the step being derived (once)."""
        if rule not in self.used:
            self.used.append(rule)

    def __call__(self, e: E.Expr) -> E.Expr:
        spend(1 + len(e.args))
        if not is_vectorish(e.shape) and self.x.is_scalar:  # a matrix by a scalar: a matrix, entry by entry
            return self.by_scalar(e)
        if not E.depends(e, self.x):
            return E.zero((self.out(e), self.n))
        if not is_vectorish(e.shape):
            raise UnsupportedError(
                f"the derivative of the matrix-valued {e} ({fmt_shape(e.shape)}) with respect to "
                f"{self.x.name} is a tensor; symcalc handles scalar- and vector-valued expressions"
            )
        rule = JACOBIANS.get(type(e))
        if rule is None:
            raise self.unsupported(e)
        return rule.jacobian(self, e)

    def unsupported(self, e):
        try:
            shown = f" {e}"
        except UnsupportedError:  # a node the printer does not know either
            shown = ""
        return UnsupportedError(f"no rule differentiates {type(e).__name__} node{shown}")

    def out(self, e):
        if not is_vectorish(e.shape):
            return e.shape[0] * e.shape[1]
        return length(e.shape)

    def by_scalar(self, e):
        """de/dx for a scalar x, of e's own shape: (AB)' = A'B + AB', (A ⊗ B)' = A' ⊗ B + A ⊗ B', (Aᵀ)' = A'ᵀ."""
        if not E.depends(e, self.x):
            return E.zero(e.shape)
        if is_vectorish(e.shape):  # a row's Jacobian comes back as a column: turn it to the row's shape
            return E.transpose(self(e)) if is_row(e.shape) else self(e)
        live = [i for i, f in enumerate(e.args) if E.depends(f, self.x)]
        if isinstance(e, E.Add):
            return E.add(*(self.by_scalar(e.items[i]) for i in live))
        if isinstance(e, E.Transpose):
            return E.transpose(self.by_scalar(e.arg))
        if isinstance(e, E.Diag):  # diag(a)' = diag(a')
            return E.diag(self.by_scalar(e.arg))
        if isinstance(e, E.MatMul):
            return self.product_by_scalar(e)
        if isinstance(e, E.Mul):
            self.use(PRODUCT)
            return E.add(*(E.mul(*e.items[:i], self.by_scalar(e.items[i]), *e.items[i + 1 :]) for i in live))
        if isinstance(e, E.Func):
            self.use(ELEMENTWISE_UNARY)
            return E.mul(FUNCTIONS[e.name].derivative(e.arg), self.by_scalar(e.arg))
        raise UnsupportedError(f"no rule differentiates the matrix {e} ({fmt_shape(e.shape)}) by the scalar "
                               f"{self.x.name} ({type(e).__name__} of a matrix)")

    def product_by_scalar(self, e):
        """The product rule through a matrix product, each factor's derivative of its own shape."""
        f = e.items
        return E.add(*(mm(*f[:i], self.by_scalar(f[i]), *f[i + 1 :]) for i in range(len(f)) if E.depends(f[i], self.x)))

    # -- lifting a factor's Jacobian by the product of the others (R5, R7)
    def scaled(self, other, inner, e):
        """∂(other ⊙ f)/∂x from inner = ∂f/∂x, with scalar expansion either way (R5, R7)."""
        if is_scalar(other.shape):
            return inner if other == E.one() else E.mul(other, inner)
        if inner.shape[0] == 1:  # f is a scalar spread over the vector
            self.use(SCALAR_EXPANSION)
            return mm(col(other), inner)
        return mm(E.diag(col(other)), inner)


def jacobian(e: E.Expr, x: E.Var):
    """Raw ∂e/∂x and the rules used."""
    d = Differ(x)
    return d(e), tuple(d.used)
