"""Every rewrite of the simplifier proves itself (issue 8): for each record in
``symcalc.rewrites.REWRITES``, random expressions the rewrite matches are evaluated before and
after it, at random points where the arguments of kinks have mixed signs (away from the kink).

The patterns put kinks of vectors inside matrix products, quadratic forms, sums, dot products and
scalar functions, so an element-wise rewrite applied through them (the ReLU-mask bug of issue 8)
changes a value and fails here, naming the rewrite.
"""
from __future__ import annotations

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

import symcalc as sc
from symcalc import expr as E
from symcalc.expr import matrixnodes as M
from symcalc.check import kink_arguments
from symcalc.numeric import Evaluator
from symcalc.rewrites import REWRITES, unmask_relu
from symcalc.shapes import ONE, size

N_, NN = size("n"), size("N")
SIZES = {N_: 3, NN: 4}
A, C = sc.scalar("a"), sc.scalar("c")
U, V, W = sc.vector("u"), sc.vector("v"), sc.vector("w")
P, Q = sc.vector("p", 2), sc.vector("q", 2)
B = sc.matrix("B", "n", "n")
LY, LM = sc.vector("y", "n", onehot=True), sc.matrix("Y", "n", "n", onehot=True)  # labels: entries, rows sum to 1
VARIABLES = (A, C, U, V, W, P, Q, B, LY, LM)
COL, ROW, MAT, TWO, S = (N_, ONE), (ONE, N_), (N_, N_), (size(2), ONE), (ONE, ONE)
ZERO = E.Const(sympy.Integer(0))


def k(value):
    return E.Const(sympy.nsimplify(value))


# ---------------------------------------------------------------- random operands


@st.composite
def term(draw, shape, depth=2):
    """A random expression of ``shape`` (scalar, column n, row n, n×n or column 2), kinks included."""
    if shape == ROW:
        return E.transpose(draw(term(COL, depth)))
    if shape == MAT:
        choice = draw(st.sampled_from(["B", "diag", "outer", "scaled"] if depth > 0 else ["B"]))
        if choice == "diag":
            return E.diag(draw(term(COL, depth - 1)))
        if choice == "outer":
            return E.MatMul((draw(term(COL, depth - 1)), draw(term(ROW, depth - 1))), MAT)
        if choice == "scaled":
            return draw(term(S, depth - 1)) * B
        return B
    leaves = {S: [A, C], COL: [U, V, W], TWO: [P, Q]}[shape]
    if depth <= 0 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(leaves))
    sub = lambda s=shape: term(s, depth - 1)  # noqa: E731
    choice = draw(st.sampled_from(["relu", "abs", "max", "mul", "add", "scale", "func", "reduce"]))
    if choice == "relu":
        return sc.relu(draw(sub()))
    if choice == "abs":
        return sc.abs_(draw(sub()))
    if choice == "max":
        return sc.maximum(draw(sub()), draw(sub()))
    if choice == "mul":
        return draw(sub()) * draw(sub())
    if choice == "add":
        return draw(sub()) - draw(sub())
    if choice == "scale":
        return draw(sub(S)) * draw(sub())
    if choice == "func":
        return sc.exp(sc.tanh(draw(sub())))
    if shape == S:  # reductions and quadratic forms of kinked vectors
        x, y = draw(sub(COL)), draw(sub(COL))
        return draw(st.sampled_from([sc.sum(x), x @ y, x.T @ B @ y, x.T @ B @ x]))
    if shape == COL:
        return B @ draw(sub())
    return draw(sub())


@st.composite
def with_inside(draw, shape, r, depth=2):
    """A random expression of ``shape`` with ``r`` placed inside it anywhere: element-wise or
    through products, quadratic forms, sums, dot products and scalar functions."""
    if shape == r.shape and (depth <= 0 or draw(st.booleans())):
        return r
    if depth <= 0:
        return draw(term(shape, 1))
    sub = lambda s=shape: with_inside(s, r, depth - 1)  # noqa: E731
    if shape == S:
        inner = draw(sub(r.shape)) if r.shape != S else draw(sub(COL))
        if inner.shape == COL:
            other = draw(st.sampled_from([inner, draw(term(COL, 1))]))
            pick = draw(st.sampled_from(["sum", "dot", "quad", "exp"]))
            return {"sum": lambda: sc.sum(inner), "dot": lambda: inner @ other,
                    "quad": lambda: inner.T @ B @ other, "exp": lambda: sc.exp(sc.tanh(sc.sum(inner)))}[pick]()
        return sc.exp(sc.tanh(inner)) * draw(term(S, 1))
    if shape == COL:
        pick = draw(st.sampled_from(["matvec", "mul", "scale", "add"]))
        if pick == "matvec":
            return B @ draw(sub())
        if pick == "scale":
            return draw(sub(S)) * draw(term(COL, 1))
        if pick == "mul":
            return draw(sub()) * draw(term(COL, 1))
        return draw(sub()) + draw(term(COL, 1))
    return draw(term(shape, 1))


