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


# -------------------------------------------------------------------- gradient / Jacobian containers


def test_gradient_is_a_sequence(xy):
    x, y = xy
    f = 3 * x**2 * y
    checked(sc.derive(f, [x, y]))
    g = sc.gradient(f, [x, y])
    assert len(g) == 2 and g.shape == (1, 2)
    assert [str(e) for e in g] == ["6x y", "3x²"]
    assert str(g[0]) == "6x y" and str(g[-1]) == "3x²" and g[0, 1] == g[1]
    assert sc.evaluate(g[0], {x: 2, y: 1}) == 12.0


def test_jacobian_is_a_matrix(xy):
    x, y = xy
    f, h = 3 * x**2 * y, 2 * x + y**8
    checked(sc.derive(sc.stack([f, h]), [x, y]))
    J = sc.jacobian([f, h], [x, y])
    assert J.shape == (2, 2) and len(J) == 4
    assert str(J[1, 1]) == "8y⁷" and str(J[1, 0]) == "2" and list(J)[1] == J[0, 1]
    assert [[str(e) for e in row] for row in J.rows] == [["6x y", "3x²"], ["2", "8y⁷"]]
    assert str(J) == "[[6x y, 3x²], [2, 8y⁷]]"  # still prints as before
    with pytest.raises(sc.ShapeError, match="J\\[i, j\\]"):
        J[2, 0]


def test_single_variable_and_names(xy):
    x, y = xy
    checked(sc.derive(x**3 * y, [x, y]))
    assert repr(sc.gradient(x**3 * y, x)) == "[3x²y]" and len(sc.gradient(x**3 * y, "x")) == 1
    assert sc.gradient(x * y, ["y", "x"]) == sc.gradient(x * y, [y, x])
    assert repr(sc.jacobian(sc.stack([x * y, x + y]), "x")) == "[y, 1]ᵀ"  # a stacked vector is a list too


# -------------------------------------------------------------------- misuse: a SymcalcError that says what to do

_x, _y, _w = sc.scalar("x"), sc.scalar("y"), sc.vector("w")
_d = sc.derive(_x * _y, [_x, _y])

MISUSES = [  # (call, error class, words of the fix the message must contain)
    (lambda: sc.jacobian(_w, [_x]), sc.ShapeError, "sc.derive(f, w)"),
    (lambda: sc.jacobian(_w @ _w, _w), sc.ShapeError, "sc.derive(f, w)"),
    (lambda: sc.jacobian([_x * _y]), sc.ArgumentError, "sc.jacobian([f, g], [x, y])"),
    (lambda: sc.jacobian([], [_x]), sc.ArgumentError, "such as [f, g]"),
    (lambda: sc.jacobian(["x*y"], [_x]), sc.ArgumentError, "sc.parse"),
    (lambda: sc.gradient(_x * _y), sc.ArgumentError, "sc.gradient(f, [x, y])"),
    (lambda: sc.gradient(_x * _y, []), sc.ArgumentError, "such as [x, y]"),
    (lambda: sc.gradient(_x * _y, ["q"]), sc.ArgumentError, "its variables: x, y"),
    (lambda: sc.gradient(_x * _y, [_x * _y]), sc.ArgumentError, "sc.scalar('x')"),
    (lambda: sc.gradient([_x, _y], [_x]), sc.ArgumentError, "sc.jacobian"),
    (lambda: sc.gradient(_w, [_x]), sc.ShapeError, "sc.derive(f, w)"),
    (lambda: sc.gradient(_w @ _w, [_w]), sc.ShapeError, "sc.derive(f, w)"),
    (lambda: sc.derive(_x * _y), sc.ArgumentError, "the expression's variables: 'x', 'y'"),
    (lambda: sc.derive(_x * _y, None), sc.ArgumentError, "derive(expr, wrt)"),
    (lambda: sc.derive(_x * _y, _x * _y), sc.ArgumentError, "a variable (or its name)"),
    (lambda: sc.derive([_x, _y], _x), sc.ArgumentError, "sc.stack([a, b])"),
    (lambda: sc.derive(None, _x), sc.ArgumentError, "sc.scalar"),
    (lambda: sc.derive(_x, _x, layout="row"), sc.SymcalcError, "numerator, denominator"),
    (lambda: _w + "a", sc.ArgumentError, "sc.parse"),
    (lambda: sc.exp([1, 2]), sc.ArgumentError, "sc.stack([a, b])"),
    (lambda: sc.stack(_x), sc.ArgumentError, "such as [a, b]"),
    (lambda: sc.vector(3), sc.ShapeError, "identifier"),
    (lambda: sc.vector("w", 0), sc.ShapeError, "positive"),
    (lambda: sc.evaluate("x", {_x: 1}), sc.ArgumentError, "sc.parse"),
    (lambda: sc.evaluate(_x * _y, [1, 2]), sc.ArgumentError, "such as {'w': [1, 2]}"),
    (lambda: sc.evaluate(_x * _y, {"q": 1}), sc.SymcalcError, "its variables are x, y"),
    (lambda: sc.evaluate(_x * _y, {_x: 1}), sc.SymcalcError, "add 'y'"),
    (lambda: _d.evaluate([1, 2], "x"), sc.ArgumentError, "dict"),
    (lambda: _d.closed_form(), sc.SymcalcError, "closed_form('x')"),
    (lambda: _d.closed_form("q"), sc.SymcalcError, "differentiated by x, y"),
    (lambda: sc.parse(3), sc.ParseError, "as a string"),
]


