"""The checked builders: each makes a node after checking its operands' shapes, so a mismatch is
reported where it was made; numbers are wrapped as constants (:func:`as_expr`).
"""
from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import sympy

from ..errors import ArgumentError, ShapeError
from ..shapes import ONE, fmt_shape, is_column, is_scalar, size
from .nodes import (SCALAR, Add, Const, Diag, Div, Dot, Expr, Func, Identity, MatMul, Max, Mul, Ones, Pow, Sum,
                    Transpose, Var, Zero)
from .structural import Block, Index


def as_expr(value) -> Expr:
    """Wrap Python and sympy numbers as constants; pass expressions through."""
    if isinstance(value, Expr):
        return value
    if isinstance(value, bool):
        raise ArgumentError(f"cannot use {value!r} in an expression{_FIX}")
    if isinstance(value, int):
        return Const(sympy.Integer(value))
    if isinstance(value, Fraction):
        return Const(sympy.Rational(value.numerator, value.denominator))
    if isinstance(value, float):
        return Const(sympy.Float(value))
    if isinstance(value, sympy.Number):
        return Const(value)
    raise ArgumentError(f"cannot use {type(value).__name__} {value!r} in an expression{_FIX}")


_FIX = ("; build expressions from sc.scalar, sc.vector and sc.matrix variables and numbers, write a vector out "
        "with sc.stack([a, b]), or parse text with sc.parse")


def const(value: int | float | Fraction | sympy.Number) -> Const:
    """A numeric constant.

    >>> print(const(Fraction(1, 2)) * scalar("x"))
    x/2
    """
    return as_expr(value)


def scalar(name: str) -> Var:
    """A scalar variable (1×1)."""
    return Var(_check_name(name), SCALAR)


def vector(name: str, n: int | str = "n", *, onehot: bool = False) -> Var:
    """A column vector variable, n×1; ``n`` is a size name (shared) or an int.

    ``onehot=True`` declares a label: its entries sum to 1 (1⃗ᵀy = 1), which the simplifier uses
    (cross-entropy of a softmax then gives p − y) and the numeric check respects."""
    return Var(_check_name(name), (size(n), ONE), ONEHOT if onehot else "symbol")


def matrix(name: str, rows: int | str = "m", cols: int | str = "n", *, onehot: bool = False) -> Var:
    """A matrix variable, rows×cols; ``onehot=True``: a batch of labels, each row summing to 1 (Y1⃗ = 1⃗).

    >>> Y = matrix("Y", "N", "m", onehot=True)
    >>> Y.kind, is_onehot(Y)
    ('onehot', True)
    """
    return Var(_check_name(name), (size(rows), size(cols)), ONEHOT if onehot else "symbol")


ONEHOT = "onehot"


def is_onehot(e) -> bool:
    """A label variable: a vector whose entries sum to 1, or a matrix whose rows each do."""
    return isinstance(e, Var) and e.kind == ONEHOT


def _check_name(name) -> str:
    """The parser's rule for names, here too: a name reaches LaTeX, Markdown and terminals."""
    from ..errors import SymcalcError
    from ..limits import check_name

    try:
        return check_name(name, "the name")
    except SymcalcError as exc:
        raise ShapeError(str(exc)) from None


def _describe(e: Expr) -> str:
    return f"{e} ({fmt_shape(e.shape)})"


def _broadcast(op: str, verb: str, items) -> tuple:
    """The common shape of element-wise operands, where 1×1 operands expand."""
    out = SCALAR
    first = None
    for item in items:
        if is_scalar(item.shape):
            continue
        if first is None:
            first, out = item, item.shape
        elif item.shape != out:
            raise ShapeError(
                f"cannot {verb} {_describe(first)} and {_describe(item)}: "
                "element-wise operations need equal shapes (or a scalar)",
                op=op,
                operands=(first, item),
            )
    return out


def _spread(items) -> list:
    """numpy's broadcasting against a matrix: a 1×m row is repeated down N rows as 1⃗bᵀ, an N×1 column
    across m columns as c1⃗ᵀ (a vector with a vector of the other orientation is left to _broadcast's
    error: an outer sum is rarely what was meant)."""
    matrices = [i.shape for i in items if i.shape[0] != ONE and i.shape[1] != ONE]
    if not matrices:
        return items
    rows, cols = matrices[0]
    out = []
    for item in items:
        if item.shape == (ONE, cols) and rows != ONE:
            item = matmul(Ones((rows, ONE)), item)
        elif item.shape == (rows, ONE) and cols != ONE:
            item = matmul(item, transpose(Ones((cols, ONE))))
        out.append(item)
    return out


def add(*terms) -> Expr:
    terms = [as_expr(t) for t in terms]
    flat = []
    for t in _spread(terms):
        flat.extend(t.items if isinstance(t, Add) else (t,))
    shape = _broadcast("+", "add", flat)
    return flat[0] if len(flat) == 1 else Add(tuple(flat), shape)


def mul(*factors) -> Expr:
    factors = [as_expr(f) for f in factors]
    flat = []
    for f in _spread(factors):
        flat.extend(f.items if isinstance(f, Mul) else (f,))
    shape = _broadcast("*", "multiply element-wise", flat)
    return flat[0] if len(flat) == 1 else Mul(tuple(flat), shape)