def block2(draw, depth=1):
    return E.stack([draw(term(S, depth)), draw(term(S, depth))])


# ---------------------------------------------------------------- one pattern per rewrite


@st.composite
def mask_items(draw):
    """[a > 0] ⊗ max(0, a) ⊗ f, f holding max(0, a) anywhere: only the first may lose its max."""
    shape = draw(st.sampled_from([S, COL]))
    a = draw(term(shape, 1))
    r = E.Max(ZERO, a, shape)
    other = draw(st.sampled_from([S, COL]))
    wrapped = draw(st.sampled_from([r, E.Mul((r, draw(term(shape, 1))), shape), sc.abs_(r - draw(term(shape, 1)))]))
    return [E.Step(a, shape), wrapped, draw(with_inside(other, r))]


@st.composite
def mul_mask(draw):
    items = draw(mask_items())
    items = draw(st.permutations(items))
    shape = max((f.shape for f in items), key=lambda s: s != S)
    return E.Mul(tuple(items), shape)


@st.composite
def dot_mask(draw):
    a = draw(term(COL, 1))
    r = E.Max(ZERO, a, COL)
    inside = E.Mul((r, draw(with_inside(COL, r))), COL)
    pair = [E.Step(a, COL), inside]
    return E.Dot(*draw(st.permutations(pair)))


@st.composite
def add_collect(draw):
    shape = draw(st.sampled_from([S, COL]))
    x, y = draw(term(shape)), draw(term(shape))
    pool = [x, y, k(2) * x, -x, E.Mul((k(-3), y), shape), E.Zero(shape), k(2), A]
    items = draw(st.lists(st.sampled_from(pool), max_size=4))
    items += [x, draw(st.sampled_from([k(2) * x, -x, E.Zero(shape)]))]  # something to collect
    return E.Add(tuple(draw(st.permutations(items))), shape)


@st.composite
def mul_constants(draw):
    shape = draw(st.sampled_from([S, COL]))
    items = [draw(term(shape)), k(draw(st.sampled_from([1, 2, -0.5]))), k(draw(st.sampled_from([1, 3, -2])))]
    items += draw(st.lists(term(S, 1), max_size=2))
    return E.Mul(tuple(draw(st.permutations(items))), shape)


@st.composite
def mul_sign(draw):
    if draw(st.booleans()):
        x, y = draw(term(COL)), draw(term(COL))
        return E.Mul((k(-2), draw(term(S)), E.Add((x, -y), COL)), COL)
    x, y = draw(term(COL)), draw(term(COL))
    inner = draw(st.sampled_from([E.Sum(E.Add((x, -y), COL)), E.Dot(E.Add((x, -y), COL), draw(term(COL)))]))
    return E.Mul((k(-1), inner), S)


@st.composite
def mul_rows(draw):
    rows = [draw(term(ROW)), draw(term(ROW))]
    return E.Mul(tuple(draw(st.permutations(rows + draw(st.lists(term(S, 1), max_size=1))))), ROW)


def _row(x):
    return E.Transpose(x, (x.shape[1], x.shape[0]))


def _mm(*items):
    return E.MatMul(items, (items[0].shape[0], items[-1].shape[1]))


def _around(draw, middle):
    """A product with ``middle`` (a list of adjacent factors) somewhere inside it."""
    left = draw(st.sampled_from([[], [draw(term(MAT, 1))]])) if middle[0].shape[0] == N_ else []
    right = draw(st.sampled_from([[], [draw(term(COL, 1))]])) if middle[-1].shape[1] == N_ else []
    return _mm(*left, *middle, *right)