@pytest.mark.parametrize("call, error, fix", MISUSES, ids=[str(i) for i in range(len(MISUSES))])
def test_misuse_raises_a_symcalc_error_that_says_how_to_fix(call, error, fix):
    with pytest.raises(error) as info:
        call()
    assert isinstance(info.value, sc.SymcalcError)
    assert fix in str(info.value)


def test_argument_errors_are_type_errors_too():
    with pytest.raises(TypeError):
        sc.derive(None, "x")


# -------------------------------------------------------------------- exports, version, typing


def test_star_import_leaves_builtins_alone():
    namespace: dict = {}
    exec("from symcalc import *\nresult = sum([1, 2, 3]), abs(-2), max(1, 4)", namespace)
    assert namespace["result"] == (6, 2, 4)
    import builtins

    assert not [n for n in sc.__all__ if hasattr(builtins, n)]
    assert all(hasattr(sc, n) for n in sc.__all__)


def test_paper_names_stay_attributes():
    w = sc.vector("w")
    assert sc.sum(w) == sc.sum_(w) and sc.abs(w) == sc.abs_(w)
    assert "sum" not in sc.__all__ and "abs" not in sc.__all__
    checked(sc.derive(sc.sum(sc.abs(w)), w))


def test_version_and_py_typed():
    from importlib.metadata import version
    from pathlib import Path

    assert sc.__version__ == version("symcalc")
    assert (Path(sc.__file__).parent / "py.typed").exists()


def test_public_api_has_type_hints():
    import inspect

    for f in (sc.derive, sc.gradient, sc.jacobian, sc.evaluate, sc.vector, sc.scalar, sc.matrix, sc.exp):
        sig = inspect.signature(f)
        assert sig.return_annotation is not inspect.Signature.empty, f.__name__
        assert all(p.annotation is not inspect.Parameter.empty for p in sig.parameters.values()), f.__name__


# -------------------------------------------------------------------- output names


@pytest.mark.parametrize("expr, wrt, kw", [
    ("x**2", "y", {}),
    ("x**2 + f", ["y", "x"], {}),
    ("sin(x)", ["y", "f", "g", "h", "F", "out", "x"], {}),
])
def test_default_output_name_is_not_a_variable(expr, wrt, kw):
    from symcalc.expr import variables

    d = checked(sc.derive(expr, wrt, **kw))
    taken = {v.name for v in [*variables(d.expr), *d.wrt]}
    assert d.output.name not in taken
    assert "dy/dy" not in d.text() and "∂y/∂y" not in d.text()


def test_default_output_name_by_a_matrix_named_like_an_output():
    y, x = sc.matrix("y", "m", "n"), sc.vector("x")
    d = checked(sc.derive(sc.sum_(y @ x), y))
    assert d.output.name not in {"y", "x", "z"}


def test_output_may_not_be_a_variable_of_differentiation():
    with pytest.raises(sc.SymcalcError, match="choose another name"):
        sc.derive("x**2", "y", output="y")


def test_cli_output_name(capsys):
    from symcalc.cli import main

    assert main(["derive", "x**2", "--wrt", "y", "--format", "text"]) == 0
    out = capsys.readouterr().out
    assert "dy/dy" not in out and "df/dy = 0" in out


# -------------------------------------------------------------------- d.result is plain sympy

import numpy as np  # noqa: E402
import sympy  # noqa: E402

from symcalc.catalog import catalog  # noqa: E402

LAMBDIFIED = [("neuron", "w"), ("neuron", "b"), ("affine", "w"), ("dot-product", "x"), ("gradient", "x"),
              ("jacobian", "y"), ("vector-chain", "x"), ("chain-deep", "x")]


def _point(d, rng):
    from symcalc.expr import variables

    def value(v):  # a Symbol takes a float, a MatrixSymbol a 2-D array
        return rng.uniform(0.5, 1.5) if v.is_scalar else rng.uniform(0.5, 1.5, [int(s) if s.is_Integer else 3 for s in v.shape])

    return {v: value(v) for v in variables(d.expr)}


def _symbol(v):
    from symcalc.sympy_export import to_sympy

    return to_sympy(v)


@pytest.mark.parametrize("name, var", LAMBDIFIED)
def test_lambdify_result_matches_evaluate(name, var):
    rng = np.random.default_rng(0)
    for d in catalog()[name].derivations():
        if var not in {v.name for v in d.wrt}:
            continue
        checked(d)
        point = _point(d, rng)
        result = d.results[next(v for v in d.wrt if v.name == var)]
        args = list(point)
        f = sympy.lambdify([_symbol(v) for v in args], result, "numpy")
        got = np.asarray(f(*(point[v] for v in args)), dtype=float)
        want = np.asarray(d.evaluate(point, var), dtype=float)
        assert np.allclose(got.reshape(want.shape) if got.size == want.size else got, want), (name, var)
        assert sympy.latex(result) and sympy.simplify(result) is not None
        assert "Trace" not in sympy.srepr(result)


def test_concrete_sizes_give_explicit_matrices():
    d = checked(sc.derive("exp(w) * sum(w)", "w", vectors="w:3"))
    assert isinstance(d.result, sympy.MatrixBase) and d.result.shape == (3, 3)
    w = sympy.MatrixSymbol("w", 3, 1)
    point = np.array([[0.1], [0.2], [0.3]])
    got = sympy.lambdify([w], d.result, "numpy")(point)
    assert np.allclose(np.asarray(got, dtype=float), d.evaluate({"w": point}))


def test_json_srepr_still_round_trips():
    from symcalc.sympy_export import to_sympy

    d = checked(sc.derive("max(0, w @ x + b)", "w", vectors="w x", scalars="b"))
    original = to_sympy(d.closed_form())
    assert sympy.srepr(original).count("Trace") == 1  # the JSON form is unchanged