def neg(e) -> Expr:
    e = as_expr(e)
    if isinstance(e, Const):
        return Const(-e.value)
    return mul(Const(sympy.Integer(-1)), e)


def div(a, b) -> Expr:
    a, b = _spread([as_expr(a), as_expr(b)])
    return Div(a, b, _broadcast("/", "divide element-wise", (a, b)))


def power(base, exponent) -> Expr:
    base, exponent = as_expr(base), as_expr(exponent)
    if not exponent.is_scalar:
        raise ShapeError(
            f"the exponent must be a scalar: {_describe(base)} ** {_describe(exponent)}",
            op="**",
            operands=(base, exponent),
        )
    return Pow(base, exponent, base.shape)


def matmul(a, b) -> Expr:
    """Matrix product; two column vectors of equal length give their dot product."""
    a, b = as_expr(a), as_expr(b)
    if is_column(a.shape) and is_column(b.shape) and a.shape == b.shape:
        return Dot(a, b)
    if isinstance(a, Transpose) and is_column(a.arg.shape) and a.arg.shape == b.shape:
        return Dot(a.arg, b)  # wᵀx is w·x
    if a.shape[1] != b.shape[0] or a.is_scalar or b.is_scalar:
        hint = "use * to multiply by a scalar" if a.is_scalar or b.is_scalar else "inner sizes must agree"
        raise ShapeError(
            f"cannot matrix-multiply {_describe(a)} @ {_describe(b)}: {hint}",
            op="@",
            operands=(a, b),
        )
    items = [*(a.items if isinstance(a, MatMul) else (a,)), *(b.items if isinstance(b, MatMul) else (b,))]
    return MatMul(tuple(items), (a.shape[0], b.shape[1]))


def transpose(e) -> Expr:
    e = as_expr(e)
    if e.is_scalar:
        return e
    if isinstance(e, Transpose):
        return e.arg
    return Transpose(e, (e.shape[1], e.shape[0]))


def dot(a: Expr, b: Expr) -> Expr:
    """w·x for two column vectors of the same length."""
    a, b = as_expr(a), as_expr(b)
    if not (is_column(a.shape) and a.shape == b.shape):
        raise ShapeError(
            f"dot needs two column vectors of the same length, got {_describe(a)} and {_describe(b)}",
            op="·",
            operands=(a, b),
        )
    return Dot(a, b)


def sum_(e: Expr, axis: int | None = None) -> Expr:
    """sum(v): add up the elements; with ``axis`` as numpy (0: the row of column sums 1⃗ᵀM, 1: the
    column of row sums M1⃗)."""
    e = as_expr(e)
    if axis is not None:
        from ..matrix_builders import sum_along

        return sum_along(e, axis)
    return e if e.is_scalar else Sum(e)


def maximum(a: Expr | float, b: Expr | float) -> Expr:
    """Element-wise max; ``maximum(0, x)`` is the ReLU."""
    a, b = _spread([as_expr(a), as_expr(b)])
    if isinstance(b, Const) and not isinstance(a, Const):
        a, b = b, a  # keep the constant first, so the kink convention has one form
    return Max(a, b, _broadcast("max", "take the maximum of", (a, b)))


def relu(e: Expr) -> Expr:
    """max(0, e), element-wise."""
    return maximum(0, e)


def diag(v: Expr) -> Expr:
    v = as_expr(v)
    if not is_column(v.shape):
        raise ShapeError(f"diag needs a column vector, got {_describe(v)}")
    return Diag(v, (v.shape[0], v.shape[0]))


def apply(name: str, e) -> Expr:
    e = as_expr(e)
    return Func(name, e, e.shape)


def block(rows) -> Block:
    """A matrix of scalar expressions, row by row."""
    rows = [[as_expr(e) for e in row] for row in rows]
    if not rows or not rows[0] or any(len(r) != len(rows[0]) for r in rows):
        raise ShapeError("a block needs rows of equal, non-zero length")
    for e in (e for row in rows for e in row):
        if not e.is_scalar:
            raise ShapeError(f"the entries of a vector written out must be scalars; {_describe(e)} is not")
    return Block(tuple(tuple(r) for r in rows), (size(len(rows)), size(len(rows[0]))))


def stack(items: Sequence[Expr | float]) -> Block:
    """[a, b, ...] as a column vector of scalar expressions."""
    if isinstance(items, (Expr, str)) or not hasattr(items, "__iter__"):
        raise ArgumentError(f"stack takes a list of scalar expressions such as [a, b], not {items!r}")
    return block([[e] for e in items])


def index(v, i: int) -> Expr:
    """Element i (from 0) of a column vector of concrete length."""
    v = as_expr(v)
    if not is_column(v.shape) or not v.shape[0].is_Integer or not 0 <= i < int(v.shape[0]):
        raise ShapeError(f"cannot take element {i + 1} of {_describe(v)}")
    return Index(v, i)


def ones(n) -> Ones:
    return Ones((size(n), ONE))


def identity(n) -> Identity:
    n = size(n)
    return Identity((n, n))


def zero(shape=SCALAR) -> Zero:
    return Zero(tuple(shape))


def one() -> Const:
    return Const(sympy.Integer(1))
