"""Numeric evaluation of expressions with numpy: values bound by variable, sizes bound from them.

>>> from symcalc.expr import vector, scalar
>>> w, b = vector("w"), scalar("b")
>>> float(evaluate(w @ w + b, {w: [1, 2], b: 0.5}))
5.5
"""
from __future__ import annotations

import numpy as np

from . import expr as E
from .expr import matrixnodes as M
from .errors import ShapeError, SymcalcError
from .functions import FUNCTIONS
from .limits import MAX_DENSE
from .visitor import SharedVisitor, on
from .shapes import fmt_shape


def _as_array(var, value) -> np.ndarray:
    """A 2-D float array of real numbers: complex values (whose imaginary part float() would drop with
    only a warning) and None (which numpy reads as NaN) are refused, as are rows of different lengths."""
    shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:79] + "…"
    try:
        a = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise SymcalcError(f"value for {var.name} is not a number, a list or a matrix with rows of one length: "
                           f"{shown}") from exc
    if a.dtype.kind == "c" or (a.dtype.kind == "O" and any(isinstance(x, complex) for x in a.ravel())):
        raise SymcalcError(f"value for {var.name} is complex; give real numbers: {shown}")
    if a.dtype.kind == "O" and any(x is None for x in a.ravel()):
        raise SymcalcError(f"value for {var.name} holds None, not a number: {shown}")
    try:
        a = a.astype(float)
    except (TypeError, ValueError) as exc:
        raise SymcalcError(f"value for {var.name} is not numeric: {shown}") from exc
    if a.ndim == 0:
        a = a.reshape(1, 1)
    elif a.ndim == 1:
        a = a.reshape(-1, 1)
    elif a.ndim != 2:
        raise ShapeError(f"value for {var.name} has {a.ndim} dimensions; give a number, a list or a matrix")
    return a


def bind(variables, values: dict) -> tuple[dict, dict]:
    """Arrays for each variable and the sizes they fix (n → 4)."""
    arrays, sizes = {}, {}
    for var in variables:
        if var not in values:
            raise SymcalcError(f"no value given for {var.name} ({fmt_shape(var.shape)}); add {var.name!r}: its value "
                               "to the values")
        a = _as_array(var, values[var])
        for want, got in zip(var.shape, a.shape):
            if want.is_Integer:
                ok = int(want) == got
            else:
                ok = sizes.setdefault(want, got) == got
            if not ok:
                raise ShapeError(
                    f"value for {var.name} has shape {a.shape[0]}×{a.shape[1]}, but {var.name} is "
                    f"{fmt_shape(var.shape)}" + (f" and {want} = {sizes[want]} already" if want in sizes else "")
                    + _as_rows(var, a)
                )
        arrays[var] = a
    return arrays, sizes


def _as_rows(var, a) -> str:
    """A hint for a matrix given as a flat list (X=1,2,3,4 for a 2×2 X): matrices are written by rows."""
    rows, cols = var.shape
    if a.shape[1] != 1 or (cols.is_Integer and int(cols) == 1) or (rows.is_Integer and int(rows) == 1):
        return ""
    return f"; write a matrix as rows, as in {var.name}=[[1, 2], [3, 4]]"


def evaluate(expr, values: dict, sizes: dict | None = None) -> np.ndarray:
    """The value of ``expr``: a float for 1×1, otherwise a 2-D array of the expression's shape."""
    arrays, bound = bind(E.variables(expr), values)
    bound.update(sizes or {})
    out = Evaluator(arrays, bound)(expr)
    return float(out[0, 0]) if out.shape == (1, 1) else out


def _room(rows: int, cols: int) -> tuple[int, int]:
    """Refuse an array over MAX_DENSE entries (100 MB) before numpy tries to allocate it."""
    if rows * cols > MAX_DENSE:
        raise SymcalcError(f"evaluating this needs a {rows:,}×{cols:,} array, over the limit of "
                           f"{MAX_DENSE:,} entries (100 MB); use smaller values")
    return rows, cols


