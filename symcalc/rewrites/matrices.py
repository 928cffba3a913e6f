"""Rewrites of the matrix world: all-ones factors, a scalar cancelled against its quotient, traces.

Each holds for every value of its operands (the all-ones matrix is the identity of ⊗ for operands
of its shape; f ⊗ (a ⊘ f) = a wherever the quotient is defined, and for a scalar s also through
products and transposes, which are linear: s ((a ⊘ s) B)ᵀ = (a B)ᵀ, so ‖r‖ ((rᵀ ⊘ ‖r‖) A) = rᵀA).
"""
from __future__ import annotations

import sympy

from .. import expr as E
from ..expr import matrixnodes as M
from ..shapes import ONE
from .core import rewrite
from .matmul import _pairwise


def all_ones(f) -> bool:
    """1⃗, 1⃗ᵀ or 1⃗1⃗ᵀ: every element 1."""
    if isinstance(f, E.Ones) or (isinstance(f, E.Transpose) and isinstance(f.arg, E.Ones)):
        return True
    return isinstance(f, E.MatMul) and all(all_ones(g) for g in f.items)


@rewrite(E.Mul, "mul.all_ones", "(1⃗1⃗ᵀ) ⊗ A = A, 1⃗ᵀ ⊗ aᵀ = aᵀ")
def _mul_all_ones(e):
    full = [f for f in e.items if f.shape == e.shape]
    drop = [f for f in full if all_ones(f)]
    if not drop or len(full) < 2:
        return None
    if len(drop) == len(full):
        drop = drop[1:]  # an all-ones operand times an all-ones operand keeps one
    kept = [f for f in e.items if not any(f is d for d in drop)]
    return kept[0] if len(kept) == 1 else E.Mul(tuple(kept), e.shape)


@rewrite(E.Mul, "mul.cancel_quotient", "s (A ⊘ s) = A for a scalar s")
def _mul_cancel_quotient(e):
    for i, f in enumerate(e.items):
        if isinstance(f, E.Div) and f.right.is_scalar and not f.right == E.Const(sympy.Integer(0)):
            rest = e.items[:i] + e.items[i + 1:]
            for j, g in enumerate(rest):
                if g == f.right:
                    kept = (*rest[:j], *rest[j + 1:], f.left)
                    return E.mul(*kept)
    return None


_LINEAR = (E.MatMul, E.Transpose, E.Mul)  # s (P Q)ᵀ = ((s P) Q)ᵀ: each is linear in each operand


def _unquoted(f, s):
    """``f`` with one quotient A ⊘ s inside it read as A, or None; only a quotient that ``f`` is linear
    in (reached through products and transposes) can take the scalar s in from outside."""
    if isinstance(f, E.Div) and f.right == s and f.left.shape == f.shape:
        return f.left
    if not isinstance(f, _LINEAR):
        return None  # s exp(A ⊘ s), s (A ⊘ s + B): s does not move inside
    for i, a in enumerate(f.args):
        new = _unquoted(a, s)
        if new is not None:
            return f.rebuild(f.args[:i] + (new,) + f.args[i + 1:])
    return None


@rewrite(E.Mul, "mul.cancel_quotient_inside", "s ((A ⊘ s) B)ᵀ = (A B)ᵀ for a scalar s: through products and transposes")
def _mul_cancel_quotient_inside(e):
    for i, s in enumerate(e.items):
        if not s.is_scalar or s == E.Const(sympy.Integer(0)):
            continue  # a vector s cancels only element by element, which mul.cancel_quotient does not do either
        rest = e.items[:i] + e.items[i + 1:]
        for j, f in enumerate(rest):
            new = _unquoted(f, s) if isinstance(f, _LINEAR) else None
            if new is not None:
                return E.mul(*rest[:j], new, *rest[j + 1:])
    return None


@rewrite(M.Trace, "trace.identity", "tr(I) = n")
def _trace_identity(e):
    if isinstance(e.arg, E.Identity):
        return E.Const(sympy.sympify(e.arg.shape[0]))
    return None


@rewrite(M.Trace, "trace.transpose", "tr(Aᵀ) = tr(A)")
def _trace_transpose(e):
    if isinstance(e.arg, E.Transpose):
        return M.Trace(e.arg.arg)
    return None



def _label_rows(left, right):
    """Y1⃗ = 1⃗ and 1⃗ᵀYᵀ = 1⃗ᵀ for a one-hot matrix Y (a vector's 1⃗ᵀy becomes sum(y) first)."""
    if E.is_onehot(left) and isinstance(right, E.Ones) and left.shape[1] != ONE:
        return E.Ones((left.shape[0], ONE))
    if isinstance(left, E.Transpose) and isinstance(left.arg, E.Ones) and isinstance(right, E.Transpose) \
            and E.is_onehot(right.arg) and right.arg.shape[1] != ONE:
        return E.transpose(E.Ones((right.arg.shape[0], ONE)))
    return None


_pairwise("matmul.onehot", "Y1⃗ = 1⃗ for a one-hot Y (each row sums to 1)", _label_rows)


@rewrite(E.Sum, "sum.onehot", "sum(y) = 1 and sum(Y) = N for one-hot labels")
def _sum_onehot(e):
    y = e.arg
    if not E.is_onehot(y):
        return None
    return E.one() if y.shape[1] == ONE else E.Const(sympy.sympify(y.shape[0]))
