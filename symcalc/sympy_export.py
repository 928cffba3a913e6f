"""A whole closed form as a sympy object, for users: :attr:`Derivation.result` and the JSON ``srepr``.

Vectors and matrices become sympy matrix expressions (``to_sympy``); ``to_plain`` writes them so
that sympy's own tools (lambdify, latex, simplify) take them, with explicit matrices at concrete
sizes. (Scalar pieces for simplification go through :mod:`symcalc.sympy_scalars`.)

>>> from symcalc.expr import vector
>>> w, x = vector("w"), vector("x")
>>> to_sympy(w @ x)
Trace(w.T*x)
"""
from __future__ import annotations

import sympy
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.diagonal import DiagMatrix
from sympy.matrices.expressions.matexpr import MatrixElement

from . import expr as E
from . import matrix_builders as MB
from .expr import matrixnodes as M
from .functions import FUNCTIONS
from .visitor import Visitor, on


def to_sympy(e: E.Expr):
    """The sympy object for an expression: matrix expressions for vectors and matrices."""
    return _ToFull()(e)


class _ToFull(Visitor):
    what = "conversion to sympy"

    def __call__(self, e):
        return self.visit(e)

    @on(E.Var)
    def _Var(self, e):
        if e.is_scalar:
            return sympy.Symbol(e.name)
        return sympy.MatrixSymbol(e.name, *e.shape)

    @on(E.Const)
    def _Const(self, e):
        return e.value

    @on(E.Ones)
    def _Ones(self, e):
        return sympy.OneMatrix(*e.shape)

    @on(E.Zero)
    def _Zero(self, e):
        return sympy.Integer(0) if e.is_scalar else sympy.ZeroMatrix(*e.shape)

    @on(E.Identity)
    def _Identity(self, e):
        return sympy.Identity(e.shape[0])

    def _expand(self, item, shape):
        """A scalar meeting a vector is really that scalar times 1⃗ (R7)."""
        s = self(item)
        return self.scale(s, sympy.OneMatrix(*shape)) if item.is_scalar and not E.is_scalar(shape) else s

    def scale(self, c, m):
        """c·M (a hook: the plain converter builds it differently)."""
        return c * m

    @on(E.Add)
    def _Add(self, e):
        return sympy.Add(*(self._expand(t, e.shape) for t in e.items)) if e.is_scalar else sympy.MatAdd(
            *(self._expand(t, e.shape) for t in e.items))

    @on(E.Mul)
    def _Mul(self, e):
        scalars = [self(f) for f in e.items if f.is_scalar]
        others = [self(f) for f in e.items if not f.is_scalar]
        coeff = sympy.Mul(*scalars)
        if not others:
            return coeff
        body = others[0] if len(others) == 1 else sympy.HadamardProduct(*others)
        return self.scale(coeff, body) if coeff != 1 else body

    @on(E.Div)
    def _Div(self, e):
        if e.is_scalar:
            return self(e.left) / self(e.right)
        inv = sympy.HadamardPower(self._expand(e.right, e.shape), -1)
        left = self._expand(e.left, e.shape)
        return sympy.HadamardProduct(left, inv)

    @on(E.Pow)
    def _Pow(self, e):
        if e.is_scalar:
            return sympy.Pow(self(e.left), self(e.right))
        return sympy.HadamardPower(self._expand(e.left, e.shape), self(e.right))

    def _elementwise(self, f, arg, shape):
        a = self._expand(arg, shape)
        v = sympy.Symbol("t")  # not a Dummy: srepr must round-trip to an equal object
        if isinstance(a, ElementwiseApplyFunction):  # f(g(M)) as one function of M: sympy would compose
            inner, a = a.function, a.expr  # the two itself (in doit) over a new Dummy, in every run
            return ElementwiseApplyFunction(sympy.Lambda(v, f(inner(v))), a)
        return ElementwiseApplyFunction(sympy.Lambda(v, f(v)), a)

    @on(E.Func)
    def _Func(self, e):
        f = FUNCTIONS[e.name].sympy_formula()
        return f(self(e.arg)) if e.is_scalar else self._elementwise(f, e.arg, e.shape)

    @on(E.Max)
    def _Max(self, e):
        if e.is_scalar:
            return sympy.Max(self(e.left), self(e.right))
        if e.left.is_scalar:
            c = self(e.left)
            return self._elementwise(lambda v: sympy.Max(c, v), e.right, e.shape)
        if e.right.is_scalar:
            c = self(e.right)
            return self._elementwise(lambda v: sympy.Max(v, c), e.left, e.shape)
        # sympy has no element-wise max of two matrices: max(a, b) = (a + b + |a − b|)/2, entry by entry
        # (a JSON srepr, and Derivation.result, of max(w, v) ⊗ … refused the whole derivation)
        a, b = self(e.left), self(e.right)
        v = sympy.Symbol("t")
        spread = ElementwiseApplyFunction(sympy.Lambda(v, sympy.Abs(v)), sympy.MatAdd(a, sympy.MatMul(-1, b)))
        return self.scale(sympy.Rational(1, 2), sympy.MatAdd(a, b, spread))

    @on(E.Step)
    def _Step(self, e):
        if e.is_scalar:
            return sympy.Heaviside(self(e.arg), 0)
        return self._elementwise(lambda v: sympy.Heaviside(v, 0), e.arg, e.shape)

    @on(E.MatMul)
    def _MatMul(self, e):
        product = sympy.MatMul(*map(self, e.items))
        # a 1×1 product of matrices (qᵀWu) is a scalar: sin(qᵀWu) of a 1×1 MatMul failed in sympy
        return self.entry(product) if e.is_scalar and getattr(product, "is_Matrix", False) else product

    def entry(self, m):
        """The scalar in a 1×1 matrix expression: its trace here, as for w·x (the plain converter indexes)."""
        return sympy.Trace(m)

    @on(E.Transpose)
    def _Transpose(self, e):
        return sympy.Transpose(self(e.arg))

    # w·x as the trace of the 1×1 product wᵀx: a scalar sympy can evaluate and substitute into,
    # without the Dummy indices that indexing a product creates (srepr must round-trip).
    @on(E.Dot)
    def _Dot(self, e):
        return sympy.Trace(sympy.Transpose(self(e.left)) * self(e.right))

    @on(E.Sum)
    def _Sum(self, e):
        rows, cols = e.arg.shape
        return sympy.Trace(sympy.OneMatrix(1, rows) * self(e.arg) * sympy.OneMatrix(cols, 1))

    @on(E.Diag)
    def _Diag(self, e):
        return DiagMatrix(self(e.arg))

    @on(E.Block)
    def _Block(self, e):
        return sympy.ImmutableMatrix([[self(x) for x in row] for row in e.rows])

    @on(E.Index)
    def _Index(self, e):
        return self(e.arg)[e.i, 0]

    @on(E.Cases)
    def _Cases(self, e):
        return sympy.Heaviside(self(e.arg), 0) * self(e.above) + (1 - sympy.Heaviside(self(e.arg), 0)) * self(e.below)

    @on(M.Trace)
    def _Trace(self, e):
        return sympy.Trace(self(e.arg))

    @on(M.Det)
    def _Det(self, e):
        return sympy.Determinant(self(e.arg))

    @on(M.Inv)
    def _Inv(self, e):
        return sympy.Inverse(self(e.arg))

    @on(M.Norm, *M.ALONG)
    def _Spelled(self, e):
        return self(MB.spelled_out(e))


