"""Engine behaviour beyond the paper's examples: zeros, refusals, shapes, steps, renderers."""
from __future__ import annotations

import numpy as np
import pytest

import symcalc as sc
from helpers import checked

w, x = sc.vector("w"), sc.vector("x")
b, z = sc.scalar("b"), sc.scalar("z")
X = sc.matrix("X", "N", "n")
y = sc.vector("y", "N")
N = sc.scalar("N")


@pytest.mark.parametrize(
    "expr, wrt, shape_text",
    [
        (w * x, b, "0⃗"),  # vector by scalar: n×1
        (sc.sum(x), w, "0⃗ᵀ"),  # scalar by vector: 1×n
        (w + x, y, "0"),  # vector by vector: n×N matrix
        (b * 2, z, "0"),
    ],
)
def test_derivative_wrt_absent_symbol_is_zero_of_right_shape(expr, wrt, shape_text):
    d = sc.derive(expr, wrt)
    form = d.closed_form()
    rows = expr.shape[0] if expr.shape[1] == 1 else expr.shape[1]
    cols = wrt.shape[0]
    assert form.shape == (rows, cols)
    assert str(form) == shape_text
    assert "does not occur" in d.steps[-1].note
    checked(d)


@pytest.mark.parametrize("build, closed", [(lambda: sc.sum(X * X), "2 Xᵀ"),
                                           (lambda: sc.sum(sc.exp(X @ w)) + sc.sum(X * X), None)])
def test_matrix_outside_products_derives_in_the_backward_form(build, closed):
    """Issue 12: a matrix outside products (once refused, never a silent zero) derives by the backward rules."""
    d = checked(sc.derive(build(), X))
    assert any(s.phase == "backward" for s in d.steps)
    if closed:
        assert str(d.closed_form()) == closed


M = sc.matrix("W", "m", "n")
ym, bm = sc.vector("y", "m"), sc.vector("c", "m")


@pytest.mark.parametrize("expr, numerator, denominator", [
    (ym @ (M @ w), "w yᵀ", "y wᵀ"),
    (w @ (M.T @ ym), "w yᵀ", "y wᵀ"),
    (sc.sum(sc.relu(M @ w + bm)), "w [Ww + c > 0]ᵀ", "[Ww + c > 0] wᵀ"),
    (sc.sum((sc.tanh(M @ w + bm) - ym) ** 2), None, "2 ((tanh(Ww + c) − y) ⊗ (1 − tanh(Ww + c)²)) wᵀ"),
    (ym @ (M @ w) + (M @ w) @ (M @ w), None, None),
])
def test_scalar_by_matrix_via_the_trace_rule(expr, numerator, denominator):
    num = checked(sc.derive(expr, M))
    den = checked(sc.derive(expr, M, layout="denominator"))
    assert num.shape == (M.shape[1], M.shape[0]) and den.shape == M.shape
    if numerator:
        assert str(num.closed_form()) == numerator
    if denominator:
        assert str(den.closed_form()) == denominator
    assert any(r.key == "trace" for s in num.steps for r in s.rules)


def test_matrix_and_vector_variables_are_separate_derivations(capsys):
    from symcalc.cli import main

    both = checked(sc.derive(sc.sum(M @ w), [M, w]))  # issue 12: together, in the backward form
    assert str(both.closed_form(M)) == "w 1⃗ᵀ" and str(both.closed_form(w)) == "1⃗ᵀW"
    code = main(["derive", "sum(tanh(W @ x + b))", "--wrt", "W", "b", "--matrix", "W:m,n", "--vector", "x",
                 "b:m", "--check"])
    out = capsys.readouterr().out
    assert code == 0 and out.count("check: PASS") == 2 and "∂y/∂W" in out


def test_matrix_valued_dependence_on_a_scalar_is_a_matrix():
    """d(W b)/db is the n×n matrix W (issue 8: it used to be refused as a tensor)."""
    W = sc.matrix("W", "n", "n")
    d = sc.derive(W * b, b)
    assert d.check(samples=3).passed and str(d.closed_form()) == "W"


def test_unsupported_error_is_a_symcalc_error():
    assert issubclass(sc.UnsupportedError, sc.SymcalcError)


def test_shape_error_names_both_operands():
    with pytest.raises(sc.ShapeError) as err:
        sc.vector("w", 3) + sc.vector("x", 4)
    assert "w (3×1)" in str(err.value) and "x (4×1)" in str(err.value)
    assert isinstance(err.value, sc.SymcalcError)


@pytest.mark.parametrize(
    "build",
    [lambda: X @ y, lambda: w @ y, lambda: b @ w, lambda: w ** x, lambda: sc.dot(w, X @ w)],
)
def test_shape_errors_at_build_time(build):
    with pytest.raises(sc.ShapeError):
        build()