def _times(a, b):
    """a @ b where either may be ("diag", column): a diagonal scales, only dense @ dense multiplies."""
    if isinstance(a, tuple) and isinstance(b, tuple):
        return ("diag", a[1] * b[1])
    if isinstance(a, tuple):
        return a[1] * b
    if isinstance(b, tuple):
        return a * b[1].T
    _room(a.shape[0], b.shape[1])
    return a @ b


class Evaluator(SharedVisitor):
    """Values of expressions at numpy arrays ({Var: array}) and sizes ({Symbol: int})."""

    what = "numpy evaluator"

    def __init__(self, arrays, sizes):
        self.arrays, self.sizes = arrays, sizes

    def dim(self, s) -> int:
        if s.is_Integer:
            return int(s)
        if s not in self.sizes:
            raise SymcalcError(f"size {s} is not bound: give a value for a variable of that size")
        return self.sizes[s]

    def __call__(self, e) -> np.ndarray:
        return self.visit_once(e)

    @on(E.Var)
    def _Var(self, e):
        return self.arrays[e]

    @on(E.Const)
    def _Const(self, e):
        v = e.value
        return np.full((1, 1), float(v.subs(self.sizes) if v.free_symbols else v))

    @on(E.Ones)
    def _Ones(self, e):
        return np.ones(_room(self.dim(e.shape[0]), self.dim(e.shape[1])))

    @on(E.Zero)
    def _Zero(self, e):
        return np.zeros(_room(self.dim(e.shape[0]), self.dim(e.shape[1])))

    @on(E.Identity)
    def _Identity(self, e):
        return np.eye(_room(self.dim(e.shape[0]), self.dim(e.shape[0]))[0])

    @on(E.Add)
    def _Add(self, e):
        out = self(e.items[0])
        for t in e.items[1:]:
            out = out + self(t)
        return np.broadcast_to(out, _room(self.dim(e.shape[0]), self.dim(e.shape[1]))) + 0.0

    @on(E.Mul)
    def _Mul(self, e):
        out = self(e.items[0])
        for f in e.items[1:]:
            out = out * self(f)
        return out

    @on(E.Div)
    def _Div(self, e):
        return self(e.left) / self(e.right)

    @on(E.Pow)
    def _Pow(self, e):
        base, k = self(e.left), self(e.right)
        if np.all(k == np.round(k)):
            return base ** k
        return np.power(base.astype(complex), k).real if np.any(base < 0) else base**k

    @on(E.MatMul)
    def _MatMul(self, e):
        """Left to right; a diag(v) factor scales rows or columns (v * u), never built as n×n."""
        out = None  # the product so far: a dense array, or ("diag", column) while only diagonals
        for f in e.items:
            value = ("diag", self(f.arg)[:, :1]) if isinstance(f, E.Diag) else self(f)
            out = value if out is None else _times(out, value)
        return self._dense(out)

    def _dense(self, value):
        if isinstance(value, tuple):
            v = value[1][:, 0]
            _room(len(v), len(v))
            return np.diag(v)
        return value

    @on(E.Transpose)
    def _Transpose(self, e):
        return self(e.arg).T

    @on(E.Dot)
    def _Dot(self, e):
        return self(e.left).T @ self(e.right)

    @on(E.Sum)
    def _Sum(self, e):
        return np.array([[self(e.arg).sum()]])

    @on(E.Diag)
    def _Diag(self, e):
        return self._dense(("diag", self(e.arg)[:, :1]))

    @on(E.Step)
    def _Step(self, e):
        return (self(e.arg) > 0).astype(float)

    @on(E.Max)
    def _Max(self, e):
        return np.maximum(self(e.left), self(e.right))

    @on(E.Func)
    def _Func(self, e):
        return FUNCTIONS[e.name].numpy(np, self(e.arg))

    @on(E.Block)
    def _Block(self, e):
        return np.array([[self(x)[0, 0] for x in row] for row in e.rows])

    @on(E.Index)
    def _Index(self, e):
        return self(e.arg)[e.i : e.i + 1, :]

    @on(E.Cases)
    def _Cases(self, e):
        return np.where(self(e.arg) > 0, self(e.above), self(e.below))

    @on(E.Partial)
    def _Partial(self, e):
        raise SymcalcError(f"{e} is a label in a derivation, not a value")

    @on(M.Trace)
    def _Trace(self, e):
        return np.array([[np.trace(self(e.arg))]])

    @on(M.Det)
    def _Det(self, e):
        return np.array([[np.linalg.det(self(e.arg))]])

    @on(M.Inv)
    def _Inv(self, e):
        a = self(e.arg)
        try:
            return np.linalg.inv(a)
        except np.linalg.LinAlgError:  # singular: no value, as a domain error (the checks resample)
            return np.full(a.shape, np.nan)

    @on(M.Norm)
    def _Norm(self, e):
        return np.array([[np.sqrt((self(e.arg) ** 2).sum())]])

    @on(M.Softmax)
    def _Softmax(self, e):
        return np.exp(_log_softmax(self(e.arg), e.axis))

    @on(M.LogSoftmax)
    def _LogSoftmax(self, e):
        return _log_softmax(self(e.arg), e.axis)

    @on(M.LogSumExp)
    def _LogSumExp(self, e):
        return _logsumexp(self(e.arg), e.axis)

    @on(M.Grad)
    def _Grad(self, e):
        raise SymcalcError(f"{e} is a label in a derivation, not a value")