# ---------------------------------------------------------------- plain conversion (Derivation.result)


def to_plain(e: E.Expr):
    """The sympy object for ``Derivation.result``: what sympy's own tools (lambdify with numpy, latex,
    simplify) accept. Reductions are the single entry of a 1×1 product, ``(wᵀx)[0, 0]``, not a
    Trace (numpy's printer has none); with concrete sizes a vector or matrix is an explicit Matrix
    in the elements ``w[i, 0]``, so element-wise functions lambdify too.

    >>> from symcalc.expr import vector
    >>> w, x = vector("w"), vector("x")
    >>> to_plain(w @ x)
    (w.T*x)[0, 0]
    >>> to_plain(vector("v", 2) * 3)
    Matrix([
    [3*v[0, 0]],
    [3*v[1, 0]]])
    """
    s = _ToPlain()(e)
    sizes = [*e.shape, *(d for v in E.variables(e) for d in v.shape)]
    concrete = all(sympy.sympify(d).is_Integer for d in sizes)
    return s.as_explicit() if concrete and not e.is_scalar else s


class _ToPlain(_ToFull):
    def entry(self, m):
        return MatrixElement(m, 0, 0)

    @on(E.Dot)
    def _Dot(self, e):
        return MatrixElement(sympy.Transpose(self(e.left)) * self(e.right), 0, 0)

    @on(E.Sum)
    def _Sum(self, e):
        rows, cols = e.arg.shape
        return MatrixElement(sympy.OneMatrix(1, rows) * self(e.arg) * sympy.OneMatrix(cols, 1), 0, 0)

    @on(E.Cases)
    def _Cases(self, e):  # no 0·(…) term: adding a zero matrix makes sympy expand (wᵀx)[0, 0] into a Sum
        step = sympy.Heaviside(self(e.arg), 0)
        terms = [(step, e.above), (1 - step, e.below)]
        return sympy.Add(*(_scale(c, self(t)) for c, t in terms if not isinstance(t, E.Zero)))

    def scale(self, c, m):
        return _scale(c, m)


def _scale(c, m):
    """c·M built as MatMul(c, M): the * operator would expand a (wᵀx)[0, 0] inside c into a Sum."""
    return sympy.MatMul(c, m) if getattr(m, "is_Matrix", False) else c * m
