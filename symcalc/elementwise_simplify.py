"""Element-wise pieces of a vector or matrix expression, simplified entry by entry by sympy.

An element-wise tree (⊗, ⊘, powers and functions of operands of one shape, and scalars) is, entry
by entry, a scalar expression in the entries of its operands, so sympy's algebra holds for it as it
does for scalars. Products, reductions and transposes are outside: through them an entry is no
longer a function of the same entries of the operands (the lesson of the ReLU mask, issue 8). The
result is kept only where it mentions fewer operands.

>>> from symcalc.expr import vector, apply
>>> y, z = vector("y", "N"), vector("z", "N")
>>> s = apply("sigmoid", z)
>>> print(simplify_elementwise(y * (1 / s) * s * (s - 1) + (1 - y) * (1 / (1 - s)) * s * (1 - s)))
σ(z) − y
"""
from __future__ import annotations

from . import expr as E
from .budget import spend
from .errors import UnsupportedError
from .scalar_simplify import SYMPY_MAX_DEPTH, candidates
from .sympy_scalars import elementwise_to_sympy, from_sympy, is_elementwise


def simplify_elementwise(e: E.Expr) -> E.Expr:
    """Every maximal element-wise piece of ``e`` through sympy, where that makes it smaller."""
    if is_elementwise(e):
        return _through_sympy(e)
    if not e.args:
        return e
    new = tuple(simplify_elementwise(a) for a in e.args)
    return e if new == e.args else e.rebuild(new)


MAX_NODES = 40  # distinct nodes of a piece sent to sympy: its algebra's cost grows fast with size


def _worth(e) -> bool:
    """Only an operand or function written twice can cancel (σ ⊘ σ, y σ − y σ): else nothing to gain."""
    if E.depth(e) > SYMPY_MAX_DEPTH or len(set(E.walk(e))) > MAX_NODES:
        return False
    seen = set()
    for n in _written(e):
        if n in seen:
            return True
        seen.add(n)
    return False


def _written(e):
    """The operands and functions of an element-wise tree, each time it is written."""
    if not isinstance(e, _ARITHMETIC):
        yield e
    if isinstance(e, _ARITHMETIC) or is_elementwise(e):
        for a in e.args:
            yield from _written(a)


def _through_sympy(e):
    inner = e.rebuild(tuple(a if is_elementwise(a) else simplify_elementwise(a) for a in e.args))
    if not _worth(inner):
        return inner
    spend(20 + 5 * len(set(E.walk(inner))))
    s, back = elementwise_to_sympy(inner)
    best = inner
    for form in candidates(s):
        try:
            out = from_sympy(form, back)
        except UnsupportedError:
            continue
        out = _spread(out, inner.shape)
        if out is not None and mentions(out) < mentions(best):
            best = out
    return best


def _spread(out, shape):
    """What sympy gave, in the piece's shape: every entry equal (u ⊘ u = 1) is a column of it."""
    if out.shape == shape:
        return out
    if isinstance(out, E.Const) and out.value == 0:
        return E.zero(shape)
    return E.mul(out, E.Ones(shape)) if shape[1] == E.ONE else None


_ARITHMETIC = (E.Add, E.Mul, E.Div, E.Pow, E.Const)


def mentions(e) -> int:
    """Operands and functions written, counted where printed: a form is kept only where sympy
    cancelled something (σ ⊘ σ), not where it merely factored or expanded (1 − t² into (1 − t)(1 + t))."""
    own = 0 if isinstance(e, _ARITHMETIC) else 1
    return own + sum(mentions(a) for a in e.args)
