"""The rewrites of reductions: sums of entries (Sum) and dot products (Dot)."""
from __future__ import annotations

from .. import expr as E
from ..shapes import is_column
from .core import rewrite, unmask_relu


@rewrite(E.Sum, "sum.zero", "sum(0⃗) = 0")
def _sum_zero(e):
    return E.zero() if isinstance(e.arg, E.Zero) else None


@rewrite(E.Sum, "sum.ones", "sum(1⃗) = n")
def _sum_ones(e):
    return E.Const(e.arg.shape[0] * e.arg.shape[1]) if isinstance(e.arg, E.Ones) else None


@rewrite(E.Sum, "sum.dot", "sum(c ⊗ u ⊗ v) = c u·v")
def _sum_dot(e):
    a = e.arg
    if isinstance(a, E.Mul):
        vecs = [f for f in a.items if not f.is_scalar]
        if len(vecs) == 2 and all(is_column(v.shape) for v in vecs):
            return E.mul(*(f for f in a.items if f.is_scalar), E.dot(*vecs))
    return None


def _outer_pair(f):
    """(u, r) of an outer product u r, a column times a row, else None."""
    if isinstance(f, E.MatMul) and len(f.items) == 2:
        u, r = f.items
        if is_column(u.shape) and r.shape[0] == E.ONE and r.shape[1] != E.ONE:
            return u, r
    return None


@rewrite(E.Sum, "sum.outer", "sum(c ⊗ (u vᵀ) ⊗ Q) = c uᵀQv")
def _sum_outer(e):
    a = e.arg
    if not isinstance(a, E.Mul):
        return None
    big = [f for f in a.items if not f.is_scalar]
    pairs = [_outer_pair(f) for f in big]
    if len(big) != 2 or not any(pairs):
        return None
    i = 0 if pairs[0] else 1
    (u, r), Q = pairs[i], big[1 - i]
    return E.mul(*(f for f in a.items if f.is_scalar), E.matmul(E.matmul(E.transpose(u), Q), E.transpose(r)))


@rewrite(E.Sum, "sum.scalars", "sum(c ⊗ v) = c sum(v)")
def _sum_scalars(e):
    a = e.arg
    if isinstance(a, E.Mul):
        scalars = [f for f in a.items if f.is_scalar]
        vecs = [f for f in a.items if not f.is_scalar]
        if scalars and len(vecs) == 1:
            return E.mul(*scalars, E.sum_(vecs[0]))
    return None


@rewrite(E.Dot, "dot.mask_relu", "[a > 0]·f(max(0, a)) = [a > 0]·f(a), along element-wise structure only")
def _dot_mask_relu(e):
    return E.Dot(*unmask_relu([e.left, e.right]))


@rewrite(E.Dot, "dot.zero", "0⃗·v = 0")
def _dot_zero(e):
    return E.zero() if isinstance(e.left, E.Zero) or isinstance(e.right, E.Zero) else None


@rewrite(E.Dot, "dot.ones", "1⃗·v = sum(v)")
def _dot_ones(e):
    if isinstance(e.left, E.Ones):
        return E.sum_(e.right)
    if isinstance(e.right, E.Ones):
        return E.sum_(e.left)
    return None
