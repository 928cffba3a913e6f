"""The node classes: the base :class:`Expr` with its numpy-like operators, the leaves (variables,
constants, 1⃗, 0, I) and the operators (sums, products, powers, transposes, reductions, functions).

The structural nodes (cases, written-out blocks, indexing, derivative labels) are in
:mod:`symcalc.expr.structural`; the operators here call the checked builders of
:mod:`symcalc.expr.builders`.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sympy

from ..shapes import ONE, is_scalar

SCALAR = (ONE, ONE)


@cache
def _builders():
    """:mod:`symcalc.expr.builders`, imported on first use (it imports the classes defined here); cached,
    as an import statement run at every operator would cost more than the operator."""
    from . import builders

    return builders


class Expr:
    """Base of all nodes. Subclasses are frozen dataclasses: equality is structural."""

    shape: tuple
    __array_priority__ = 1000  # so numpy scalars defer to our operators

    @property
    def args(self) -> tuple:
        return ()

    def rebuild(self, args: tuple) -> "Expr":
        """The same node over new children (used by rewriting passes)."""
        return self

    @property
    def is_scalar(self) -> bool:
        return is_scalar(self.shape)

    def __add__(self, other):
        return _builders().add(self, other)

    def __radd__(self, other):
        return _builders().add(other, self)

    def __sub__(self, other):
        b = _builders()
        return b.add(self, b.neg(other))

    def __rsub__(self, other):
        b = _builders()
        return b.add(other, b.neg(self))

    def __mul__(self, other):
        return _builders().mul(self, other)

    def __rmul__(self, other):
        return _builders().mul(other, self)

    def __truediv__(self, other):
        return _builders().div(self, other)

    def __rtruediv__(self, other):
        return _builders().div(other, self)

    def __pow__(self, other):
        return _builders().power(self, other)

    def __rpow__(self, other):
        return _builders().power(other, self)

    def __matmul__(self, other):
        return _builders().matmul(self, other)

    def __rmatmul__(self, other):
        return _builders().matmul(other, self)

    def __neg__(self):
        return _builders().neg(self)

    def __pos__(self):
        return self

    @property
    def T(self):
        return _builders().transpose(self)

    def __str__(self) -> str:
        from ..printing import text

        return text(self)

    # As sympy does, the REPL shows the printed form: a derivative reads [6x y, 3x²], not a
    # dataclass dump. The constructor form is a debugging aid only: expr.srepr().
    __repr__ = __str__

    def srepr(self) -> str:
        """The tree as constructor calls (what the dataclass repr used to show).

        >>> from symcalc.expr import scalar
        >>> scalar("x").srepr()
        "Var(name='x', shape=(1, 1), kind='symbol')"
        """
        import dataclasses

        fields = (f"{f.name}={_srepr(getattr(self, f.name))}" for f in dataclasses.fields(self))
        return f"{type(self).__name__}({', '.join(fields)})"

    def _repr_latex_(self) -> str:
        """Jupyter shows expressions in symcalc's LaTeX (bold vectors, ⊗, cases), not sympy's.

        >>> from symcalc.expr import vector
        >>> print(vector("w").T._repr_latex_())
        $\\displaystyle \\mathbf{w}^{T}$
        """
        from ..printing import latex

        return f"$\\displaystyle {latex(self)}$"


def _srepr(value) -> str:
    if isinstance(value, Expr):
        return value.srepr()
    if isinstance(value, tuple) and any(isinstance(v, (Expr, tuple)) for v in value):  # children, not a shape
        inner = ", ".join(map(_srepr, value))
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value)


def _leaf(cls):
    """Frozen dataclass with structural equality; the shape is a compared field.

    The hash is cached on first use: trees are immutable, and hashing a deep one again at every
    dictionary lookup made substitution quadratic.
    """
    cls = dataclass(frozen=True, repr=False)(cls)
    structural = cls.__hash__

    def cached(self):
        try:
            return self.__dict__["_hash"]
        except KeyError:
            h = structural(self)
            object.__setattr__(self, "_hash", h)
            return h

    cls.__hash__ = cached
    return cls


@_leaf
class Var(Expr):
    """A named variable: a user's symbol or an intermediate the engine introduced."""

    name: str
    shape: tuple
    kind: str = "symbol"  # "symbol" or "intermediate"


@_leaf
class Const(Expr):
    """A numeric constant (a sympy Rational, Integer or Float), 1×1."""

    value: sympy.Number
    shape: tuple = SCALAR


@_leaf
class Ones(Expr):
    """1⃗: a column of ones."""

    shape: tuple


@_leaf
class Zero(Expr):
    """0 of any shape (0⃗, 0⃗ᵀ, the zero matrix, or the scalar 0)."""

    shape: tuple


@_leaf
class Identity(Expr):
    """I, n×n."""

    shape: tuple


class _Op(Expr):
    """Node with children in ``items`` (a tuple)."""

    @property
    def args(self) -> tuple:
        return self.items

    def rebuild(self, args):
        return type(self)(tuple(args), self.shape)


@_leaf
class Add(_Op):
    """Element-wise sum with scalar expansion."""

    items: tuple
    shape: tuple


@_leaf
class Mul(_Op):
    """Element-wise (Hadamard) product ⊗ with scalar expansion; scalar·anything is scaling."""

    items: tuple
    shape: tuple


@_leaf
class MatMul(_Op):
    """Matrix product of two or more factors."""

    items: tuple
    shape: tuple


class _Unary(Expr):
    @property
    def args(self):
        return (self.arg,)

    def rebuild(self, args):
        return type(self)(args[0], self.shape)


class _Binary(Expr):
    @property
    def args(self):
        return (self.left, self.right)

    def rebuild(self, args):
        return type(self)(args[0], args[1], self.shape)


@_leaf
class Div(_Binary):
    """Element-wise division ⊘ with scalar expansion."""

    left: Expr
    right: Expr
    shape: tuple


@_leaf
class Pow(_Binary):
    """Element-wise power; the exponent is a scalar."""

    left: Expr
    right: Expr
    shape: tuple


@_leaf
class Max(_Binary):
    """Element-wise maximum; a constant operand is kept on the left (max(0, x))."""

    left: Expr
    right: Expr
    shape: tuple


@_leaf
class Dot(_Binary):
    """w·x = wᵀx, a scalar."""

    left: Expr
    right: Expr
    shape: tuple = SCALAR


@_leaf
class Transpose(_Unary):
    arg: Expr
    shape: tuple


@_leaf
class Sum(_Unary):
    """sum(v): the sum of all elements, a scalar."""

    arg: Expr
    shape: tuple = SCALAR


@_leaf
class Diag(_Unary):
    """diag(v): the square matrix with v on its diagonal."""

    arg: Expr
    shape: tuple


@_leaf
class Step(_Unary):
    """[v > 0]: element-wise indicator, 1 where the argument is positive, else 0."""

    arg: Expr
    shape: tuple


@_leaf
class Func(Expr):
    """An element-wise function from :mod:`symcalc.functions` applied to ``arg``."""

    name: str
    arg: Expr
    shape: tuple

    @property
    def args(self):
        return (self.arg,)

    def rebuild(self, args):
        return Func(self.name, args[0], self.shape)
