"""Jacobians by the paper's rules, in numerator layout: ∂e/∂x is len(e)×len(x).

One small function per node type. Each returns the raw (unsimplified) Jacobian and notes
which rules it used; a node no rule covers raises :class:`UnsupportedError`.

>>> from symcalc.expr import vector
>>> w, x = vector("w"), vector("x")
>>> d = Differ(w)
>>> print(d(w * x), [r.number for r in d.used])
diag(x) I ['R5', 'R4']
"""
from __future__ import annotations

from . import expr as E
from .budget import spend
from .errors import UnsupportedError
from .functions import FUNCTIONS
from .rules import RULES
from .visitor import Visitor, on
from .shapes import ONE, fmt_shape, is_row, is_scalar, is_vectorish, length


def col(e):
    """A row vector as a column (same elements); columns and scalars unchanged."""
    return E.transpose(e) if is_row(e.shape) else e


def mm(*factors):
    """Raw matrix product that tolerates 1×1 factors (as scaling)."""
    scalars = [f for f in factors if f.is_scalar]
    others = [f for f in factors if not f.is_scalar]
    if not others:
        return E.mul(*scalars)
    prod = others[0] if len(others) == 1 else E.MatMul(tuple(others), (others[0].shape[0], others[-1].shape[1]))
    return E.mul(*scalars, prod) if scalars else prod