def _logsumexp(a, axis):
    top = a.max(axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    return top + np.log(np.exp(a - top).sum(axis=axis, keepdims=True))


def _log_softmax(a, axis):
    return a - _logsumexp(a, axis)


class _Recorder(Evaluator):
    """An evaluator that keeps every node's value (``seen``, by node id) and the floating-point errors
    its own operations raised (``raised``: 'divide by zero', 'invalid value', 'overflow'), for
    :func:`undefined`."""

    def visit(self, e):
        self.stack.append(e)
        try:
            out = super().visit(e)
        finally:
            self.stack.pop()
        self.seen[id(e)] = out
        return out

    def flag(self, kind, _flag):
        if self.stack:
            self.raised.setdefault(id(self.stack[-1]), set()).add(kind)


def undefined(expr, values: dict):
    """The innermost part of ``expr`` with no real value at the point, or None: a NaN or a pole made
    from finite arguments (the log of a negative or of 0, a division by zero, the inverse of a
    singular matrix). An overflow to ±inf is no such part: the derivative may still be finite there.

    >>> from symcalc.expr import apply, scalar
    >>> x = scalar("x")
    >>> undefined(apply("log", x) + x, {x: -1.0})
    ln(x)
    >>> undefined(x + apply("log", x), {x: 0.0})
    ln(x)
    >>> undefined(apply("log", x) + apply("exp", x), {x: 800.0}) is None
    True
    """
    arrays, sizes = bind(E.variables(expr), values)
    recorder = _Recorder(arrays, sizes)
    recorder.seen, recorder.raised, recorder.stack = {}, {}, []
    with np.errstate(all="call", under="ignore", call=recorder.flag):
        recorder(expr)
    order, stack, seen = [], [expr], set()
    while stack:  # every node before its arguments, each distinct node once
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        stack.extend(node.args)
    for node in reversed(order):
        value = recorder.seen.get(id(node))
        if value is None or np.isfinite(value).all():
            continue
        args = [recorder.seen.get(id(a)) for a in node.args]
        if any(a is not None and not np.isfinite(a).all() for a in args):
            continue  # carried in from an argument
        raised = recorder.raised.get(id(node), set())
        if np.isnan(value).any() or "divide by zero" in raised:
            return node
    return None