@st.composite
def diag_led(draw):
    """c diag(v) B…: scaled or not, with none, one or two (unsymmetric) factors after the diag."""
    body = E.diag(draw(term(COL)))
    rest = draw(st.lists(term(MAT, 1), max_size=2))
    body = _mm(body, *rest) if rest else body
    return draw(st.sampled_from([body, E.Mul((draw(term(S)), body), MAT)]))


def _diag_sum(draw):
    return E.Add(tuple(draw(st.lists(diag_led(), min_size=2, max_size=3))), MAT)


@st.composite
def ones_diag_sum(draw):
    """1⃗ᵀ Σ (numerator layout) or (Σ)ᵀ 1⃗ (denominator), Σ a sum of diag-led terms, inside a longer
    product that may be a matrix, a vector or a scalar (a reduction). Half the time a general row
    before such a sum, or a general column after its transpose, comes first: those must stay."""
    u, w = draw(term(COL, 1)), draw(term(COL, 1))
    if draw(st.booleans()):
        left = draw(st.sampled_from([[], [u]]))
        if draw(st.booleans()):
            left = [u, draw(term(ROW, 1)), _diag_sum(draw), w]  # yᵀ Σ' is not 1⃗ᵀ Σ'
        return _mm(*left, _row(E.Ones(COL)), _diag_sum(draw), *draw(st.sampled_from([[], [w]])))
    left = draw(st.sampled_from([[], [draw(term(MAT, 1))], [draw(term(ROW, 1))]]))
    if draw(st.booleans()):
        left = [E.Transpose(_diag_sum(draw), MAT), u, draw(term(ROW, 1))]  # Σ'ᵀ u is not Σ'ᵀ 1⃗
    right = draw(st.sampled_from([[], [draw(term(ROW, 1))]]))
    return _mm(*left, E.Transpose(_diag_sum(draw), MAT), E.Ones(COL), *right)


def _operand(draw, shape, s):
    """A random operand of ``shape``; sometimes a second quotient by s, of which only one may cancel."""
    a = draw(term(shape, 1))
    return E.Div(a, s, shape) if draw(st.integers(0, 3)) == 0 else a


def _deeper(draw, x, s):
    """x one level inside a matrix product, an element-wise product or a transpose (all linear in x)."""
    kinds = ["mul"] if x.is_scalar else ["mul", "transpose"] + ["left"] * 2 + ["right"] * 2
    kind = draw(st.sampled_from(kinds))
    if kind == "mul":
        return E.Mul((x, _operand(draw, x.shape, s)), x.shape)
    if kind == "transpose":
        return _row(x)
    if kind == "left":
        return _mm(_operand(draw, draw(st.sampled_from([MAT, ROW])) if x.shape[0] == N_ else COL, s), x)
    return _mm(x, _operand(draw, draw(st.sampled_from([MAT, COL])) if x.shape[1] == N_ else ROW, s))


def _same_shape(draw, x):
    """x inside a product that keeps its shape: B x for a column, x B for a row, either for a matrix,
    a ⊗ x for a scalar."""
    if x.shape == ROW:
        return _mm(x, draw(term(MAT, 1)))
    if x.shape == COL or x.shape == MAT and draw(st.booleans()):
        return _mm(draw(term(MAT, 1)), x)
    return _mm(x, draw(term(MAT, 1))) if x.shape == MAT else E.Mul((x, draw(term(S, 1))), S)


@st.composite
def cancel_inside(draw):
    """s ⊗ F(A ⊘ s), F a random stack of products and transposes; the result a scalar, a column,
    a row or a matrix. Decoys the rewrite must leave: a vector w ⊗ B(v ⊘ w) (cancels element by
    element only, never through B), s before quotients by s inside a sum or a function, and a second
    quotient by s (in the same product or another factor) that must keep its s."""
    s = draw(term(S)) * draw(term(S)) + 1
    a = draw(term(draw(st.sampled_from([COL, ROW, MAT]))))
    x = E.Div(a, s, a.shape)
    for _ in range(draw(st.integers(1, 3))):
        x = _deeper(draw, x, s)
    shape, items = x.shape, [s, x]
    if shape != S and draw(st.booleans()):
        w = draw(term(shape, 1))
        items += [w, _same_shape(draw, E.Div(draw(term(shape, 1)), w, shape))]
    if draw(st.booleans()):
        q = E.Div(draw(term(shape, 1)), s, shape)
        inside = draw(st.sampled_from([sc.exp(sc.tanh(q)), E.Add((q, draw(term(shape, 1))), shape)]))
        items.append(draw(st.sampled_from([inside, _same_shape(draw, inside)])))
    if draw(st.booleans()):
        items.append(_same_shape(draw, E.Div(draw(term(shape, 1)), s, shape)))
    return E.Mul(tuple(draw(st.permutations(items))), shape)


