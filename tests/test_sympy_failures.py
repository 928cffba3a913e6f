"""Where sympy 1.14's matrix derivatives go wrong (../shared/design-notes.md), in symcalc's API.

Each case is checked numerically against finite differences and, where the paper or the algebra
gives a closed form, structurally. symcalc must never return sympy's silent zeros or wrong shapes.
"""
from __future__ import annotations

import numpy as np
import pytest

import symcalc as sc
from helpers import checked

w, x = sc.vector("w"), sc.vector("x")
b, z = sc.scalar("b"), sc.scalar("z")
X, y, N = sc.matrix("X", "N", "n"), sc.vector("y", "N"), sc.scalar("N")
A = sc.matrix("A", "m", "n")


def closed(expr, wrt):
    return str(checked(sc.derive(expr, wrt)).closed_form(wrt))


def test_silent_zero_affine_indexed_product():  # ((w.T*x)[0,0] + b).diff(w) -> 0 in sympy
    assert closed(w.T @ x + b, w) == "xᵀ"


@pytest.mark.parametrize("bias, want", [(0.5, [[3.0, 4.0]]), (-20.0, [[0.0, 0.0]])])
def test_silent_zero_neuron(bias, want):  # Max(0, (w.T*x)[0,0] + b).diff(w) -> 0 in sympy
    d = checked(sc.derive(sc.relu(w @ x + b), w))
    np.testing.assert_array_equal(d.evaluate({w: [1, 2], x: [3, 4], b: bias}), want)


def test_silent_zero_x_dot_x():  # (x.T*x)[0,0].diff(x) -> 0 in sympy
    assert closed(x @ x, x) == "2 xᵀ"


def test_silent_zero_log_sum_exp():  # log((OneMatrix(1,n)*x.applyfunc(exp))[0,0]).diff(x) -> 0
    assert closed(sc.log(sc.sum(sc.exp(x))), x) == "(1/sum(exp(x))) exp(x)ᵀ"  # the softmax, as a row


@pytest.mark.parametrize("inner", ["plain", "relu"])
def test_silent_zero_paper_literal_loss(inner):  # the loss written with Sum over samples -> 0
    z_ = X @ w + b
    pred = sc.relu(z_) if inner == "relu" else z_
    d = checked(sc.derive(sc.sum((y - pred) ** 2) / N, [w, b]))
    assert d.closed_form(w).shape == (1, w.shape[0])
    result = d.check(samples=3, seed=4, dims={"n": 4, "N": 7})
    assert result.passed


def test_wrong_shape_matrix_form_mse():  # (e.T*e/N).diff(w) gives an n×N object in sympy
    e = X @ w - y
    d = checked(sc.derive(e.T @ e / N, w))
    assert d.shape == (1, w.shape[0])
    assert str(d.closed_form()) == "(2/N) (Xw − y)ᵀX"


def test_silent_zero_sum_of_two_squared_norms():  # sympy issue 26585
    assert closed(w @ w + x @ x, w) == "2 wᵀ"


def test_silent_zero_trace_plus_one_is_not_zero():  # sympy issue 26561: (Trace(A) + 1).diff(A) -> 0
    d = checked(sc.derive(sc.sum(A) + 1, A))  # issue 12: derived (the all-ones matrix), never a silent zero
    assert str(d.closed_form()) != "0" and not isinstance(d.closed_form(), sc.expr.Zero)
    S = sc.matrix("S", "n", "n")
    t = checked(sc.derive(sc.trace(S) + 1, S, layout="denominator"))
    assert str(t.closed_form()) == "I"


def test_matrix_gradient_of_a_linear_form_is_not_zero():  # the trace forms of issues 26561 / 25118
    d = checked(sc.derive(sc.sum(X @ w), X))
    assert str(d.closed_form()) == "w 1⃗ᵀ"  # ∂/∂X of 1⃗ᵀXw, numerator layout (n×N)


def test_crash_scalar_expansion():  # x + z crashes in sympy (no scalar expansion)
    assert closed(x + z, z) == "1⃗"


def test_crash_scalar_bias():  # w.T*x + b with scalar b crashes in sympy
    assert closed(w.T @ x + b, b) == "1"


def test_crash_hadamard_division():
    assert closed(w / x, x) == "diag(−w ⊘ x²)"


def test_crash_elementwise_function_on_1x1():  # applyfunc on a 1×1 crashes in sympy
    v = sc.vector("v", 1)
    assert closed(sc.exp(v) * 3, v) == "3 exp(v)"


def test_layout_is_numerator_unlike_sympy():  # sympy: (A*x).diff(x) -> A.T (denominator layout)
    assert closed(A @ x, x) == "A"
    assert str(checked(sc.derive(A @ x, x, layout="denominator")).closed_form()) == "Aᵀ"
