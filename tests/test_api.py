"""The Python API (issue 10): reprs, Jupyter display, result containers, exports, misuse."""
from __future__ import annotations

import pytest

import symcalc as sc
from helpers import checked


@pytest.fixture
def xy():
    return sc.scalar("x"), sc.scalar("y")


# -------------------------------------------------------------------- reprs


def test_repr_is_the_papers_notation(xy):
    x, y = xy
    w, v = sc.vector("w"), sc.vector("v")
    for e, shown in [(x, "x"), (w, "w"), (3 * x**2 * y, "3x²y"), (w.T, "wᵀ"), (sc.relu(w @ v), "max(0, w·v)"),
                     (sc.stack([x, y]), "[x, y]ᵀ"), (sc.vector("beta"), "β")]:
        assert repr(e) == str(e) == shown
    assert repr([x, w]) == "[x, w]"


def test_repr_of_derivation_results(xy):
    x, y = xy
    d = checked(sc.derive(sc.relu(sc.vector("w") @ sc.vector("v")), "w"))
    assert repr(d.closed_form()) == "{0⃗ᵀ if w·v ≤ 0; vᵀ if w·v > 0}"
    g = sc.gradient(3 * x**2 * y, [x, y])
    checked(sc.derive(3 * x**2 * y, [x, y]))
    assert repr(g) == "[6x y, 3x²]"
    assert repr(sc.jacobian([3 * x**2 * y, 2 * x + y**8], [x, y])) == "[[6x y, 3x²], [2, 8y⁷]]"


def test_srepr_keeps_the_constructor_form(xy):
    x, _ = xy
    assert (2 * x).srepr() == "Mul(items=(Const(value=2, shape=(1, 1)), Var(name='x', shape=(1, 1), kind='symbol')), shape=(1, 1))"


# -------------------------------------------------------------------- Jupyter


def test_expressions_display_in_symcalcs_latex(xy):
    x, y = xy
    d = checked(sc.derive("max(0, w @ x + b)", "w", vectors="w x", scalars="b"))
    tex = d.closed_form()._repr_latex_()
    assert tex.startswith("$") and tex.endswith("$") and r"\begin{cases}" in tex and r"\mathbf{x}^{T}" in tex
    assert "Trace" not in tex and "theta" not in tex
    assert r"\begin{bmatrix}" in sc.gradient(x * y, [x, y])._repr_latex_()


def test_derivation_latex_is_one_block():
    d = checked(sc.derive("w @ x", "w", vectors="w x"))
    tex = d._repr_latex_()
    assert tex.count("$") == 2 and tex.count(r"\begin{aligned}") == 1


def test_markdown_variable_table_has_two_cells_per_row():
    d = checked(sc.derive("X @ w + b", "w", vectors="w", matrices="X:N,n", scalars="b"))
    rows = [line for line in d._repr_markdown_().splitlines() if line.startswith("| $")]
    assert len(rows) == 3
    for row in rows:
        assert row.count("|") == 3 and "\\times" not in row
    assert "| $\\mathbf{w}$ | `n×1` |" in rows