PATTERNS = {
    "add.blocks": st.composite(lambda draw: E.Add((block2(draw), block2(draw)), TWO))(),
    "add.collect": add_collect(),
    "mul.flatten": st.composite(lambda draw: E.Mul((draw(term(COL)), E.Mul((draw(term(COL)), draw(term(S))), COL)), COL))(),
    "mul.zero": st.composite(lambda draw: E.Mul((draw(term(COL)), draw(st.sampled_from([ZERO, E.Zero(COL)]))), COL))(),
    "mul.mask_relu": mul_mask(),
    "mul.constants": mul_constants(),
    "mul.ones": st.composite(lambda draw: E.Mul(tuple(draw(st.permutations([E.Ones(COL), draw(term(COL)), draw(term(S))]))), COL))(),
    "mul.blocks": st.composite(lambda draw: E.Mul((draw(term(S, 1)), block2(draw), block2(draw)), TWO))(),
    "mul.scale_block": st.composite(lambda draw: E.Mul((draw(term(S, 1)), block2(draw)), TWO))(),
    "mul.rows": mul_rows(),
    "mul.sign": mul_sign(),
    "div.zero": st.composite(lambda draw: E.Div(E.Zero(COL), draw(term(COL)) * draw(term(COL)) + 1, COL))(),
    "div.one": st.composite(lambda draw: (lambda x: E.Div(x, k(1), x.shape))(draw(term(draw(st.sampled_from([S, COL]))))))(),
    "div.constant": st.composite(lambda draw: E.Div(draw(term(COL)), k(draw(st.sampled_from([2, -3, 0.25]))), COL))(),
    "pow.one": st.composite(lambda draw: E.Pow(draw(term(COL)), k(1), COL))(),
    "pow.zero": st.composite(lambda draw: E.Pow(draw(term(COL)), ZERO, COL))(),
    "pow.constants": st.composite(lambda draw: E.Pow(k(draw(st.sampled_from([2, -3, 0.5]))), k(draw(st.sampled_from([2, 3, -1]))), S))(),
    "matmul.flatten": st.composite(lambda draw: _mm(draw(term(MAT)), _mm(draw(term(MAT)), draw(term(COL)))))(),
    "matmul.zero": st.composite(lambda draw: _mm(draw(term(MAT)), E.Zero(COL)))(),
    "matmul.coefficients": st.composite(lambda draw: draw(st.sampled_from([
        _mm(draw(term(MAT)), E.Mul((draw(term(S)), draw(term(COL))), COL)),
        _mm(draw(term(COL)), draw(term(S)), draw(term(ROW))),
    ])))(),
    "matmul.identity": st.composite(lambda draw: _around(draw, [E.Identity(MAT), draw(term(MAT))]))(),
    "matmul.row_diag": st.composite(lambda draw: _around(draw, [_row(draw(term(COL))), E.diag(draw(term(COL)))]))(),
    "matmul.diag_diag": st.composite(lambda draw: _around(draw, [E.diag(draw(term(COL))), E.diag(draw(term(COL)))]))(),
    "matmul.diag_column": st.composite(lambda draw: _around(draw, [E.diag(draw(term(COL))), draw(term(COL))]))(),
    "matmul.ones_column": st.composite(lambda draw: _mm(_row(E.Ones(COL)), draw(term(COL))))(),
    "matmul.row_ones": st.composite(lambda draw: _mm(_row(draw(term(COL))), E.Ones(COL)))(),
    "matmul.dot": st.composite(lambda draw: _around(draw, [_row(draw(term(COL))), draw(term(COL))]))(),
    "transpose.product": st.composite(lambda draw: E.transpose(_mm(_row(draw(term(MAT))), draw(term(COL)))))(),
    "transpose.symmetric": st.composite(lambda draw: E.Transpose(draw(st.sampled_from([E.diag(draw(term(COL))), E.Identity(MAT)])), MAT))(),
    "transpose.zero": st.composite(lambda draw: E.Transpose(E.Zero(COL), ROW))(),
    "transpose.scalars": st.composite(lambda draw: E.Transpose(E.Mul((draw(term(S)), draw(term(COL))), COL), ROW))(),
    "diag.ones": st.just(E.Diag(E.Ones(COL), MAT)),
    "diag.zero": st.just(E.Diag(E.Zero(COL), MAT)),
    "diag.scaled_ones": st.composite(lambda draw: E.Diag(E.Mul((draw(term(S)), E.Ones(COL)), COL), MAT))(),
    "sum.zero": st.just(E.Sum(E.Zero(COL))),
    "sum.ones": st.just(E.Sum(E.Ones(COL))),
    "sum.dot": st.composite(lambda draw: E.Sum(E.Mul((draw(term(S)), draw(term(COL)), draw(term(COL))), COL)))(),
    "sum.scalars": st.composite(lambda draw: E.Sum(E.Mul((draw(term(S)), draw(term(COL))), COL)))(),
    "dot.mask_relu": dot_mask(),
    "dot.zero": st.composite(lambda draw: E.Dot(E.Zero(COL), draw(term(COL))))(),
    "dot.ones": st.composite(lambda draw: E.Dot(*draw(st.permutations([E.Ones(COL), draw(term(COL))]))))(),
    "step.constant": st.composite(lambda draw: E.Step(k(draw(st.sampled_from([2, -1, 0, 0.5]))), S))(),
    "index.block": st.composite(lambda draw: E.Index(block2(draw), draw(st.sampled_from([0, 1]))))(),
    "block.zero": st.just(E.block([[0], [0]])),
    "block.diag": st.composite(lambda draw: E.Block(((draw(term(S)), ZERO), (ZERO, draw(term(S)))), (size(2), size(2))))(),
    # issue 12: the all-ones operand of ⊗ in each shape; a scalar cancelled against its quotient; traces
    "mul.all_ones": st.composite(lambda draw: (lambda shape: E.Mul(tuple(draw(st.permutations(
        [_all_ones(shape), draw(term(shape)), draw(term(S))]))), shape))(draw(st.sampled_from([MAT, ROW, COL]))))(),
    "mul.cancel_quotient": st.composite(lambda draw: (lambda s, m: E.Mul(tuple(draw(st.permutations(
        [s, E.Div(m, s, m.shape)]))), m.shape))(draw(term(S)) * draw(term(S)) + 1, draw(term(
            draw(st.sampled_from([MAT, COL, S]))))))(),
    "trace.identity": st.just(M.Trace(E.identity(N_))),
    "trace.transpose": st.composite(lambda draw: M.Trace(E.transpose(draw(term(MAT)))))(),
    "matmul.onehot": st.composite(lambda draw: draw(st.sampled_from([
        E.MatMul((draw(term(MAT)), LM, E.Ones(COL)), COL), E.MatMul((draw(term(ROW)), LM, E.Ones(COL)), S),
        E.MatMul((E.transpose(E.Ones(COL)), E.transpose(LM), draw(term(COL))), S),
        E.MatMul((E.transpose(E.Ones(COL)), E.transpose(LM), draw(term(MAT))), ROW)])))(),
    "sum.onehot": st.sampled_from([E.Sum(LY), E.Sum(LM)]),
    "add.factor": st.one_of(st.composite(lambda draw: (lambda f: E.Add(tuple(draw(st.permutations([
        E.Mul((k(-1), f, draw(term(MAT))), MAT), E.Mul((f, draw(term(MAT))), MAT),
        E.Mul((draw(term(S)), f, draw(term(MAT))), MAT)]))), MAT))(draw(st.sampled_from([A, C, sc.exp(A)]))))(),
        st.composite(lambda draw: E.Add(tuple(draw(st.permutations([  # coefficients −1/n, 2/n: sizes
            E.Mul((E.Const(-1 / N_), draw(term(MAT))), MAT), E.Mul((E.Const(2 / N_), draw(term(MAT))), MAT)]))),
            MAT))()),
    "add.common_left": st.composite(lambda draw: (lambda F: draw(st.sampled_from([
        E.Add((E.Mul((draw(term(S)), E.MatMul((F, draw(term(MAT))), MAT)), MAT), E.MatMul((F, draw(term(MAT))), MAT),
               draw(term(MAT))), MAT),
        E.Add((E.Transpose(E.MatMul((B, U), COL), ROW), E.MatMul((E.transpose(U), F), ROW)), ROW)])))(
            draw(term(MAT))))(),
    "add.common_right": st.composite(lambda draw: (lambda F: E.Add((
        E.MatMul((draw(term(ROW)), F), ROW), E.Mul((draw(term(S)), E.MatMul((draw(term(ROW)), F), ROW)), ROW)),
        ROW))(draw(term(MAT))))(),
    "add.transposes": st.composite(lambda draw: E.Add((E.Mul((draw(term(S)), E.transpose(draw(term(COL)))), ROW),
                                                       E.transpose(draw(term(COL)))), ROW))(),
    "add.dots": st.composite(lambda draw: (lambda x, f, g: E.Add((  # see also test_dots_scaling_vectors_stay
        E.Dot(x, f / sc.exp(g) * sc.exp(g)), E.Mul((draw(term(S)), E.Dot(x, draw(term(COL)))), S)), S))(
            draw(term(COL)), draw(term(COL)), draw(term(COL))))(),
    "matmul.distribute_row": st.composite(lambda draw: E.MatMul((draw(term(ROW)), E.Add(tuple(draw(st.permutations([
        E.MatMul((E.Ones(COL), draw(term(ROW))), MAT), E.Mul((draw(term(S)), E.identity(N_)), MAT),
        draw(term(MAT))]))), MAT), draw(term(COL))), S))(),
    "transpose.sum": st.composite(lambda draw: (lambda m, c, q: E.Transpose(E.Add(tuple(draw(st.permutations([
        m, E.transpose(m), E.Mul((c, q), MAT), E.Mul((c, E.transpose(q)), MAT)]))), MAT), MAT))(
            draw(term(MAT)), draw(term(S)), draw(st.sampled_from([B, E.MatMul((U, E.transpose(V)), MAT)]))))(),
    "sum.outer": st.composite(lambda draw: E.Sum(E.Mul(tuple(draw(st.permutations([
        draw(term(S)), E.MatMul((draw(term(COL)), draw(term(ROW))), MAT), draw(term(MAT))]))), MAT)))(),
    "matmul.ones_diag_sum": ones_diag_sum(),
    "mul.cancel_quotient_inside": cancel_inside(),
}


