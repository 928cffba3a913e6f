"""Beyond the paper, for matrices: each rule in its backward (adjoint) form, G_out ↦ G_in.

A scalar L reached through Z gives dL = tr(G_Zᵀ dZ) with G_Z = ∂L/∂Z of Z's shape (the trace
rule); writing dZ in terms of the inputs' differentials and reading off each input's gradient is
each rule below. ``backward(b, e, G)`` yields ``(i, G_i)`` for every child i of ``e`` that the
backward pass ``b`` (:class:`symcalc.backward.Pull`) still needs; ``b.reduce`` sums a gradient over
the axes an operand was broadcast along.
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import expr as E
from .. import matrix_builders as MB
from ..expr import matrixnodes as M
from ..functions import FUNCTIONS
from .base import Rule, mm


def _A():
    return E.matrix("A", "n", "n")


def _X():
    return E.matrix("X", "N", "n")


@dataclass(frozen=True)
class MatMulBack(Rule):
    """Z = AB ⇒ G_A = G_Z Bᵀ, G_B = Aᵀ G_Z (dZ = dA B + A dB)."""

    nodes = (E.MatMul,)

    def backward(self, b, e, G):
        items = e.items
        for i, f in enumerate(items):
            if b.live(f):
                left = [E.transpose(x) for x in reversed(items[:i])]
                right = [E.transpose(x) for x in reversed(items[i + 1:])]
                yield i, mm(*left, G, *right)

    def example(self):
        return MB.sum_along(_X() @ E.matrix("W", "n", "m")), E.matrix("W", "n", "m")


@dataclass(frozen=True)
class AddBack(Rule):
    """Z = A + B ⇒ G_A = G_B = G_Z; an operand broadcast along an axis sums G_Z along it (A + 1⃗bᵀ ⇒ G_b = G_Zᵀ1⃗)."""

    nodes = (E.Add,)

    def backward(self, b, e, G):
        for i, t in enumerate(e.items):
            if b.live(t):
                yield i, b.reduce(G, t.shape)

    def example(self):
        X, W, c = _X(), E.matrix("W", "n", "m"), E.vector("c", "m")
        return MB.sum_along(E.apply("tanh", X @ W + MB.broadcast_row(c.T, "N"))), c


@dataclass(frozen=True)
class HadamardBack(Rule):
    """Z = A ⊙ B ⇒ G_A = G_Z ⊙ B, G_B = G_Z ⊙ A."""

    nodes = (E.Mul,)

    def backward(self, b, e, G):
        for i, f in enumerate(e.items):
            if b.live(f):
                others = e.items[:i] + e.items[i + 1:]
                yield i, b.reduce(E.mul(G, *others), f.shape)

    def example(self):
        A, B = _X(), E.matrix("B", "N", "n")
        return MB.sum_along(A * B * A), A


@dataclass(frozen=True)
class QuotientBack(Rule):
    """Z = A ⊘ B ⇒ G_A = G_Z ⊘ B, G_B = −G_Z ⊙ A ⊘ B²."""

    nodes = (E.Div,)

    def backward(self, b, e, G):
        a, d = e.left, e.right
        if b.live(a):
            yield 0, b.reduce(E.div(G, d), a.shape)
        if b.live(d):
            yield 1, b.reduce(E.neg(E.mul(G, E.div(a, E.power(d, 2)))), d.shape)

    def example(self):
        A = _X()
        return MB.sum_along(A / (A * A + 1)), A


@dataclass(frozen=True)
class PowerBack(Rule):
    """Z = A^k ⇒ G_A = G_Z ⊙ k A^(k−1); an exponent in the variable: G_k = sum(G_Z ⊙ Z ⊙ ln A)."""

    nodes = (E.Pow,)

    def backward(self, b, e, G):
        a, k = e.left, e.right
        if b.live(a):
            factor = E.mul(k, E.power(a, E.Const(k.value - 1))) if isinstance(k, E.Const) else k * a ** (k - 1)
            yield 0, b.reduce(E.mul(G, factor), a.shape)
        if b.live(k):
            yield 1, b.reduce(E.mul(G, e, E.apply("log", a)), k.shape)

    def example(self):
        A = _X()
        return MB.sum_along(A ** 3), A


@dataclass(frozen=True)
class FunctionBack(Rule):
    """H = f(Z) element-wise ⇒ G_Z = G_H ⊙ f′(Z)."""

    nodes = (E.Func,)

    def backward(self, b, e, G):
        yield 0, b.reduce(E.mul(G, FUNCTIONS[e.name].derivative(e.arg)), e.arg.shape)

    def example(self):
        A = _X()
        return MB.sum_along(E.apply("tanh", A)), A


@dataclass(frozen=True)
class MaxBack(Rule):
    """H = max(0, Z) ⇒ G_Z = G_H ⊙ [Z > 0]; max(A, B) passes G_H to the larger operand."""

    nodes = (E.Max,)

    def backward(self, b, e, G):
        a, c = e.left, e.right
        gap = c if a == E.zero() or a == E.Const(0) else c - a
        if b.live(c):
            yield 1, b.reduce(E.mul(G, E.Step(gap, gap.shape)), c.shape)
        if b.live(a):
            yield 0, b.reduce(E.mul(G, 1 - E.Step(gap, gap.shape)), a.shape)

    def example(self):
        A = _X()
        return MB.sum_along(E.relu(A) * A), A


@dataclass(frozen=True)
class StepBack(Rule):
    """H = [Z > 0] is piecewise constant: G_Z = 0 away from the kink."""

    nodes = (E.Step,)

    def backward(self, b, e, G):
        yield 0, E.zero(e.arg.shape)

    def example(self):
        A = _X()
        return MB.sum_along(E.Step(A, A.shape) * A), A


@dataclass(frozen=True)
class TransposeBack(Rule):
    """Z = Aᵀ ⇒ G_A = G_Zᵀ."""

    nodes = (E.Transpose,)

    def backward(self, b, e, G):
        yield 0, E.transpose(G)

    def example(self):
        A, B = _X(), E.matrix("B", "n", "N")
        return M.Trace(E.matmul(A.T, B.T)), A


@dataclass(frozen=True)
class DiagBack(Rule):
    """Z = diag(a) ⇒ G_a = (G_Z ⊙ I) 1⃗, the diagonal of G_Z (only Z's diagonal depends on a)."""

    nodes = (E.Diag,)

    def backward(self, b, e, G):
        yield 0, _diagonal(G)

    def example(self):
        return M.Trace(E.matmul(E.diag(E.vector("x")), _A())), E.vector("x")


def _diagonal(G):
    """The diagonal of the n×n G as a column, read off G's form where it can be (of p qᵀ: p ⊗ q; of sums,
    scalings and element-wise products, theirs; of diag(a): a), so no n×n matrix is built for it;
    (G ⊙ I) 1⃗ otherwise."""
    if G.is_scalar:  # a scalar spread over the matrix
        return G
    if isinstance(G, E.Diag):
        return G.arg
    if isinstance(G, E.Identity):
        return E.ones(G.shape[0])
    if isinstance(G, E.Transpose):
        return _diagonal(G.arg)
    if isinstance(G, E.Add):
        return E.add(*(_diagonal(t) for t in G.items))
    if isinstance(G, E.Mul):
        return E.mul(*(_diagonal(t) for t in G.items))
    n = G.shape[0]
    if isinstance(G, E.MatMul):  # an outer product p qᵀ: its factors split where a column meets a row
        for k in range(1, len(G.items)):
            p, q = mm(*G.items[:k]), mm(*G.items[k:])
            if p.shape == (n, E.ONE) and q.shape == (E.ONE, n):
                return E.mul(p, E.transpose(q))
    return E.matmul(E.mul(G, E.identity(n)), E.ones(n))


@dataclass(frozen=True)
class SumBack(Rule):
    """L = sum(A) ⇒ G_A = G_L 1⃗1⃗ᵀ (every element of A counts once)."""

    nodes = (E.Sum,)

    def backward(self, b, e, G):
        yield 0, E.mul(G, b.all_ones(e.arg.shape))

    def example(self):
        A = _X()
        return MB.sum_along(A), A


@dataclass(frozen=True)
class DotBack(Rule):
    """s = a·c ⇒ G_a = G_s c, G_c = G_s a."""

    nodes = (E.Dot,)

    def backward(self, b, e, G):
        if b.live(e.left):
            yield 0, E.mul(G, e.right)
        if b.live(e.right):
            yield 1, E.mul(G, e.left)

    def example(self):
        X = _X()
        return E.dot(MB.sum_along(E.apply("tanh", X), 1), E.vector("c", "N")), X


@dataclass(frozen=True)
class TraceBack(Rule):
    """s = tr(A) ⇒ G_A = G_s I (the Cookbook's ∂tr(XA)/∂X = Aᵀ follows by the product rule)."""

    nodes = (M.Trace,)

    def backward(self, b, e, G):
        yield 0, E.mul(G, E.identity(e.arg.shape[0]))

    def example(self):
        A, X = E.matrix("A", "n", "n"), E.matrix("X", "n", "n")
        return M.Trace(A @ X), X


@dataclass(frozen=True)
class DetBack(Rule):
    """s = det(A) ⇒ G_A = G_s det(A) A⁻ᵀ (Jacobi's formula; ∂ log det A/∂A = A⁻ᵀ)."""

    nodes = (M.Det,)

    def backward(self, b, e, G):
        yield 0, E.mul(G, e, E.transpose(MB.inv(e.arg)))

    def example(self):
        return E.apply("log", M.Det(_A())), _A()


@dataclass(frozen=True)
class InvBack(Rule):
    """Y = A⁻¹ ⇒ G_A = −A⁻ᵀ G_Y A⁻ᵀ (dY = −A⁻¹ dA A⁻¹)."""

    nodes = (M.Inv,)

    def backward(self, b, e, G):
        t = E.transpose(e)
        yield 0, E.neg(mm(t, G, t))

    def example(self):
        a, c = E.vector("a"), E.vector("c")
        return E.matmul(a.T, E.matmul(MB.inv(_A()), c)), _A()


@dataclass(frozen=True)
class NormBack(Rule):
    """s = ‖A‖ ⇒ G_A = G_s A/‖A‖ (2-norm of a vector, Frobenius norm of a matrix)."""

    nodes = (M.Norm,)

    def backward(self, b, e, G):
        yield 0, E.mul(E.div(G, e), e.arg)

    def example(self):
        A = _X()
        return M.Norm(A), A


@dataclass(frozen=True)
class SoftmaxBack(Rule):
    """P = softmax(Z) along each row ⇒ G_Z = P ⊙ (G_P − ((G_P ⊙ P)1⃗)1⃗ᵀ)."""

    nodes = (M.Softmax,)

    def backward(self, b, e, G):
        yield 0, E.mul(e, E.add(G, E.neg(b.spread(MB.sum_along(E.mul(G, e), e.axis), e))))

    def example(self):
        Z, Y = _X(), E.matrix("Y", "N", "n")
        return MB.sum_along(Y * MB.softmax(Z, 1)), Z


@dataclass(frozen=True)
class LogSoftmaxBack(Rule):
    """A = log_softmax(Z) along each row ⇒ G_Z = G_A − softmax(Z) ⊙ ((G_A 1⃗)1⃗ᵀ)."""

    nodes = (M.LogSoftmax,)

    def backward(self, b, e, G):
        p = MB.softmax(e.arg, e.axis)
        yield 0, E.add(G, E.neg(E.mul(p, b.spread(MB.sum_along(G, e.axis), e))))

    def example(self):
        Z, Y = _X(), E.matrix("Y", "N", "n")
        return MB.sum_along(Y * MB.log_softmax(Z, 1)), Z


@dataclass(frozen=True)
class LogSumExpBack(Rule):
    """l = logsumexp(Z) along each row ⇒ G_Z = softmax(Z) ⊙ (G_l 1⃗ᵀ)."""

    nodes = (M.LogSumExp,)

    def backward(self, b, e, G):
        yield 0, E.mul(MB.softmax(e.arg, e.axis), b.spread(G, e.arg))

    def example(self):
        Z = _X()
        return MB.sum_along(MB.logsumexp(Z, 1)), Z


def _rule(cls, key, name):
    return cls(key, "", name, cls.__doc__, "matrices")


MATMUL_BACK = _rule(MatMulBack, "matmul_back", "matrix product (backward)")
ADD_BACK = _rule(AddBack, "add_back", "sum and broadcast (backward)")
HADAMARD_BACK = _rule(HadamardBack, "hadamard_back", "element-wise product (backward)")
QUOTIENT_BACK = _rule(QuotientBack, "quotient_back", "element-wise quotient (backward)")
POWER_BACK = _rule(PowerBack, "power_back", "element-wise power (backward)")
FUNCTION_BACK = _rule(FunctionBack, "function_back", "element-wise function (backward)")
MAX_BACK = _rule(MaxBack, "max_back", "ReLU and element-wise max (backward)")
STEP_BACK = _rule(StepBack, "step_back", "indicator (backward)")
TRANSPOSE_BACK = _rule(TransposeBack, "transpose_back", "transpose (backward)")
DIAG_BACK = _rule(DiagBack, "diag_back", "diagonal matrix (backward)")
SUM_BACK = _rule(SumBack, "sum_back", "sum of all elements (backward)")
DOT_BACK = _rule(DotBack, "dot_back", "dot product (backward)")
TRACE_BACK = _rule(TraceBack, "trace_back", "trace (backward)")
DET_BACK = _rule(DetBack, "det_back", "determinant (backward)")
INV_BACK = _rule(InvBack, "inv_back", "inverse (backward)")
NORM_BACK = _rule(NormBack, "norm_back", "norm (backward)")
SOFTMAX_BACK = _rule(SoftmaxBack, "softmax_back", "softmax (backward)")
LOG_SOFTMAX_BACK = _rule(LogSoftmaxBack, "log_softmax_back", "log-softmax (backward)")
LOGSUMEXP_BACK = _rule(LogSumExpBack, "logsumexp_back", "log-sum-exp (backward)")

BACKWARD_RULES = (MATMUL_BACK, ADD_BACK, HADAMARD_BACK, QUOTIENT_BACK, POWER_BACK, FUNCTION_BACK, MAX_BACK,
                  STEP_BACK, TRANSPOSE_BACK, DIAG_BACK, SUM_BACK, DOT_BACK, TRACE_BACK, DET_BACK, INV_BACK, NORM_BACK,
                  SOFTMAX_BACK, LOG_SOFTMAX_BACK, LOGSUMEXP_BACK)
