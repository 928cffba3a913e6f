"""Pure-Python evaluation at small concrete sizes, for the numeric checks.

Why not numpy: importing numpy alone costs more than the self-check's whole budget (10 % of
`symcalc derive neuron`), and at the checker's sizes (≤ 9×9) plain floats are as fast. Values
follow numpy's float64 conventions: overflow gives ±inf and a domain error gives nan, never an
exception, so the checker can see them and look for a better point.

>>> from symcalc.expr import vector
>>> from symcalc.functions import exp
>>> w = vector("w")
>>> n = w.shape[0]
>>> ev = Evaluator({w: Mat(2, 1, [0.0, 1000.0])}, {n: 2})
>>> ev(exp(w)).values
[1.0, inf]
"""
from __future__ import annotations

import math

from . import expr as E
from .expr import matrixnodes as M
from .errors import SymcalcError
from .functions import FUNCTIONS
from .visitor import SharedVisitor, on

INF, NAN = math.inf, math.nan


class Mat:
    """A rows×cols matrix of floats, stored row by row."""

    __slots__ = ("rows", "cols", "values")

    def __init__(self, rows, cols, values):
        self.rows, self.cols, self.values = rows, cols, values

    def __repr__(self):
        return f"Mat({self.rows}, {self.cols}, {self.values})"

    def at(self, i, j):
        """Element (i, j), broadcasting a length-1 axis as numpy does."""
        return self.values[(i if self.rows > 1 else 0) * self.cols + (j if self.cols > 1 else 0)]

    @property
    def T(self):
        r, c, v = self.rows, self.cols, self.values
        return Mat(c, r, [v[i * c + j] for j in range(c) for i in range(r)])


def zip_with(f, *ms, rows=None, cols=None) -> Mat:
    """f applied element by element, with numpy's broadcasting of length-1 axes."""
    rows = rows or max(m.rows for m in ms)
    cols = cols or max(m.cols for m in ms)
    if all(m.rows == rows and m.cols == cols for m in ms):
        return Mat(rows, cols, [f(*xs) for xs in zip(*(m.values for m in ms))])
    return Mat(rows, cols, [f(*(m.at(i, j) for m in ms)) for i in range(rows) for j in range(cols)])


def matmul(a: Mat, b: Mat) -> Mat:
    bt = b.T.values
    av, k = a.values, a.cols
    out = []
    for i in range(a.rows):
        row = av[i * k : (i + 1) * k]
        for j in range(b.cols):
            out.append(_dot(row, bt[j * k : (j + 1) * k]))
    return Mat(a.rows, b.cols, out)


def _dot(u, v):
    total = 0.0
    for p, q in zip(u, v):
        total += p * q
    return total


def div(a, b):
    try:
        return a / b
    except ZeroDivisionError:
        return NAN if a == 0 or a != a else math.copysign(INF, a) * math.copysign(1.0, b)


def power(a, k):
    try:
        if k == round(k):
            return a ** int(k) if abs(k) < 2**31 else math.pow(a, k)
        if a < 0:  # numpy's complex power, real part (what numeric.Evaluator gives)
            return (complex(a) ** k).real
        return a**k
    except ZeroDivisionError:
        return INF
    except OverflowError:
        return INF if a > 0 or k % 2 == 0 else -INF
    except (ValueError, TypeError):
        return NAN


def _max(a, b):
    return NAN if a != a or b != b else (a if a >= b else b)


