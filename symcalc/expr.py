"""The expression layer: immutable nodes with shapes, built with numpy-like operators.

Scalars are 1×1, vectors are columns (n×1), matrices m×n. ``*`` and ``/`` are element-wise
with scalar expansion, ``@`` is the matrix product (vector @ vector is the dot product).
Shapes are checked when an expression is built, so a mismatch is reported where it was made.

>>> w, x, b = vector("w"), vector("x"), scalar("b")
>>> print(relu(w @ x + b))
max(0, w·x + b)
>>> (w @ x + b).shape
(1, 1)
>>> vector("w", 3) + vector("x", 4)
Traceback (most recent call last):
...
symcalc.errors.ShapeError: cannot add w (3×1) and x (4×1): element-wise operations need equal shapes (or a scalar)
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import sympy

from .errors import ArgumentError, ShapeError
from .shapes import ONE, fmt_shape, is_column, is_scalar, size

SCALAR = (ONE, ONE)


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
        return add(self, other)

    def __radd__(self, other):
        return add(other, self)

    def __sub__(self, other):
        return add(self, neg(other))

    def __rsub__(self, other):
        return add(other, neg(self))

    def __mul__(self, other):
        return mul(self, other)

    def __rmul__(self, other):
        return mul(other, self)

    def __truediv__(self, other):
        return div(self, other)

    def __rtruediv__(self, other):
        return div(other, self)

    def __pow__(self, other):
        return power(self, other)

    def __rpow__(self, other):
        return power(other, self)

    def __matmul__(self, other):
        return matmul(self, other)

    def __rmatmul__(self, other):
        return matmul(other, self)

    def __neg__(self):
        return neg(self)

    def __pos__(self):
        return self

    @property
    def T(self):
        return transpose(self)

    def __str__(self) -> str:
        from .printing import text

        return text(self)

    # As sympy does, the REPL shows the printed form: a derivative reads [6x y, 3x²], not a
    # dataclass dump. The constructor form is a debugging aid only: expr.srepr().
    __repr__ = __str__

    def srepr(self) -> str:
        """The tree as constructor calls (what the dataclass repr used to show).

        >>> scalar("x").srepr()
        "Var(name='x', shape=(1, 1), kind='symbol')"
        """
        import dataclasses

        fields = (f"{f.name}={_srepr(getattr(self, f.name))}" for f in dataclasses.fields(self))
        return f"{type(self).__name__}({', '.join(fields)})"

    def _repr_latex_(self) -> str:
        """Jupyter shows expressions in symcalc's LaTeX (bold vectors, ⊗, cases), not sympy's.

        >>> print(vector("w").T._repr_latex_())
        $\\displaystyle \\mathbf{w}^{T}$
        """
        from .printing import latex

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


# ---------------------------------------------------------------- construction


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


def vector(name: str, n: int | str = "n") -> Var:
    """A column vector variable, n×1; ``n`` is a size name (shared) or an int."""
    return Var(_check_name(name), (size(n), ONE))


def matrix(name: str, rows: int | str = "m", cols: int | str = "n") -> Var:
    """A matrix variable, rows×cols."""
    return Var(_check_name(name), (size(rows), size(cols)))


def _check_name(name) -> str:
    """The parser's rule for names, here too: a name reaches LaTeX, Markdown and terminals."""
    from .errors import SymcalcError
    from .limits import check_name

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


def add(*terms) -> Expr:
    terms = [as_expr(t) for t in terms]
    flat = []
    for t in terms:
        flat.extend(t.items if isinstance(t, Add) else (t,))
    shape = _broadcast("+", "add", flat)
    return flat[0] if len(flat) == 1 else Add(tuple(flat), shape)


def mul(*factors) -> Expr:
    factors = [as_expr(f) for f in factors]
    flat = []
    for f in factors:
        flat.extend(f.items if isinstance(f, Mul) else (f,))
    shape = _broadcast("*", "multiply element-wise", flat)
    return flat[0] if len(flat) == 1 else Mul(tuple(flat), shape)


def neg(e) -> Expr:
    e = as_expr(e)
    if isinstance(e, Const):
        return Const(-e.value)
    return mul(Const(sympy.Integer(-1)), e)


def div(a, b) -> Expr:
    a, b = as_expr(a), as_expr(b)
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


def sum_(e: Expr) -> Expr:
    """sum(v): add up the elements."""
    e = as_expr(e)
    return e if e.is_scalar else Sum(e)


def maximum(a: Expr | float, b: Expr | float) -> Expr:
    """Element-wise max; ``maximum(0, x)`` is the ReLU."""
    a, b = as_expr(a), as_expr(b)
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


# ---------------------------------------------------------------- queries


def walk(e: Expr):
    """Pre-order traversal, each distinct node once (closed forms share subtrees: a tree walk of
    a deep chain rule would visit them exponentially often)."""
    stack, seen = [e], set()
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        yield node
        stack.extend(reversed(node.args))


def _memo(e: Expr, key: str, combine):
    """A property of the tree computed once per distinct node, bottom-up and without recursion."""
    if key in e.__dict__:
        return e.__dict__[key]
    stack = [e]
    while stack:
        node = stack[-1]
        pending = [a for a in node.args if key not in a.__dict__]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        if key not in node.__dict__:
            object.__setattr__(node, key, combine(node))
    return e.__dict__[key]


def depth(e: Expr) -> int:
    """Nesting depth."""
    return _memo(e, "_depth", lambda n: 1 + max((a.__dict__["_depth"] for a in n.args), default=0))


def tree_size(e: Expr) -> int:
    """Nodes in ``e`` counted as printed: a shared subtree once per place it appears."""
    return _memo(e, "_size", lambda n: 1 + sum(a.__dict__["_size"] for a in n.args))


def _variables(n):
    if isinstance(n, Var):
        return (n,)
    return tuple(dict.fromkeys(v for a in n.args for v in a.__dict__["_vars"]))


def variables(e: Expr) -> list:
    """The variables in ``e``, in order of first appearance."""
    return list(_memo(e, "_vars", _variables))


def depends(e: Expr, v: Var) -> bool:
    return v in _memo(e, "_vars", _variables)


def is_const(e: Expr) -> bool:
    """True when ``e`` holds no variables."""
    return not _memo(e, "_vars", _variables)


def is_negative(e: Expr) -> bool:
    """True for −3 and for −2·x: a leading negative constant."""
    if isinstance(e, Const):
        return e.value.is_negative is True
    return isinstance(e, Mul) and isinstance(e.items[0], Const) and e.items[0].value.is_negative is True


def negate_leading(e: Expr) -> Expr:
    """−e for an expression with a leading negative constant (so −(−2x) is 2x, not a new Mul)."""
    if isinstance(e, Const):
        return Const(-e.value)
    coeff = -e.items[0].value
    rest = e.items[1:] if coeff == 1 else (Const(coeff), *e.items[1:])
    return rest[0] if len(rest) == 1 else Mul(rest, e.shape)


def negate(e: Expr) -> Expr:
    """−e, folding the sign into a leading constant where there is one."""
    return negate_leading(e) if is_negative(e) else neg(e)


def replace(e: Expr, mapping: dict) -> Expr:
    """Substitute nodes (usually variables) by expressions, bottom-up."""
    if e in mapping:
        return mapping[e]
    if not e.args:
        return e
    new = tuple(replace(a, mapping) for a in e.args)
    return e if new == e.args else e.rebuild(new)
