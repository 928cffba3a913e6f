"""The rule tables come from the engine; denominator layout is the transpose, consistently."""
from __future__ import annotations

import pytest

import symcalc as sc
from symcalc import expr as E
from symcalc.rules import RULES
from symcalc.tables import cited, render_tables, rows
from helpers import checked


def test_every_registered_rule_has_a_row_whose_derivation_cites_it():
    table = rows()
    assert [r.rule.key for r in table] == list(RULES)
    for row in table:
        assert row.rule.key in cited(row), row.rule.key


def test_rule_table_text_shows_the_papers_sections():
    text = render_tables()
    for heading in ["Gradients and Jacobians (R3, R4)", "Element-wise operations (R5, R6)",
                    "Scalar expansion (R7)", "Vector reductions and the dot product (R8, R9)",
                    "The chain rules, side by side"]:
        assert heading in text
    assert "e.g. ∂/∂w w ⊗ x = diag(x)" in text


w, x, b, z = sc.vector("w"), sc.vector("x"), sc.scalar("b"), sc.scalar("z")
X, y, N = sc.matrix("X", "N", "n"), sc.vector("y", "N"), sc.scalar("N")

CASES = [
    (sc.relu(w @ x + b), [w, b]),
    (sc.sum((y - sc.relu(X @ w + b)) ** 2) / N, [w, b]),
    (w / x, [w, x]),
    (x * z, [x, z]),
    (X @ sc.tanh(w), [w]),
    (sc.log(sc.sum(sc.exp(x))), [x]),
]


@pytest.mark.parametrize("expr, wrt", CASES)
def test_denominator_layout_is_the_transpose_everywhere(expr, wrt):
    num = checked(sc.derive(expr, wrt))
    den = checked(sc.derive(expr, wrt, layout="denominator"))
    for v in wrt:
        r, c = num.closed_form(v).shape
        assert den.closed_form(v).shape == (c, r)
    for a, b_ in zip(num.steps, den.steps):
        assert a.phase == b_.phase
        if a.phase != "define":
            assert b_.shape == (a.shape[1], a.shape[0])
    assert "denominator layout" in den.text()


def test_denominator_chain_rule_reverses_the_product():
    den = checked(sc.derive(w @ x, w, layout="denominator"))
    chain = [s for s in den.steps if s.phase == "chain"][0]
    assert str(chain.sides[1]) == "∂u/∂w ∂y/∂u"
    assert chain.shape_text == "(n×n)(n×1) → n×1"
    assert str(den.closed_form()) == "x"


def test_written_out_vectors_E15_matrix_form():
    s = sc.scalar("x")
    g = E.Var("g", (E.size(2), E.ONE), "intermediate")
    f = E.stack([sc.log(s**2), sc.sin(3 * s)])
    root = E.stack([sc.log(E.index(g, 0)), sc.sin(E.index(g, 1))])
    d = checked(sc.derive(f, s, given=([(g, E.stack([s**2, 3 * s]))], root)))
    local = {str(st.sides[0]): str(st.sides[1]) for st in d.steps if st.phase == "local"}
    assert local["dy/dg"] == "diag(1/g₁, cos(g₂))"
    assert str(d.closed_form()) == "[2/x, 3 cos(3x)]ᵀ"