class Evaluator(SharedVisitor):
    """Values of expressions at fixed arrays ({Var: Mat}) and sizes ({Symbol: int})."""

    what = "float evaluator"

    def __init__(self, arrays, sizes):
        self.arrays, self.sizes = arrays, sizes
        self._consts = {}
        self.fixed = {}  # id(node) → value of subtrees a finite difference does not perturb

    def freeze(self, e, x) -> None:
        """Remember the value of every largest subtree of ``e`` free of ``x`` (at the current arrays)."""
        self.fixed = {}
        self._free(e, x, {})

    def _free(self, e, x, seen) -> bool:
        if id(e) in seen:
            return seen[id(e)]
        free = e != x if not e.args else all([self._free(a, x, seen) for a in e.args])
        seen[id(e)] = free
        if not free:
            for a in e.args:
                if seen[id(a)] and a.args:
                    self.fixed[id(a)] = self(a)
        return free

    def dim(self, s) -> int:
        return int(s) if s.is_Integer else self.sizes[s]

    def __call__(self, e) -> Mat:
        got = self.fixed.get(id(e))
        if got is not None:
            return got
        return self.visit_once(e)

    @on(E.Var)
    def _Var(self, e):
        return self.arrays[e]

    @on(E.Const)
    def _Const(self, e):
        v = e.value  # sympy is slow: convert each constant once per evaluator
        if v not in self._consts:
            self._consts[v] = float(v.subs(self.sizes) if v.free_symbols else v)
        return Mat(1, 1, [self._consts[v]])

    def _filled(self, e, value):
        r, c = self.dim(e.shape[0]), self.dim(e.shape[1])
        return Mat(r, c, [value] * (r * c))

    @on(E.Ones)
    def _Ones(self, e):
        return self._filled(e, 1.0)

    @on(E.Zero)
    def _Zero(self, e):
        return self._filled(e, 0.0)

    @on(E.Identity)
    def _Identity(self, e):
        n = self.dim(e.shape[0])
        return Mat(n, n, [1.0 if i == j else 0.0 for i in range(n) for j in range(n)])

    @on(E.Add)
    def _Add(self, e):
        terms = [self(t) for t in e.items]
        return zip_with(lambda *xs: sum(xs), *terms, rows=self.dim(e.shape[0]), cols=self.dim(e.shape[1]))

    @on(E.Mul)
    def _Mul(self, e):
        out = self(e.items[0])
        for f in e.items[1:]:
            out = zip_with(lambda a, b: a * b, out, self(f))
        return out

    @on(E.Div)
    def _Div(self, e):
        return zip_with(div, self(e.left), self(e.right))

    @on(E.Pow)
    def _Pow(self, e):
        return zip_with(power, self(e.left), self(e.right))

    @on(E.MatMul)
    def _MatMul(self, e):
        out = self(e.items[0])
        for f in e.items[1:]:
            out = matmul(out, self(f))
        return out

    @on(E.Transpose)
    def _Transpose(self, e):
        return self(e.arg).T

    @on(E.Dot)
    def _Dot(self, e):
        return Mat(1, 1, [_dot(self(e.left).values, self(e.right).values)])

    @on(E.Sum)
    def _Sum(self, e):
        return Mat(1, 1, [sum(self(e.arg).values)])

    @on(E.Diag)
    def _Diag(self, e):
        v = self(e.arg).values
        n = len(v)
        return Mat(n, n, [v[i] if i == j else 0.0 for i in range(n) for j in range(n)])

    @on(E.Step)
    def _Step(self, e):
        return zip_with(lambda a: 1.0 if a > 0 else 0.0, self(e.arg))

    @on(E.Max)
    def _Max(self, e):
        return zip_with(_max, self(e.left), self(e.right))

    @on(E.Func)
    def _Func(self, e):
        return zip_with(FUNCTIONS[e.name].python, self(e.arg))

    @on(E.Block)
    def _Block(self, e):
        return Mat(len(e.rows), len(e.rows[0]), [self(x).values[0] for row in e.rows for x in row])

    @on(E.Index)
    def _Index(self, e):
        a = self(e.arg)
        return Mat(1, a.cols, a.values[e.i * a.cols : (e.i + 1) * a.cols])

    @on(E.Cases)
    def _Cases(self, e):
        return zip_with(lambda c, hi, lo: hi if c > 0 else lo, self(e.arg), self(e.above), self(e.below))

    @on(E.Partial, M.Grad)
    def _Partial(self, e):
        raise SymcalcError(f"{e} is a label in a derivation, not a value")

    @on(M.Trace)
    def _Trace(self, e):
        a = self(e.arg)
        return Mat(1, 1, [sum(a.values[i * a.cols + i] for i in range(a.rows))])

    @on(M.Det)
    def _Det(self, e):
        return Mat(1, 1, [_det(self(e.arg))])

    @on(M.Inv)
    def _Inv(self, e):
        return _inverse(self(e.arg))

    @on(M.Norm)
    def _Norm(self, e):
        return Mat(1, 1, [math.sqrt(sum(v * v for v in self(e.arg).values))])

    @on(M.Softmax, M.LogSoftmax, M.LogSumExp)
    def _Along(self, e):
        a = self(e.arg)
        lines = _lines(a, e.axis)
        if isinstance(e, M.LogSumExp):
            out = [[_lse(line)] for line in lines]
        else:
            out = [[x - _lse(line) for x in line] for line in lines]
            if isinstance(e, M.Softmax):
                out = [[math.exp(x) for x in line] for line in out]
        return _from_lines(out, e.axis)