def _all_ones(shape):
    return {MAT: E.MatMul((E.Ones(COL), E.transpose(E.Ones(COL))), MAT), ROW: E.transpose(E.Ones(COL)),
            COL: E.Ones(COL)}[shape]


# ---------------------------------------------------------------- the check


def _values(e, arrays):
    with np.errstate(all="ignore"):
        return Evaluator(arrays, SIZES)(e)


def _points(exprs, rng, want=3):
    """Points with mixed signs where every kink argument is at least 1e-3 from zero."""
    kinks = [a for e in exprs for a in kink_arguments(e)]
    found = []
    for _ in range(200):
        arrays = {}
        for var in VARIABLES:
            shape = tuple(int(s) if s.is_Integer else SIZES[s] for s in var.shape)
            arrays[var] = rng.uniform(0.2, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
            if E.is_onehot(var):  # a label: the entries of a vector, each row of a matrix, sum to 1
                raw = rng.uniform(0.1, 1.0, shape)
                arrays[var] = raw / raw.sum(axis=0 if shape[1] == 1 else 1, keepdims=True)
        if all(np.all(np.abs(_values(a, arrays)) > 1e-3) for a in kinks):
            found.append(arrays)
            if len(found) == want:
                break
    return found


def mismatch(before, after, seed=0) -> float:
    """The worst relative difference of two expressions over a few random points."""
    worst = 0.0
    for arrays in _points([before, after], np.random.default_rng(seed)):
        x, y = _values(before, arrays), _values(after, arrays)
        y = np.broadcast_to(y, x.shape)
        worst = max(worst, float(np.max(np.abs(x - y)) / max(1.0, float(np.max(np.abs(x))))))
    return worst


BY_NAME = {r.name: r for r in REWRITES}


def test_every_rewrite_has_a_soundness_pattern():
    assert set(PATTERNS) == set(BY_NAME), "a rewrite without a pattern here is a rewrite nobody tested"


@pytest.mark.parametrize("name", sorted(BY_NAME))
@settings(max_examples=30, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_rewrite_keeps_every_value(name, data):
    rule = BY_NAME[name]
    before = data.draw(PATTERNS[name])
    assert isinstance(before, rule.node), f"the pattern for {name} builds a {type(before).__name__}"
    after = rule(before)
    assert after is not None and after != before, f"{name} did not match its own pattern {before}"
    assert after.shape == before.shape, f"{name} changed the shape of {before}"
    err = mismatch(before, after)
    assert err < 1e-9, f"rewrite {name} changed a value: {before}  →  {after} (relative error {err:.2e})"


def test_the_mask_pattern_catches_the_old_global_replacement():
    """The soundness test can fail: replacing max(0, a) everywhere (the bug of issue 8) is found."""

    def old(e):
        a = next(f.arg for f in e.items if isinstance(f, E.Step))
        relus = {E.Max(ZERO, a, a.shape): a}
        return E.Mul(tuple(f if isinstance(f, E.Step) else E.replace(f, relus) for f in e.items), e.shape)

    bad = find(mul_mask(), lambda e: mismatch(e, old(e)) > 1e-3,
               settings=settings(max_examples=500, database=None, derandomize=True, deadline=None))
    assert mismatch(bad, BY_NAME["mul.mask_relu"](bad)) < 1e-9


def test_mask_follows_elementwise_structure_only():
    z = U
    r = sc.relu(z)
    items = unmask_relu([E.Step(z, COL), r * V, B @ r, sc.abs_(r + V)])
    assert items[1] == z * V and items[2] == B @ r and items[3] == sc.abs_(z + V)
    quad = E.Mul((E.Step(z, COL), r.T @ B @ r * V), COL)
    assert unmask_relu(quad.items)[1] == r.T @ B @ r * V  # a scalar made of all of max(0, z)
    scalar = unmask_relu([E.Step(A, S), sc.exp(sc.relu(A)) * (B @ (sc.relu(A) * U))])
    assert scalar[1] == sc.exp(A) * (B @ (A * U))  # a scalar mask zeroes the whole product


def test_the_label_rewrites_need_the_onehot_declaration():
    """Y1⃗ = 1⃗ holds for labels only: the same product of a plain matrix is left alone, and forcing
    the rewrite on it changes the value, which this file's check would catch."""
    plain = E.MatMul((B, B, E.Ones(COL)), COL)
    assert BY_NAME["matmul.onehot"](plain) is None and BY_NAME["sum.onehot"](E.Sum(B)) is None
    forced = E.MatMul((B, E.Ones(COL)), COL)
    assert mismatch(plain, forced) > 1e-3
    label = E.MatMul((B, LM, E.Ones(COL)), COL)
    assert mismatch(label, BY_NAME["matmul.onehot"](label)) < 1e-9


def test_dots_scaling_vectors_stay():
    """(v·z)v + (v·v)z is a vector: merging its dot products into one sum (found by the matrix property
    test) would change its value."""
    e = E.Add((E.Mul((E.Dot(U, V), U), COL), E.Mul((E.Dot(U, U), V), COL)), COL)
    assert BY_NAME["add.dots"](e) is None


def test_a_lone_scalar_in_a_matrix_sum_keeps_its_shape():
    """(2)ᵀ of an n×n sum holding only the scalar 2 (found by the matrix property test) stays n×n."""
    lone = E.Transpose(E.Add((k(2),), MAT), MAT)
    assert BY_NAME["transpose.sum"](lone) is None


def test_a_vector_quotient_cancels_element_by_element_only():
    """w ⊗ (B (v ⊘ w)) is not Bv: the quotient by a vector passes no matrix product, so the rewrite
    that cancels a scalar's quotient through products leaves it (forcing it would change the value)."""
    e = E.Mul((W, E.MatMul((B, E.Div(V, W, COL)), COL)), COL)
    assert BY_NAME["mul.cancel_quotient_inside"](e) is None
    assert mismatch(e, E.MatMul((B, V), COL)) > 1e-3


def test_only_the_all_ones_row_passes_a_diag_sum():
    """yᵀ(diag(u) B + diag(v)) stays: yᵀdiag(u) is (y ⊗ u)ᵀ, not uᵀ (reading it as 1⃗ᵀ would be wrong)."""
    s = E.Add((E.MatMul((E.diag(U), B), MAT), E.diag(V)), MAT)
    e = E.MatMul((E.transpose(W), s), ROW)
    assert BY_NAME["matmul.ones_diag_sum"](e) is None
    assert mismatch(e, E.Add((E.MatMul((E.transpose(U), B), ROW), E.transpose(V)), ROW)) > 1e-3