def test_matrix_form_loss_has_row_shape_and_matches_finite_differences():
    e = X @ w + b - y
    d = checked(sc.derive(e @ e / N, [w, b]))
    assert d.closed_form(w).shape == (1, w.shape[0])
    assert d.closed_form(b).shape == (1, 1)


def test_chain_steps_carry_shape_arithmetic():
    d = checked(sc.derive(sc.relu(w @ x + b), w))
    chain = [s for s in d.steps if s.phase == "chain"]
    assert [s.shape_text for s in chain] == ["(1×n)(n×n) → 1×n", "(1×1)(1×n) → 1×n"]
    assert all(s.rules[0].number == "R12" for s in chain)


def test_steps_are_plain_records():
    d = checked(sc.derive(sc.relu(w @ x + b), w))
    step = d.steps[0]
    with pytest.raises(AttributeError):
        step.phase = "other"
    assert {s.phase for s in d.steps} == {"define", "local", "chain", "substitute", "result"}


def test_text_has_no_ansi_and_latex_has_align():
    d = checked(sc.derive(sc.relu(w @ x + b), [w, b]))
    assert "\x1b[" not in d.text()
    tex = d.latex()
    assert tex.count(r"\begin{align*}") == tex.count(r"\end{align*}") >= 4
    assert r"\text{vector chain rule (R12)}" in tex
    assert d.result_latex(w).startswith(r"\begin{cases}")


def test_evaluate_accepts_names_and_binds_sizes():
    d = checked(sc.derive(w @ x + b, w))
    value = d.evaluate({"w": [1, 2], "x": [3, 4], "b": 0.5})
    np.testing.assert_array_equal(value, [[3.0, 4.0]])
    with pytest.raises(sc.ShapeError, match="n = 2"):
        d.evaluate({"w": [1, 2], "x": [3, 4, 5], "b": 0.5})
    with pytest.raises(sc.SymcalcError, match="'q'"):
        d.evaluate({"q": 1})


def test_expression_evaluation():
    assert sc.evaluate(sc.relu(w @ x + b), {w: [1, 2], x: [3, 4], b: -20}) == 0.0


@pytest.mark.parametrize(
    "expr, wrt",
    [
        (sc.log(sc.sum(sc.exp(x))), [x]),
        (sc.tanh(X @ w) * sc.sigmoid(b), [w, b]),
        (w.T @ X.T @ X @ w, [w]),
        (sc.sqrt(x * x + 1) / (b * b + 1), [x, b]),
        (sc.sum(sc.abs_(w - x) ** 3), [w, x]),
        (sc.maximum(w, x * z), [w, x, z]),
        (sc.cos(w) ** z, [w, z]),
        (sc.tan(b * x / 4), [x, b]),
        (w @ (X.T @ y), [w, y]),
    ],
)
def test_assorted_derivatives_match_finite_differences(expr, wrt):
    checked(sc.derive(expr, wrt), samples=3)


def test_matrix_valued_expression_by_a_vector_is_a_tensor_even_when_zero():
    """Found by the parser fuzz: sin(2X) by an absent w printed an n×n zero that failed the self-check."""
    with pytest.raises(sc.UnsupportedError, match="is a tensor"):
        sc.derive("sin(X*2)", "w", vectors="w", matrices="X:N,n")
    d = checked(sc.derive("sin(X*l)", "l", matrices="X:N,n"))
    assert d.shape == d.expr.shape


@pytest.mark.parametrize("transposed", [False, True])
def test_a_diag_led_sum_with_a_broadcast_scalar_is_not_spread_over_the_column(transposed):
    """(diag(u) + 2) u is u ⊗ u + 2 sum(u) 1⃗: the 2 is added to every entry (2·1⃗1⃗ᵀ), not to the
    diagonal. The matrix–vector rule's spreading of diag(a) r = a ⊗ r read it as 2I (a wrong
    derivative, error 1.9, caught only by the self-check); it now leaves such a sum whole."""
    import numpy as np

    u, v = sc.vector("u"), sc.vector("v")
    matrix = sc.diag(u) + 2
    d = sc.derive(sc.sum_(((matrix.T if transposed else matrix) @ u) * v), u, verify=False)
    rng = np.random.default_rng(1)
    uu, vv = rng.normal(size=3), rng.normal(size=3)

    def f(x):
        m = np.diag(x) + 2
        return float(((m.T if transposed else m) @ x) @ vv)

    h = 1e-6
    want = [(f(uu + h * e) - f(uu - h * e)) / (2 * h) for e in np.eye(3)]
    got = np.ravel(d.evaluate({"u": uu, "v": vv}))
    assert np.max(np.abs(got - want)) < 1e-6 * max(1.0, np.max(np.abs(want)))
