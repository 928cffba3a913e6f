"""The paper's worked examples (paper-notes.md E1–E19), each checked structurally and numerically."""
from __future__ import annotations

import numpy as np
import pytest

import symcalc as sc
from helpers import checked, closed, sympy_value

w, x = sc.vector("w"), sc.vector("x")
b, z = sc.scalar("b"), sc.scalar("z")
s, t = sc.scalar("x"), sc.scalar("y")  # the scalar x, y of E1–E5 and E10–E14


@pytest.mark.parametrize(
    "expr, expected",
    [
        (sc.const(99) + 0 * s, "0"),
        (3 * s, "3"),
        (s**3, "3x²"),
        (s**2 + 3 * s, "3 + 2x"),
        (s**2 - 3 * s, "2x − 3"),
        (s**2 * s, "3x²"),
        (sc.log(s**2), "2/x"),
    ],
)
def test_E1_scalar_rules(expr, expected):
    assert closed(expr, s) == expected


def test_E2_operator_view():
    assert closed(9 * (s + s**2), s) == "9 + 18x"


def test_E3_partials():
    f = 3 * s**2 * t
    assert closed(f, s) == "6x y"
    assert closed(f, t) == "3x²"


def test_E4_E5_gradient_and_jacobian():
    f, g = 3 * s**2 * t, 2 * s + t**8
    assert str(sc.gradient(f, [s, t])) == "[6x y, 3x²]"
    assert str(sc.gradient(g, [s, t])) == "[2, 8y⁷]"
    jac = sc.jacobian([f, g], [s, t])
    assert str(jac) == "[[6x y, 3x²], [2, 8y⁷]]"
    point = {s: 1.5, t: -0.7}
    want = np.array([[6 * -0.7 * 1.5, 3 * 1.5**2], [2, 8 * (-0.7) ** 7]])
    np.testing.assert_allclose(sc.evaluate(jac, point), want, rtol=1e-12)
    for f_ in (f, g):  # each partial also against finite differences
        checked(sc.derive(f_, [s, t]))


def test_E6_identity():
    d = checked(sc.derive(x, x))
    assert str(d.closed_form()) == "I" and d.shape == (x.shape[0], x.shape[0])


@pytest.mark.parametrize(
    "expr, wrt_w, wrt_x",
    [
        (w + x, "I", "I"),
        (w - x, "I", "−I"),
        (w * x, "diag(x)", "diag(w)"),
        (w / x, "diag(1 ⊘ x)", "diag(−w ⊘ x²)"),
    ],
)
def test_E7_elementwise_table(expr, wrt_w, wrt_x):
    assert closed(expr, w) == wrt_w
    assert closed(expr, x) == wrt_x
    assert checked(sc.derive(expr, w)).shape == (w.shape[0], w.shape[0])


def test_E8_scalar_expansion():
    assert closed(x + z, x) == "I"
    assert closed(x + z, z) == "1⃗"
    assert closed(x * z, x) == "z I"
    assert closed(x * z, z) == "x"
    assert checked(sc.derive(x + z, z)).shape == (x.shape[0], 1)


def test_E9_sum_reduction():
    assert closed(sc.sum(x), x) == "1⃗ᵀ"
    assert closed(sc.sum(x * z), x) == "z 1⃗ᵀ"
    assert closed(sc.sum(x * z), z) == "sum(x)"
    assert checked(sc.derive(sc.sum(x), x)).shape == (1, x.shape[0])


def test_E10_chain_rule():
    assert closed(sc.sin(s**2), s) == "2x cos(x²)"


def test_E11_deep_nesting_uses_four_intermediates():
    d = checked(sc.derive(sc.log(sc.sin(s**3) ** 2), s))
    assert str(d.closed_form()) == "6x² cos(x³)/sin(x³)"
    assert [str(v) for v, _ in d.intermediates] == ["u₁", "u₂", "u₃"]
    assert [str(dfn) for _, dfn in d.intermediates] == ["x³", "sin(u₁)", "u₂²"]


def test_E12_total_derivative():
    assert closed(s + s**2, s) == "1 + 2x"


def test_E13_total_derivative_inside_sin():
    d = checked(sc.derive(sc.sin(s + s**2), s))
    assert str(d.closed_form()) == "(1 + 2x) cos(x + x²)"
    assert any(st.phase == "chain" and st.rules[0].number == "R11" for st in d.steps)


def test_E14_product_through_total_derivative():
    assert closed(s * s**2, s) == "3x²"


def test_E16_dot_product_via_R9():
    d = checked(sc.derive(w @ x, [w, x]))
    assert str(d.closed_form(w)) == "xᵀ" and str(d.closed_form(x)) == "wᵀ"
    defined = [str(dfn) for st in d.steps if st.phase == "define" for dfn in st.sides[1:]]
    assert defined[0] == "w ⊗ x"
    chain = [st for st in d.steps if st.phase == "chain" and st.wrt == w][0]
    assert [str(side) for side in chain.sides[2:]] == ["1⃗ᵀ diag(x)", "xᵀ"]
    assert chain.shape_text == "(1×n)(n×n) → 1×n"


def test_E17_affine():
    assert closed(w @ x + b, w) == "xᵀ"
    assert closed(w @ x + b, b) == "1"


def test_E18_elementwise_max():
    d = checked(sc.derive(sc.relu(x), x))
    assert str(d.closed_form()) == "diag([x > 0])"
    value = d.evaluate({x: [1.0, -2.0, 3.0]})
    np.testing.assert_array_equal(value, np.diag([1.0, 0.0, 1.0]))


NEURON = sc.relu(w @ x + b)


def test_E19_neuron_cases_and_shapes():
    d = checked(sc.derive(NEURON, [w, b], names=["u", "z"], output="activation"))
    assert str(d.closed_form(w)) == "{0⃗ᵀ if w·x + b ≤ 0; xᵀ if w·x + b > 0}"
    assert str(d.closed_form(b)) == "{0 if w·x + b ≤ 0; 1 if w·x + b > 0}"
    assert d.closed_form(w).shape == (1, w.shape[0])
    defs = [(str(st.sides[0]), str(st.sides[1])) for st in d.steps if st.phase == "define"]
    assert defs == [("u", "w ⊗ x"), ("z", "sum(u) + b"), ("activation", "max(0, z)")]
    rules = {str(st.sides[0]): st.rule_text for st in d.steps if st.phase == "local"}
    assert rules["∂u/∂w"] == "element-wise diagonal (R5)"
    assert rules["∂z/∂u"] == "vector sum reduction (R8)"


@pytest.mark.parametrize("bias, active", [(0.5, True), (-20.0, False)])
def test_E19_neuron_at_active_and_inactive_points(bias, active):
    w3, x3 = sc.vector("w", 3), sc.vector("x", 3)  # concrete sizes, so sympy can evaluate its object
    d = checked(sc.derive(sc.relu(w3 @ x3 + b), w3))
    point = {w3: [1.0, 2.0, 3.0], x3: [0.5, -1.0, 2.0], b: bias}
    want = np.array([[0.5, -1.0, 2.0]]) if active else np.zeros((1, 3))
    np.testing.assert_array_equal(d.evaluate(point), want)
    np.testing.assert_allclose(sympy_value(d.result, point), want)  # the sympy object agrees
