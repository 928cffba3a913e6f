"""Second derivatives (issue 13): sc.hessian, --order 2 and the catalog entries.

Every Hessian here is compared with central finite differences of a gradient coded independently in
numpy (never symcalc's own), at random points, relative error below 1e-6; the closed forms the issue
names are also compared structurally with trees built by symcalc's builders.
"""
from __future__ import annotations

import json

import numpy as np
import pytest
import sympy

import symcalc as sc
from symcalc import expr as E
from symcalc.catalog import entry, from_dict
from symcalc.cli import main
from symcalc.errors import SymcalcError, UnsupportedError
from symcalc.render.latex import render as latex_render
from symcalc.shapes import size
from symcalc.steps import PHASES

RNG = np.random.default_rng(13)
n, m, N = 3, 4, 5


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def fd_jacobian(grad, x, h=1e-6):
    """Central differences of a gradient function: column j is ∂grad/∂x_j (numerator layout)."""
    x = np.asarray(x, dtype=float).ravel()
    cols = []
    for j in range(x.size):
        step = h * max(1.0, abs(x[j]))
        e = np.zeros_like(x)
        e[j] = step
        cols.append((np.ravel(grad(x + e)) - np.ravel(grad(x - e))) / (2 * step))
    return np.array(cols).T


def rel_err(got, want):
    got, want = np.atleast_2d(np.asarray(got, dtype=float)), np.atleast_2d(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    return np.max(np.abs(got - want)) / max(np.max(np.abs(want)), 1e-12)


def assert_hessian(d, values, by, grad, samples=3):
    """``d``'s Hessian at random points against differences of ``grad`` (a numpy gradient by ``by``)."""
    for _ in range(samples):
        point = {k: v() for k, v in values.items()}
        got = d.evaluate(point)
        want = fd_jacobian(lambda z: grad({**point, by: z}), point[by])
        assert rel_err(got, want) < 1e-6, (d, got, want)


def col(k):
    return lambda: RNG.uniform(-1.5, 1.5, (k, 1))


def mat(r, c):
    return lambda: RNG.uniform(-1.5, 1.5, (r, c))


def v(a):
    return np.asarray(a, dtype=float).reshape(-1, 1)


X_, A_ = sc.vector("x"), sc.matrix("A", "n", "n")


# ---------------------------------------------------------------- the closed forms of the issue


def test_quadratic_form_is_a_plus_a_transpose():
    d = sc.hessian(X_.T @ A_ @ X_, X_)
    assert d.closed_form() == A_ + A_.T
    assert d.shape == (size("n"), size("n"))
    assert_hessian(d, {"x": col(n), "A": mat(n, n)}, "x", lambda p: (p["A"] + p["A"].T) @ v(p["x"]))


def test_quadratic_form_from_text_and_the_command_line_spelling():
    d = sc.hessian("x.T @ A @ x", "x", vectors="x", matrices="A:n,n")
    assert d.closed_form() == A_ + A_.T


@pytest.mark.parametrize("text", ["norm(A @ x - b) ** 2", "(A@x-b).T @ (A@x-b)"])
def test_least_squares_is_two_at_a(text):
    A, x = sc.matrix("A", "m", "n"), sc.vector("x")
    d = sc.hessian(text, "x", vectors="x b:m", matrices="A:m,n")
    assert d.closed_form() == 2 * (A.T @ A)
    assert_hessian(d, {"x": col(n), "A": mat(m, n), "b": col(m)}, "x",
                   lambda p: 2 * p["A"].T @ (p["A"] @ v(p["x"]) - p["b"]))


def _x_ax(p):
    return (v(p["x"]).T @ p["A"] @ v(p["x"])).item()


@pytest.mark.parametrize("text", ["x @ (A @ x)", "sum(x * (A @ x))"])
def test_x_dot_ax_has_the_quadratic_forms_gradient_and_hessian(text):
    """x·(Ax) reads its gradient as 1⃗ᵀ(diag(Ax) + diag(x) A): the all-ones row through the diag-led
    sum (matmul.ones_diag_sum) makes it xᵀ(A + Aᵀ), whose Jacobian is a matrix, not a tensor."""
    decl = {"vectors": "x", "matrices": "A:n,n"}
    rows, cols = sc.derive(text, "x", **decl), sc.derive(text, "x", layout="denominator", **decl)
    assert rows.closed_form() == X_.T @ (A_ + A_.T) and cols.closed_form() == (A_ + A_.T) @ X_
    for _ in range(3):
        p = {"x": col(n)(), "A": mat(n, n)()}
        want = fd_jacobian(lambda z: _x_ax({**p, "x": z}), p["x"])  # 1×n
        assert rel_err(rows.evaluate(p), want) < 1e-6 and rel_err(cols.evaluate(p), want.T) < 1e-6
    d = sc.hessian(text, "x", **decl)
    assert d.closed_form() == A_ + A_.T
    assert_hessian(d, {"x": col(n), "A": mat(n, n)}, "x", lambda p: (p["A"] + p["A"].T) @ v(p["x"]))


def _residual_norm(p, power):
    return float(np.linalg.norm(p["A"] @ v(p["x"]) - p["b"]) ** power)


@pytest.mark.parametrize("power,layout,want", [
    (2, "numerator", "2 (Ax − b)ᵀA"), (2, "denominator", "2 Aᵀ (Ax − b)"),  # ‖r‖ (rᵀ ⊘ ‖r‖) cancels
    (1, "numerator", "((Ax − b)ᵀ ⊘ ‖Ax − b‖) A"), (1, "denominator", "(((Ax − b)ᵀ ⊘ ‖Ax − b‖) A)ᵀ")])
def test_least_squares_gradient_prints_its_closed_form(power, layout, want):
    text = "norm(A @ x - b)" + (" ** 2" if power == 2 else "")
    d = sc.derive(text, "x", vectors="x b:m", matrices="A:m,n", layout=layout)
    assert str(d.closed_form()) == want
    if power == 2:
        A, x, b = sc.matrix("A", "m", "n"), sc.vector("x"), sc.vector("b", "m")
        assert d.closed_form() == 2 * ((A @ x - b).T @ A if layout == "numerator" else A.T @ (A @ x - b))
    for _ in range(3):
        p = {"x": col(n)(), "A": mat(m, n)(), "b": col(m)()}
        row = fd_jacobian(lambda z: _residual_norm({**p, "x": z}, power), p["x"])
        assert rel_err(d.evaluate(p), row if layout == "numerator" else row.T) < 1e-6


def test_norm_gradient_prints_as_before():
    d = sc.derive("norm(x)", "x", vectors="x")
    assert str(d.closed_form()) == "xᵀ ⊘ ‖x‖"
    p = col(n)()
    assert rel_err(d.evaluate({"x": p}), fd_jacobian(lambda z: np.linalg.norm(z), p)) < 1e-6


LOGISTIC = "mean(-(y*log(sigmoid(X@w)) + (1-y)*log(1-sigmoid(X@w))))"


def _logistic_gradient(p):
    X, w, y = p["X"], v(p["w"]), p["y"]
    return X.T @ (sigmoid(X @ w) - y) / X.shape[0]


def test_logistic_loss_over_a_batch():
    X, w = sc.matrix("X", "N", "n"), sc.vector("w")
    d = sc.hessian(LOGISTIC, "w", vectors="w y:N", matrices="X:N,n")
    s = sc.sigmoid(X @ w)
    want = E.Const(sympy.Integer(1) / size("N")) * (X.T @ sc.diag(s * (1 - s)) @ X)
    assert d.closed_form() == want
    assert_hessian(d, {"w": col(n), "X": mat(N, n), "y": lambda: RNG.integers(0, 2, (N, 1)).astype(float)}, "w",
                   _logistic_gradient)


def test_logsumexp_is_diag_p_minus_p_p_transpose():
    d = sc.hessian(sc.logsumexp(X_), X_)
    p = sc.softmax(X_)
    assert d.closed_form() == sc.diag(p) - p @ p.T
    assert_hessian(d, {"x": col(n)}, "x", lambda q: softmax(v(q["x"])))


# ---------------------------------------------------------------- random vector expressions


RANDOM = [  # (text, gradient in numpy)
    ("sum(tanh(A @ x))", lambda p: p["A"].T @ (1 - np.tanh(p["A"] @ v(p["x"])) ** 2)),
    ("sum(exp(x) * x)", lambda p: np.exp(v(p["x"])) * (v(p["x"]) + 1)),
    ("logsumexp(A @ x)", lambda p: p["A"].T @ softmax(p["A"] @ v(p["x"]))),
    ("sum(sigmoid(x) ** 2)", lambda p: 2 * sigmoid(v(p["x"])) ** 2 * (1 - sigmoid(v(p["x"])))),
    ("(x @ x) * sum(sin(x))",
     lambda p: 2 * v(p["x"]) * np.sin(v(p["x"])).sum() + (v(p["x"]) ** 2).sum() * np.cos(v(p["x"]))),
    ("sum(log(1 + exp(A @ x)))", lambda p: p["A"].T @ sigmoid(p["A"] @ v(p["x"]))),
]


@pytest.mark.parametrize("text,grad", RANDOM, ids=[t for t, _ in RANDOM])
def test_random_expressions_against_an_independent_gradient(text, grad):
    d = sc.hessian(text, "x", vectors="x", matrices="A:n,n")
    assert d.verification.status == "passed"
    assert d.check(samples=3).passed
    values = {"x": col(n), "A": mat(n, n)} if "A" in text else {"x": col(n)}
    assert_hessian(d, values, "x", grad)


@pytest.mark.parametrize("text", ["x.T @ A @ x", LOGISTIC, "logsumexp(x)", "sum(tanh(A @ x))", "sum(exp(x) * x)"])
def test_a_hessian_by_one_variable_is_symmetric(text):
    by = "w" if "w" in text else "x"
    d = sc.hessian(text, by, vectors="x w y:N", matrices="A:n,n X:N,n")
    point = {"x": col(n)(), "w": col(n)(), "A": mat(n, n)(), "X": mat(N, n)(), "y": col(N)()}
    point = {k: val for k, val in point.items() if k in {u.name for u in E.variables(d.expr)}}
    H = d.evaluate(point)
    assert np.allclose(H, H.T, rtol=1e-12, atol=1e-12)


def test_a_scalar_variable_gives_the_second_derivative():
    d = sc.hessian("x**3 + sin(x)", "x")
    assert d.evaluate({"x": 0.7}) == pytest.approx(6 * 0.7 - np.sin(0.7), rel=1e-12)
    assert d.check(samples=3).passed


# ---------------------------------------------------------------- mixed second derivatives


def test_mixed_block_is_n_by_m():
    B = sc.matrix("B", "n", "m")
    d = sc.hessian("x.T @ B @ y", "x", "y", vectors="x y:m", matrices="B:n,m")
    assert d.closed_form() == B and d.shape == (size("n"), size("m"))
    assert d.wrt == (X_, sc.vector("y", "m"))


def test_mixed_block_against_an_independent_gradient():
    d = sc.hessian("x @ (B @ y) + (x @ x) * (y @ y)", "x", "y", vectors="x y:m", matrices="B:n,m")
    x, y = sc.vector("x"), sc.vector("y", "m")
    assert d.closed_form() == sc.matrix("B", "n", "m") + 4 * (x @ y.T)
    assert_hessian(d, {"x": col(n), "y": col(m), "B": mat(n, m)}, "y",
                   lambda p: p["B"] @ v(p["y"]) + 2 * (v(p["y"]) ** 2).sum() * v(p["x"]))
    assert d.check(samples=3).passed


# ---------------------------------------------------------------- the steps


def test_steps_are_the_gradients_then_the_second_derivative():
    d = sc.hessian(LOGISTIC, "w", vectors="w y:N", matrices="X:N,n")
    grad = sc.derive(LOGISTIC, "w", vectors="w y:N", matrices="X:N,n", layout="denominator")
    phases = [s.phase for s in d.steps]
    first = [s for s in grad.steps if s.phase != "result"]
    assert d.steps[: len(first)] == tuple(first)  # the gradient's own steps, unchanged
    assert set(phases[len(first):]) == {"second", "result"} and phases[-1] == "result"
    results = [s for s in d.steps if s.phase == "result"]
    assert [r.sides[0].name for r in results] == ["∇f", "∇²f"]
    assert results[0].sides[-1] == grad.closed_form()
    assert results[1].sides[-1] == d.closed_form()


def test_the_phase_title_is_latex_safe():
    title = PHASES["second"]
    assert "_" not in title and "⇒" not in title and "\\" not in title
    tex = latex_render(sc.hessian("logsumexp(x)", "x", vectors="x"))
    assert r"\paragraph{2. Second derivative" in tex and r"\nabla^{2}" in tex


def test_a_wrong_hessian_fails_its_self_check(broken_engine):
    with pytest.raises(sc.VerificationError):
        sc.hessian("x.T @ A @ x", "x", vectors="x", matrices="A:n,n")


# ---------------------------------------------------------------- what is refused


def test_hessian_by_a_matrix_is_refused():
    with pytest.raises(UnsupportedError, match="by the matrix A .* tensors"):
        sc.hessian("x.T @ A @ x", "A", vectors="x", matrices="A:n,n")


def test_hessian_of_a_vector_is_refused():
    with pytest.raises(UnsupportedError, match="scalar function; Ax is n×1"):
        sc.hessian("A @ x", "x", vectors="x", matrices="A:n,n")


def test_catalog_order_is_checked():
    for bad in (3, 0, "2", 2.0, True):
        with pytest.raises(SymcalcError, match="order must be 1 or 2"):
            from_dict("t", {"title": "t", "expression": "x*x", "wrt": ["x"], "order": bad}, "t.toml")
    spec = from_dict("t", {"title": "t", "expression": "x**4", "wrt": ["x"], "order": 2}, "t.toml")
    (d,) = spec.derivations()
    assert str(d.closed_form()) == "12x²"


# ---------------------------------------------------------------- the command line


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


QUADRATIC = ("x.T @ A @ x", "--wrt", "x", "--vector", "x", "--matrix", "A:n,n")


@pytest.mark.parametrize("order", ["3", "0", "two", "-1", "1.5"])
def test_order_other_than_1_or_2_exits_2(capsys, order):
    code, out, err = run(capsys, "derive", *QUADRATIC, "--order", order)
    assert code == 2 and out == ""
    assert "--order must be 1 (first derivatives) or 2 (the Hessian)" in err


def test_order_2_with_three_variables_exits_2(capsys):
    code, _, err = run(capsys, "derive", "x @ y + z @ z", "--wrt", "x", "y", "z", "--vector", "x", "y", "z",
                       "--order", "2")
    assert code == 2 and "one variable" in err


def test_denominator_layout_transposes_the_second_phase():
    B = sc.matrix("B", "n", "m")
    d = sc.hessian("x.T @ B @ y", "x", "y", layout="denominator", vectors="x y:m", matrices="B:n,m")
    assert d.closed_form() == B.T and d.layout == "denominator" and d.check(samples=2).passed
    assert "∂²f/∂yᵢ∂xⱼ" in d.text()
    d = sc.hessian("x.T @ A @ x", "x", layout="denominator", vectors="x", matrices="A:n,n")
    assert d.closed_form() == A_ + A_.T and d.check(samples=2).passed


def test_order_2_with_denominator_layout_on_the_command_line(capsys):
    code, out, _ = run(capsys, "derive", *QUADRATIC, "--order", "2", "--layout", "denominator", "--format", "text")
    assert code == 0 and "∇²y = A + Aᵀ" in out and "(denominator layout): entry i, j" in " ".join(out.split())


def test_order_2_of_x_dot_ax_on_the_command_line(capsys):
    """It stopped with "its derivative is a tensor" while the gradient was (diag(Ax) + diag(x) A)ᵀ 1⃗;
    --check compares both phases with central differences."""
    code, out, err = run(capsys, "derive", "x @ (A @ x)", "--wrt", "x", "--order", "2", "--vector", "x",
                         "--matrix", "A:n,n", "--format", "text", "--check", "--samples", "2")
    assert code == 0, err
    assert "∇y = (A + Aᵀ) x" in out and "∇²y = A + Aᵀ" in out and "tensor" not in out + err


def test_order_2_by_a_matrix_exits_2(capsys):
    code, _, err = run(capsys, "derive", "x.T @ A @ x", "--wrt", "A", "--vector", "x", "--matrix", "A:n,n",
                       "--order", "2")
    assert code == 2 and "tensors" in err


@pytest.mark.parametrize("fmt", ["text", "rich", "latex", "markdown", "json", "mermaid", "dot"])
def test_order_2_in_every_format(capsys, fmt):
    code, out, _ = run(capsys, "derive", *QUADRATIC, "--order", "2", "--format", fmt, "--no-color")
    assert code == 0 and out
    if fmt == "json":
        doc = json.loads(out)["derivations"][0]
        assert doc["results"][0]["text"] == "A + Aᵀ" and doc["results"][0]["shape"] == ["n", "n"]
        assert "second" in {s["phase"] for s in doc["steps"]}
        assert doc["verification"]["status"] == "passed"
    elif fmt in ("text", "rich"):
        assert "∇²y = A + Aᵀ" in out and "Second derivative" in out


@pytest.mark.parametrize("name", ["hessian-quadratic", "hessian-logistic", "hessian-logsumexp"])
@pytest.mark.parametrize("fmt", ["text", "latex", "markdown", "json"])
def test_catalog_entries_in_every_format(capsys, name, fmt):
    code, out, _ = run(capsys, "derive", name, "--format", fmt, "--check", "--samples", "2")
    assert code == 0, out
    if fmt == "json":
        assert all(d["check"]["passed"] for d in json.loads(out)["derivations"])


def test_order_2_mixed_and_at_a_point(capsys):
    code, out, _ = run(capsys, "derive", "x.T @ B @ y", "--wrt", "x", "y", "--vector", "x", "y:m", "--matrix", "B:n,m",
                       "--order", "2", "--format", "text", "--at", "x=1,2", "--at", "y=3,4,5",
                       "--at", "B=[[1,2,3],[4,5,6]]")
    assert code == 0 and "∂∇f/∂y = B" in out
    assert "at the point: ∂∇f/∂y =\n[[1. 2. 3.]\n [4. 5. 6.]]" in out


def test_order_2_on_a_first_order_catalog_entry(capsys):
    code, out, _ = run(capsys, "derive", "logsumexp", "--wrt", "x", "--order", "2", "--format", "text")
    assert code == 0 and "∇²y = diag(softmax(x)) − softmax(x) softmax(x)ᵀ" in out


# ---------------------------------------------------------------- the catalog entries


def _catalog_oracles():
    """Each entry's parts with a numpy gradient, points and the variable differentiated second."""
    return {
        "hessian-quadratic": [
            ({"x": col(n), "A": mat(n, n)}, "x", lambda p: (p["A"] + p["A"].T) @ v(p["x"])),
            ({"x": col(n), "M": mat(m, n), "b": col(m)}, "x", lambda p: 2 * p["M"].T @ (p["M"] @ v(p["x"]) - p["b"])),
            ({"x": col(n), "B": mat(n, m), "y": col(m)}, "y", lambda p: p["B"] @ v(p["y"])),
        ],
        "hessian-logistic": [({"w": col(n), "X": mat(N, n), "y": col(N)}, "w", _logistic_gradient)],
        "hessian-logsumexp": [({"x": col(n)}, "x", lambda p: softmax(v(p["x"])))],
    }


@pytest.mark.parametrize("name", ["hessian-quadratic", "hessian-logistic", "hessian-logsumexp"])
def test_catalog_entries_against_independent_gradients(name):
    ds = entry(name).derivations()
    oracles = _catalog_oracles()[name]
    assert len(ds) == len(oracles)
    for d, (values, by, grad) in zip(ds, oracles):
        assert d.verification.status == "passed"
        assert_hessian(d, values, by, grad)
