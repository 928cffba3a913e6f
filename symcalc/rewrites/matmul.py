"""The rewrites of matrix products (MatMul): flattening, zeros, coefficients, identities, adjacent pairs."""
from __future__ import annotations

from .. import expr as E
from ..shapes import ONE, is_column
from .core import _ONE, _product, rewrite


def _coefficients(factors):
    """Pull 1×1 factors and scalar coefficients out of a matrix product."""
    coeff, body = [], []
    for f in factors:
        if f.is_scalar:
            coeff.append(f)
        elif isinstance(f, E.Mul) and sum(not g.is_scalar for g in f.items) == 1:
            coeff.extend(g for g in f.items if g.is_scalar)
            body.extend(g for g in f.items if not g.is_scalar)
        else:
            body.append(f)
    return coeff, body


@rewrite(E.MatMul, "matmul.flatten", "A (B C) = A B C")
def _matmul_flatten(e):
    if any(isinstance(f, E.MatMul) for f in e.items):
        return E.MatMul(tuple(g for f in e.items for g in (f.items if isinstance(f, E.MatMul) else (f,))), e.shape)
    return None


@rewrite(E.MatMul, "matmul.zero", "A 0 = 0")
def _matmul_zero(e):
    return E.zero(e.shape) if any(isinstance(f, E.Zero) for f in e.items) else None


@rewrite(E.MatMul, "matmul.coefficients", "A (c B) (uᵀv) = c (uᵀv) A B: 1×1 factors and coefficients move out")
def _matmul_coefficients(e):
    coeff, body = _coefficients(e.items)
    if not coeff:
        return None
    return E.mul(*coeff, _product(body or [_ONE], (body[0].shape[0], body[-1].shape[1]) if body else (ONE, ONE)))


@rewrite(E.MatMul, "matmul.identity", "I A = A")
def _matmul_identity(e):
    body = [f for f in e.items if not isinstance(f, E.Identity)]
    return _product(body or [e.items[0]], e.shape) if len(body) < len(e.items) else None


def _pairwise(name, formula, match):
    """Register a rewrite of the first adjacent pair (a, b) of a product that ``match`` rewrites."""

    def apply(e):
        items = list(e.items)
        for i in range(len(items) - 1):
            new = match(items[i], items[i + 1])
            if new is not None:
                return _product(items[:i] + [new] + items[i + 2 :], e.shape)
        return None

    rewrite(E.MatMul, name, formula)(apply)


def _col_row(a):
    """a = uᵀ for a column u."""
    return isinstance(a, E.Transpose) and is_column(a.arg.shape)


_pairwise("matmul.row_diag", "uᵀ diag(v) = (u ⊗ v)ᵀ",
          lambda a, b: E.transpose(E.mul(a.arg, b.arg)) if isinstance(b, E.Diag) and _col_row(a) else None)
_pairwise("matmul.diag_diag", "diag(u) diag(v) = diag(u ⊗ v)",
          lambda a, b: E.diag(E.mul(a.arg, b.arg)) if isinstance(a, E.Diag) and isinstance(b, E.Diag) else None)
_pairwise("matmul.diag_column", "diag(v) u = v ⊗ u",
          lambda a, b: E.mul(a.arg, b) if isinstance(a, E.Diag) and is_column(b.shape) else None)
_pairwise("matmul.ones_column", "1⃗ᵀ b = sum(b)",
          lambda a, b: E.sum_(b) if _col_row(a) and isinstance(a.arg, E.Ones) and is_column(b.shape) else None)
_pairwise("matmul.row_ones", "aᵀ 1⃗ = sum(a)",
          lambda a, b: E.sum_(a.arg) if _col_row(a) and isinstance(b, E.Ones) else None)
_pairwise("matmul.dot", "aᵀ b = a·b",
          lambda a, b: E.dot(a.arg, b) if _col_row(a) and is_column(b.shape) and a.arg.shape == b.shape else None)