class Differ(Visitor):
    """Computes ∂e/∂x for one variable x, recording the rules used in ``self.used``."""

    def __init__(self, x: E.Var):
        if not is_vectorish(x.shape) or is_row(x.shape):
            raise UnsupportedError(
                f"differentiating with respect to {x.name} ({fmt_shape(x.shape)}) is not supported: "
                "symcalc differentiates with respect to scalars and column vectors"
            )
        self.x = x
        self.n = length(x.shape)
        self.used: list = []

    def use(self, key: str):
        rule = RULES[key]
        if rule not in self.used:
            self.used.append(rule)

    def __call__(self, e: E.Expr) -> E.Expr:
        spend(1 + len(e.args))
        if not is_vectorish(e.shape) and self.x.is_scalar:  # a matrix by a scalar: a matrix, entry by entry
            return self.by_scalar(e)
        if not E.depends(e, self.x):
            return E.zero((self.out(e), self.n))
        if not is_vectorish(e.shape):
            raise UnsupportedError(
                f"the derivative of the matrix-valued {e} ({fmt_shape(e.shape)}) with respect to "
                f"{self.x.name} is a tensor; symcalc handles scalar- and vector-valued expressions"
            )
        return self.visit(e)

    def unsupported(self, e):
        try:
            shown = f" {e}"
        except UnsupportedError:  # a node the printer does not know either
            shown = ""
        return UnsupportedError(f"no rule differentiates {type(e).__name__} node{shown}")

    def out(self, e):
        if not is_vectorish(e.shape):
            return e.shape[0] * e.shape[1]
        return length(e.shape)

    def by_scalar(self, e):
        """de/dx for a scalar x, of e's own shape: (AB)' = A'B + AB', (A ⊗ B)' = A' ⊗ B + A ⊗ B', (Aᵀ)' = A'ᵀ."""
        if not E.depends(e, self.x):
            return E.zero(e.shape)
        if is_vectorish(e.shape):  # a row's Jacobian comes back as a column: turn it to the row's shape
            return E.transpose(self(e)) if is_row(e.shape) else self(e)
        live = [i for i, f in enumerate(e.args) if E.depends(f, self.x)]
        if isinstance(e, E.Add):
            return E.add(*(self.by_scalar(e.items[i]) for i in live))
        if isinstance(e, E.Transpose):
            return E.transpose(self.by_scalar(e.arg))
        if isinstance(e, E.MatMul):
            return self.product_by_scalar(e)
        if isinstance(e, E.Mul):
            self.use("product")
            return E.add(*(E.mul(*e.items[:i], self.by_scalar(e.items[i]), *e.items[i + 1 :]) for i in live))
        if isinstance(e, E.Func):
            self.use("elementwise_unary")
            return E.mul(FUNCTIONS[e.name].derivative(e.arg), self.by_scalar(e.arg))
        raise UnsupportedError(f"no rule differentiates the matrix {e} ({fmt_shape(e.shape)}) by the scalar "
                               f"{self.x.name} ({type(e).__name__} of a matrix)")

    def product_by_scalar(self, e):
        """The product rule through a matrix product, each factor's derivative of its own shape."""
        f = e.items
        return E.add(*(mm(*f[:i], self.by_scalar(f[i]), *f[i + 1 :]) for i in range(len(f)) if E.depends(f[i], self.x)))

    # -- leaves
    @on(E.Var)
    def d_Var(self, e):
        self.use("identity")
        return E.one() if self.x.is_scalar else E.identity(self.n)

    # -- lifting a factor's Jacobian by the product of the others (R5, R7)
    def scaled(self, other, inner, e):
        """∂(other ⊙ f)/∂x from inner = ∂f/∂x, with scalar expansion either way (R5, R7)."""
        if is_scalar(other.shape):
            return inner if other == E.one() else E.mul(other, inner)
        if inner.shape[0] == 1:  # f is a scalar spread over the vector
            self.use("scalar_expansion")
            return mm(col(other), inner)
        return mm(E.diag(col(other)), inner)

    @on(E.Add)
    def d_Add(self, e):
        if sum(E.depends(t, self.x) for t in e.items) > 1:
            self.use("elementwise" if not e.is_scalar else "sum_rule")
        terms = []
        for t in e.items:
            if not E.depends(t, self.x):
                if isinstance(t, E.Const):
                    self.use("constant")
                continue
            j = self(t)
            if t.is_scalar and not e.is_scalar:
                self.use("scalar_expansion")
                j = mm(E.ones(self.out(e)), j)
            terms.append(j)
        return E.add(*terms)

    @on(E.Mul)
    def d_Mul(self, e):
        live = [i for i, f in enumerate(e.items) if E.depends(f, self.x)]
        if len(live) == 1 and all(E.is_const(f) for i, f in enumerate(e.items) if i != live[0]):
            self.use("constant_multiple")
        elif e.is_scalar:
            self.use("product" if len(live) > 1 else "constant_multiple")
        else:
            self.use("elementwise" if all(not f.is_scalar for f in e.items) else "scalar_expansion")
        terms = []
        for i in live:
            spend(len(e.items))  # the product of the others is rebuilt for every live factor
            others = e.items[:i] + e.items[i + 1 :]
            other = E.mul(*others) if others else E.one()
            terms.append(self.scaled(other, self(e.items[i]), e))
        return E.add(*terms)

    @on(E.Div)
    def d_Div(self, e):
        a, b = e.left, e.right
        self.use("elementwise" if not e.is_scalar else "quotient" if E.depends(b, self.x) else "constant_multiple")
        terms = []
        if E.depends(a, self.x):
            terms.append(self.scaled(E.div(1, b), self(a), e))
        if E.depends(b, self.x):
            terms.append(self.scaled(-(a / b**2), self(b), e))
        return E.add(*terms)

    @on(E.Pow)
    def d_Pow(self, e):
        a, k = e.left, e.right
        terms = []
        if E.depends(a, self.x):
            self.use("power" if e.is_scalar else "elementwise_unary")
            terms.append(self.scaled(k * a ** (k - 1) if not isinstance(k, E.Const) else _power_factor(a, k), self(a), e))
        if E.depends(k, self.x):
            self.use("exponential")
            terms.append(self.scaled(e * E.apply("log", a), self(k), e))
        return E.add(*terms)

    @on(E.Func)
    def d_Func(self, e):
        self.use("elementary" if e.is_scalar else "elementwise_unary")
        if e.name in ("sign",):
            self.use("piecewise_constant")
        return self.scaled(FUNCTIONS[e.name].derivative(e.arg), self(e.arg), e)

    @on(E.Max)
    def d_Max(self, e):
        a, b = e.left, e.right
        self.use("max_scalar" if e.is_scalar else "elementwise_max")
        gap = b if a == E.zero() or a == E.Const(0) else b - a
        terms = []
        if E.depends(b, self.x):
            terms.append(self.scaled(E.Step(gap, gap.shape), self(b), e))
        if E.depends(a, self.x):
            terms.append(self.scaled(1 - E.Step(gap, gap.shape), self(a), e))
        return E.add(*terms)

    @on(E.Step)
    def d_Step(self, e):
        self.use("piecewise_constant")
        return E.zero((self.out(e), self.n))

    @on(E.Sum)
    def d_Sum(self, e):
        self.use("sum_reduction")
        return mm(E.ones(self.out(e.arg)).T, self(e.arg))

    @on(E.Dot)
    def d_Dot(self, e):
        self.use("dot")
        terms = []
        if E.depends(e.left, self.x):
            terms.append(mm(E.transpose(e.right), self(e.left)))
        if E.depends(e.right, self.x):
            terms.append(mm(E.transpose(e.left), self(e.right)))
        return E.add(*terms)

    @on(E.Block)
    def d_Block(self, e):
        self.use("jacobian")
        items = list(e.args)
        if self.x.is_scalar:
            return E.stack([self(item) for item in items])
        if not self.n.is_Integer:
            raise UnsupportedError(f"a vector written out element by element, {e}, needs {self.x.name} of concrete size")
        k = int(self.n)
        rows = [_row_entries(self(item), k) for item in items]
        if any(r is None for r in rows):
            raise UnsupportedError(f"cannot write the Jacobian of {e} with respect to {self.x.name} element by element")
        return E.block(rows)

    @on(E.Index)
    def d_Index(self, e):
        """∂gᵢ/∂x is row i of ∂g/∂x, which must be written out to take it."""
        if e.arg == self.x:
            return _unit_row(int(self.n), e.i)
        from .simplify import simplify

        whole = simplify(self(e.arg))
        if isinstance(whole, E.Block):
            return E.block([list(whole.rows[e.i])])
        if isinstance(whole, E.Zero):
            return E.zero((ONE, self.n))
        raise UnsupportedError(f"cannot take row {e.i + 1} of the Jacobian of {e.arg}")

    @on(E.Transpose)
    def d_Transpose(self, e):
        self.use("transpose")
        return self(e.arg)

    @on(E.MatMul)
    def d_MatMul(self, e):
        factors = e.items
        if self.x.is_scalar:  # by a scalar each factor's derivative keeps its shape: (ABc)' = A'Bc + AB'c + ABc'
            self.use("product")
            d = self.product_by_scalar(e)
            return E.transpose(d) if is_row(e.shape) else d
        if is_row(e.shape):  # (ABc)ᵀ = cᵀBᵀAᵀ: differentiate the column with the same elements
            return self(E.MatMul(tuple(E.transpose(f) for f in reversed(factors)), (e.shape[1], ONE)))
        self.use("matvec")
        terms = []
        for i, f in enumerate(factors):
            if not E.depends(f, self.x):
                continue
            left, right = factors[:i], factors[i + 1 :]
            if f.shape[1] == 1:  # a column: the rest on the right is a 1×1 factor
                terms.append(mm(*left, self(f), *right))
            elif f.shape[0] == 1:  # a row meeting a column: a dot product (R9)
                self.use("dot")
                rest = mm(*right) if right else E.one()
                terms.append(mm(*left, E.transpose(rest), self(f)))
            else:
                raise UnsupportedError(
                    f"the product {e} depends on {self.x.name} through the matrix {f} "
                    f"({fmt_shape(f.shape)}); its derivative is a tensor"
                )
        return E.add(*terms)


def _unit_row(k: int, i: int):
    return E.block([[1 if j == i else 0 for j in range(k)]])


def _row_entries(row, k):
    """The k scalar entries of a 1×k Jacobian row, or None if it is not written out."""
    from .simplify import simplify

    row = simplify(row)
    if isinstance(row, E.Block):
        return list(row.rows[0])
    if isinstance(row, E.Zero):
        return [E.zero()] * k
    return None


def _power_factor(a, k):
    """k aᵏ⁻¹ with the exponent folded when k is a number."""
    return E.mul(k, E.power(a, E.Const(k.value - 1)))


def jacobian(e: E.Expr, x: E.Var):
    """Raw ∂e/∂x and the rules used."""
    d = Differ(x)
    return d(e), tuple(d.used)