def _lines(a: Mat, axis):
    """The columns (axis 0) or the rows (axis 1) of ``a`` as lists."""
    if axis == 1:
        return [a.values[i * a.cols:(i + 1) * a.cols] for i in range(a.rows)]
    return [[a.values[i * a.cols + j] for i in range(a.rows)] for j in range(a.cols)]


def _from_lines(lines, axis) -> Mat:
    m = Mat(len(lines), len(lines[0]), [x for line in lines for x in line])
    return m if axis == 1 else m.T


def _lse(line):
    top = max(line)
    if not math.isfinite(top):
        return top
    return top + math.log(sum(math.exp(x - top) for x in line))


def _lu(a: Mat):
    """(rows of U after elimination with partial pivoting, sign of the permutation, pivot rows)."""
    n = a.rows
    rows = [list(a.values[i * n:(i + 1) * n]) for i in range(n)]
    sign = 1.0
    for k in range(n):
        p = max(range(k, n), key=lambda i: abs(rows[i][k]))
        if rows[p][k] == 0:
            return None, 0.0
        if p != k:
            rows[k], rows[p] = rows[p], rows[k]
            sign = -sign
        for i in range(k + 1, n):
            f = rows[i][k] / rows[k][k]
            rows[i] = [x - f * y for x, y in zip(rows[i], rows[k])]
    return rows, sign


def _det(a: Mat) -> float:
    rows, sign = _lu(a)
    if rows is None:
        return 0.0
    out = sign
    for k in range(a.rows):
        out *= rows[k][k]
    return out


def _inverse(a: Mat) -> Mat:
    """Gauss–Jordan; a singular matrix gives nan, as a point off the domain."""
    n = a.rows
    rows = [list(a.values[i * n:(i + 1) * n]) + [1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]
    for k in range(n):
        p = max(range(k, n), key=lambda i: abs(rows[i][k]))
        if rows[p][k] == 0:
            return Mat(n, n, [NAN] * (n * n))
        rows[k], rows[p] = rows[p], rows[k]
        pivot = rows[k][k]
        rows[k] = [x / pivot for x in rows[k]]
        for i in range(n):
            if i != k:
                f = rows[i][k]
                rows[i] = [x - f * y for x, y in zip(rows[i], rows[k])]
    return Mat(n, n, [x for row in rows for x in row[n:]])


def cost(e, sizes) -> int:
    """About how many float operations one evaluation of ``e`` takes at concrete ``sizes`` ({Symbol: int}):
    a product of r×k by k×c costs r·k·c, an inverse or determinant n³, anything else an operation per
    entry. A bound for what a check will do before it starts (finite differences evaluate the
    expression twice per entry of every variable).

    >>> from symcalc.expr import matrix
    >>> X, W = matrix("X", "N", "n"), matrix("W", "n", "k")
    >>> N, n, k = X.shape + W.shape[1:]
    >>> cost(X @ W, {N: 10, n: 20, k: 30})
    6800
    """
    def dim(s):
        return int(s) if s.is_Integer else sizes[s]

    total = 0
    for node in E.walk(e):
        rows, cols = (dim(s) for s in node.shape)
        if isinstance(node, E.MatMul):
            r = dim(node.items[0].shape[0])
            for f in node.items[1:]:
                total += r * dim(f.shape[0]) * dim(f.shape[1])
        elif isinstance(node, (M.Inv, M.Det)):
            total += dim(node.arg.shape[0]) ** 3
        elif isinstance(node, (E.Dot, E.Sum, M.Trace, M.Norm)):  # reductions: an operation per entry read
            total += dim(node.args[0].shape[0]) * dim(node.args[0].shape[1])
        else:
            total += rows * cols
    return total
