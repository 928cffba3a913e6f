"""Bring results to the paper's closed forms: 1⃗ᵀdiag(x) → xᵀ, I·A → A, 0 + x → x, ...

The rewrites themselves are named records in :mod:`symcalc.rewrites`; this module applies them
bottom-up until none applies. Every rewrite keeps the node's shape (checked, so a wrong rewrite
fails loudly instead of producing a wrong answer). Scalar pieces go to sympy.

>>> from symcalc.expr import vector, ones, diag, identity, scalar
>>> x, z = vector("x"), scalar("z")
>>> print(simplify(ones("n").T @ diag(x)))
xᵀ
>>> print(simplify(ones("n").T @ (z * identity("n"))))
z 1⃗ᵀ
"""
from __future__ import annotations

from . import expr as E
from .budget import spend
from .rewrites import rewrite_once
from .elementwise_simplify import simplify_elementwise
from .scalar_simplify import simplify_scalars

MAX_REWRITES = 200  # per node: a cycle between two rewrites would otherwise never end


def simplify(e: E.Expr) -> E.Expr:
    """Structural clean-up, then sympy on the scalar and element-wise pieces, then clean-up again."""
    e = normal_form(e)
    return normal_form(simplify_elementwise(simplify_scalars(e)))


def normal_form(e: E.Expr, done: set | None = None) -> E.Expr:
    """``e`` with no rewrite left to apply anywhere in it.

    ``done`` holds subtrees already in normal form: a rewrite depends only on the node it rewrites,
    so a normal subtree stays normal wherever it is moved, and is not visited again.
    """
    done = set() if done is None else done
    if e in done:
        return e
    spend(1 + len(e.args))
    if e.args:
        new = tuple(normal_form(a, done) for a in e.args)
        if new != e.args:
            e = e.rebuild(new)
    for _ in range(MAX_REWRITES):
        out = rewrite_once(e)
        if out is None:
            break
        # a rewrite builds new nodes around old ones: bring the new ones to normal form too
        e = out.rebuild(tuple(normal_form(a, done) for a in out.args)) if out.args else out
    done.add(e)
    return e
