"""The structural nodes: piecewise cases, a vector or matrix written out entry by entry, an element
of a vector, and a derivative as a step writes it.
"""
from __future__ import annotations

from ..errors import ShapeError
from ..shapes import fmt_shape
from .nodes import SCALAR, Expr, _leaf


@_leaf
class Cases(Expr):
    """``below`` where the scalar ``arg`` ≤ 0, ``above`` where it is > 0 (the paper's kink convention)."""

    arg: Expr
    below: Expr
    above: Expr
    shape: tuple

    @property
    def args(self):
        return (self.arg, self.below, self.above)

    def rebuild(self, args):
        return Cases(*args, self.shape)


@_leaf
class Block(Expr):
    """A small explicit vector or matrix of scalar expressions: [ln(x²), sin(3x)]ᵀ (E15)."""

    rows: tuple  # tuple of tuples of scalar expressions
    shape: tuple

    @property
    def args(self):
        return tuple(e for row in self.rows for e in row)

    def rebuild(self, args):
        k = len(self.rows[0])
        return Block(tuple(tuple(args[i : i + k]) for i in range(0, len(args), k)), self.shape)

    # A gradient or Jacobian behaves like a sympy Matrix of expressions: len counts the entries,
    # iteration and g[k] go row by row through them, J[i, j] picks one.
    def __len__(self) -> int:
        return len(self.rows) * len(self.rows[0])

    def __iter__(self):
        return iter(self.args)

    def __getitem__(self, key) -> Expr:
        """``g[k]`` (row by row, negative from the end) or ``J[i, j]``.

        >>> from symcalc.expr import block
        >>> J = block([[1, 2], [3, 4]])
        >>> J[1, 0], J[-1], len(J), list(J)
        (3, 4, 4, [1, 2, 3, 4])
        """
        try:
            return self.rows[key[0]][key[1]] if isinstance(key, tuple) else self.args[key]
        except (IndexError, TypeError):
            raise ShapeError(f"no entry {key!r} in the {fmt_shape(self.shape)} {self}: index with g[k] "
                             "(k from 0, row by row) or J[i, j]") from None


@_leaf
class Index(Expr):
    """gᵢ: element ``i`` (from 0) of a column vector of concrete length."""

    arg: Expr
    i: int
    shape: tuple = SCALAR

    @property
    def args(self):
        return (self.arg,)

    def rebuild(self, args):
        return Index(args[0], self.i)


@_leaf
class Partial(Expr):
    """∂num/∂den as written in a step; a label, not something to evaluate."""

    num: Expr
    den: Expr
    shape: tuple
    total: bool = False  # d rather than ∂ (single-variable total derivative)
