"""Checked builders of the matrix world: reductions along an axis, trace, det, inv, norm, softmax.

Shapes follow numpy's two-dimensional meaning, so ``sum(M, axis=0)`` is the row 1⃗ᵀM of column
sums and ``sum(M, axis=1)`` the column M1⃗ of row sums; a mean divides by the count.

>>> from symcalc.expr import matrix, vector
>>> M = matrix("M", "N", "m")
>>> print(sum_along(M, 0), "|", sum_along(M, 1), "|", mean(M, 1))
1⃗ᵀM | M 1⃗ | M 1⃗ ⊘ m
>>> print(softmax(M, 1).shape, logsumexp(vector("z")).shape)
(N, m) (1, 1)
"""
from __future__ import annotations

import sympy

from . import expr as E
from .expr import matrixnodes as M
from .errors import ShapeError
from .shapes import ONE, fmt_shape, is_column, is_row

AXES = (0, 1)


def _describe(e) -> str:
    return f"{e} ({fmt_shape(e.shape)})"


def _square(what: str, e) -> E.Expr:
    e = E.as_expr(e)
    if e.shape[0] != e.shape[1] or e.is_scalar:
        raise ShapeError(f"{what} needs a square matrix, got {_describe(e)}")
    return e


def _axis(axis, e, what: str) -> int:
    if axis is None:
        if is_column(e.shape):
            return 0
        if is_row(e.shape):
            return 1
        raise ShapeError(f"{what} of the matrix {_describe(e)} needs an axis: {what}(..., axis=1) for each row "
                         f"(a batch, one sample per row) or axis=0 for each column")
    if axis not in AXES or isinstance(axis, bool):
        raise ShapeError(f"axis must be 0 (down each column) or 1 (along each row), not {axis!r}")
    return axis


def sum_along(e, axis=None) -> E.Expr:
    """sum(e) of every element (a scalar), or along an axis as numpy with keepdims: axis 0 gives the row
    of column sums 1⃗ᵀe, axis 1 the column of row sums e1⃗."""
    e = E.as_expr(e)
    if axis is None:
        return E.sum_(e)
    axis = _axis(axis, e, "sum")
    rows, cols = e.shape
    if axis == 0:
        return e if rows == ONE else (E.sum_(e) if cols == ONE else E.matmul(E.ones(rows).T, e))
    return e if cols == ONE else (E.sum_(e) if rows == ONE else E.matmul(e, E.ones(cols)))


def mean(e, axis=None) -> E.Expr:
    """The sum divided by the count of what was summed."""
    e = E.as_expr(e)
    rows, cols = e.shape
    count = rows * cols if axis is None else (rows if _axis(axis, e, "mean") == 0 else cols)
    total = sum_along(e, axis)
    return total if count == 1 else E.div(total, E.Const(sympy.sympify(count)))


def trace(e) -> E.Expr:
    return M.Trace(_square("trace", e))


def det(e) -> E.Expr:
    return M.Det(_square("det", e))


def inv(e) -> E.Expr:
    e = _square("inv", e)
    return e.arg if isinstance(e, M.Inv) else M.Inv(e, e.shape)


def norm(e) -> E.Expr:
    """‖e‖: the 2-norm of a vector, the Frobenius norm of a matrix, |e| of a scalar."""
    e = E.as_expr(e)
    return E.apply("abs", e) if e.is_scalar else M.Norm(e)


def _along(cls, what):
    def build(e, axis=None):
        e = E.as_expr(e)
        if e.is_scalar:
            raise ShapeError(f"{what} of the scalar {e} is trivial; it takes a vector or a matrix")
        axis = _axis(axis, e, what)
        if cls is M.LogSumExp:
            shape = (ONE, e.shape[1]) if axis == 0 else (e.shape[0], ONE)
        else:
            shape = e.shape
        return cls(e, axis, shape)

    build.__name__ = what
    build.__doc__ = f"{what}(e, axis) along an axis (a vector: over its elements)."
    return build


softmax = _along(M.Softmax, "softmax")
log_softmax = _along(M.LogSoftmax, "log_softmax")
logsumexp = _along(M.LogSumExp, "logsumexp")


def broadcast_row(row, rows) -> E.Expr:
    """1⃗rᵀ: the row ``row`` repeated ``rows`` times (numpy's broadcast of a 1×m row over N×m)."""
    return E.matmul(E.ones(rows), row)


def broadcast_column(column, cols) -> E.Expr:
    """c1⃗ᵀ: the column repeated ``cols`` times."""
    return E.matmul(column, E.ones(cols).T)


def broadcast(e, shape) -> E.Expr:
    """``e`` spread to ``shape`` by numpy's rules: a row down the rows, a column across the columns (a
    scalar stays a scalar: element-wise operations expand it)."""
    if e.is_scalar or e.shape == tuple(shape):
        return e
    rows, cols = shape
    if e.shape == (ONE, cols):
        return broadcast_row(e, rows)
    if e.shape == (rows, ONE):
        return broadcast_column(e, cols)
    raise ShapeError(f"cannot broadcast {_describe(e)} to {fmt_shape(shape)}")


def spelled_out(e) -> E.Expr:
    """A softmax-family node or a norm in elementary nodes (exp, log, sums), for converters that have
    no such function (sympy): softmax(Z) = exp(Z) ⊘ (exp(Z)1⃗)1⃗ᵀ along each row."""
    if isinstance(e, M.Norm):
        return E.apply("sqrt", E.sum_(E.mul(e.arg, e.arg)))
    lse = E.apply("log", sum_along(E.apply("exp", e.arg), e.axis))
    if isinstance(e, M.LogSumExp):
        return lse
    log_p = E.add(e.arg, E.neg(broadcast(lse, e.shape)))
    return E.apply("exp", log_p) if isinstance(e, M.Softmax) else log_p
