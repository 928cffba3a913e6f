"""The rewrites of transposes (Transpose) and diagonal matrices (Diag)."""
from __future__ import annotations

from .. import expr as E
from .core import rewrite


@rewrite(E.Transpose, "transpose.product", "(Aᵀx)ᵀ = xᵀA, where that leaves fewer transposes")
def _transpose_product(e):
    a = e.arg
    if isinstance(a, E.MatMul):
        before = 1 + sum(isinstance(f, E.Transpose) for f in a.items)
        after = sum(not isinstance(f, E.Transpose) for f in a.items)
        if after < before:
            return E.MatMul(tuple(E.transpose(f) for f in reversed(a.items)), e.shape)
    return None


@rewrite(E.Transpose, "transpose.symmetric", "diag(v)ᵀ = diag(v), Iᵀ = I")
def _transpose_symmetric(e):
    return e.arg if isinstance(e.arg, (E.Diag, E.Identity)) else None


@rewrite(E.Transpose, "transpose.zero", "0ᵀ = 0")
def _transpose_zero(e):
    return E.zero(e.shape) if isinstance(e.arg, E.Zero) else None


@rewrite(E.Transpose, "transpose.scalars", "(c ⊗ v)ᵀ = c vᵀ")
def _transpose_scalars(e):
    a = e.arg
    if isinstance(a, E.Mul) and any(f.is_scalar for f in a.items):
        scalars = [f for f in a.items if f.is_scalar]
        rest = [f for f in a.items if not f.is_scalar]
        return E.mul(*scalars, E.transpose(E.mul(*rest)))
    return None


@rewrite(E.Diag, "diag.ones", "diag(1⃗) = I")
def _diag_ones(e):
    return E.Identity(e.shape) if isinstance(e.arg, E.Ones) else None


@rewrite(E.Diag, "diag.zero", "diag(0⃗) = 0")
def _diag_zero(e):
    return E.zero(e.shape) if isinstance(e.arg, E.Zero) else None


@rewrite(E.Diag, "diag.scaled_ones", "diag(c 1⃗) = c I")
def _diag_scaled_ones(e):
    a = e.arg
    if isinstance(a, E.Mul) and sum(not f.is_scalar for f in a.items) == 1 and any(isinstance(f, E.Ones) for f in a.items):
        return E.mul(*(f for f in a.items if f.is_scalar), E.Identity(e.shape))
    return None
