"""Nodes of the matrix world (issue 12): trace, determinant, inverse, norm, and the softmax family
over a vector or over each row or column of a matrix; and the label G_Z of an upstream gradient.

Each is a frozen node with a shape, like those of :mod:`symcalc.expr`; the checked builders are
in :mod:`symcalc.matrix_builders`.
"""
from __future__ import annotations

from .nodes import SCALAR, Expr, _Unary, _leaf


@_leaf
class Trace(_Unary):
    """tr(A): the sum of the diagonal of a square matrix."""

    arg: Expr
    shape: tuple = SCALAR


@_leaf
class Det(_Unary):
    """det(A) of a square matrix."""

    arg: Expr
    shape: tuple = SCALAR


@_leaf
class Inv(_Unary):
    """A⁻¹ of a square matrix."""

    arg: Expr
    shape: tuple


@_leaf
class Norm(_Unary):
    """‖x‖: the 2-norm of a vector, the Frobenius norm of a matrix."""

    arg: Expr
    shape: tuple = SCALAR


class _Along(Expr):
    """A function applied along one axis, numpy's meaning: axis 0 runs down each column (a column
    vector's elements), axis 1 along each row (a batch of logits, one sample per row)."""

    @property
    def args(self):
        return (self.arg,)

    def rebuild(self, args):
        return type(self)(args[0], self.axis, self.shape)


@_leaf
class Softmax(_Along):
    """softmax(z) = exp(z) / sum(exp(z)) along ``axis``."""

    arg: Expr
    axis: int
    shape: tuple


@_leaf
class LogSoftmax(_Along):
    """log_softmax(z) = z − logsumexp(z) along ``axis``."""

    arg: Expr
    axis: int
    shape: tuple


@_leaf
class LogSumExp(_Along):
    """logsumexp(z) = log(sum(exp(z))) along ``axis``: a scalar for a vector, one value per row (axis 1,
    a column) or per column (axis 0, a row) of a matrix."""

    arg: Expr
    axis: int
    shape: tuple


@_leaf
class Grad(Expr):
    """G_Z = ∂L/∂Z in the backward form: the upstream gradient of Z, of Z's shape (a label)."""

    of: Expr
    shape: tuple


ALONG = (Softmax, LogSoftmax, LogSumExp)
